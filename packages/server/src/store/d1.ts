/**
 * The edge store: Cloudflare D1 (SQLite behind the Workers binding). A batch() is D1's own
 * atomic unit: its statements run in one transaction, and D1 runs one at a time per database.
 */
import type { Driver, Param, RunResult, Statement } from './driver.js';
import type { Row } from './rows.js';
import { migrate } from './migrate.js';
import { sqlStore } from './sql-store.js';
import type { Store } from './store.js';

/** The part of a D1Database binding this uses (structurally; no Workers types in the app). */
export interface D1Like {
  prepare(sql: string): D1StatementLike;
  batch(statements: D1StatementLike[]): Promise<{ meta: { changes?: number } }[]>;
}
export interface D1StatementLike {
  bind(...values: unknown[]): D1StatementLike;
  all(): Promise<{ results: Row[] }>;
}

// D1 stores booleans as 0/1 like SQLite; binding them explicitly keeps the rows the same everywhere.
const bindable = (params: Param[] = []) => params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p));

export class D1Driver implements Driver {
  readonly engine = 'd1' as const;
  readonly dialect = 'sqlite' as const;
  constructor(private readonly db: D1Like) {}

  async all(sql: string, params?: Param[]): Promise<Row[]> {
    return (await this.db.prepare(sql).bind(...bindable(params)).all()).results;
  }

  async batch(statements: Statement[]): Promise<RunResult[]> {
    if (statements.length === 0) return [];
    const results = await this.db.batch(statements.map((s) => this.db.prepare(s.sql).bind(...bindable(s.params))));
    return results.map((r) => ({ changes: r.meta.changes ?? 0 }));
  }

  async close() {
    // The binding belongs to the Worker; nothing to close.
  }
}

/** Migrates (once per isolate is enough; see migrate.ts) and answers the store. */
export async function openD1Store(db: D1Like): Promise<Store> {
  const driver = new D1Driver(db);
  await migrate(driver);
  return sqlStore(driver);
}
