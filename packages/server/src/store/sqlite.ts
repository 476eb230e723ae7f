/**
 * The embedded store: one SQLite file through better-sqlite3, in WAL mode with synchronous=FULL,
 * so that a comment acknowledged with 201 survives a crash or a power loss.
 *
 * Group commit: write batches that arrive while the event loop is busy are applied together in
 * one transaction and one flush to disk, each inside its own savepoint (a batch that fails is
 * rolled back alone), and each caller is answered only after that shared COMMIT has returned.
 * Fifty posts arriving at once cost one fsync, not fifty.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Driver, Param, RunResult, Statement } from './driver.js';
import { migrate } from './migrate.js';
import type { Row } from './rows.js';
import { sqlStore } from './sql-store.js';
import type { Store } from './store.js';

// better-sqlite3 binds numbers, strings and null; SQLite keeps booleans as 0 and 1 anyway.
const bindable = (params: Param[] = []) => params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p));

/** How long a commit waits for more batches while writes are arriving together. */
const GATHER_MS = 1;

interface Pending {
  statements: Statement[];
  resolve(results: RunResult[]): void;
  reject(error: unknown): void;
}

export class SqliteDriver implements Driver {
  readonly engine = 'sqlite' as const;
  readonly dialect = 'sqlite' as const;
  private readonly statements = new Map<string, Database.Statement>();
  private queue: Pending[] = [];
  private flushing = false;
  /** Batches in the last commit. */
  private lastGroup = 0;

  constructor(readonly db: Database.Database) {}

  /** Prepared once, reused: preparing is most of the cost of a small query. */
  private prepare(sql: string) {
    let s = this.statements.get(sql);
    if (!s) this.statements.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  async all(sql: string, params?: Param[]): Promise<Row[]> {
    return this.prepare(sql).all(...bindable(params)) as Row[];
  }

  batch(statements: Statement[]): Promise<RunResult[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ statements, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        // After the I/O callbacks of this turn: every request that reached its write by then
        // joins. Under load (the last commit was shared) one more millisecond gathers the requests
        // still on their way, so each fsync carries more comments; a lone write waits for nothing.
        if (this.lastGroup > 1) setTimeout(() => this.flush(), GATHER_MS);
        else setImmediate(() => this.flush());
      }
    });
  }

  private flush() {
    this.flushing = false;
    const group = this.queue;
    this.queue = [];
    this.lastGroup = group.length;
    if (group.length === 0) return;
    const outcomes: ({ ok: true; results: RunResult[] } | { ok: false; error: unknown })[] = [];
    // Prepared like every other statement: exec() would parse these again for each batch.
    const run = (sql: string) => this.prepare(sql).run();
    try {
      run('BEGIN IMMEDIATE');
    } catch (error) {
      for (const p of group) p.reject(error);
      return;
    }
    try {
      for (const p of group) {
        run('SAVEPOINT batch');
        try {
          const results = p.statements.map((s) => ({ changes: this.prepare(s.sql).run(...bindable(s.params)).changes }));
          run('RELEASE batch');
          outcomes.push({ ok: true, results });
        } catch (error) {
          // Some errors (disk full, I/O, RAISE(ROLLBACK)) end the whole transaction, savepoints and
          // the batches before this one included: then every batch of the group has failed.
          if (!this.db.inTransaction) throw error;
          run('ROLLBACK TO batch');
          run('RELEASE batch');
          outcomes.push({ ok: false, error });
        }
      }
      run('COMMIT');
    } catch (error) {
      // Thrown here, in setImmediate, it would kill the process and leave every caller waiting.
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      for (const p of group) p.reject(error);
      return;
    }
    group.forEach((p, i) => {
      const o = outcomes[i];
      if (o.ok) p.resolve(o.results);
      else p.reject(o.error);
    });
  }

  async close() {
    // Writes already queued are applied before the file is closed.
    if (this.queue.length) this.flush();
    this.db.close();
  }
}

export async function openSqliteStore(path: string): Promise<Store> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // FULL: the WAL is synced on every commit, so an acknowledged comment survives power loss.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  const driver = new SqliteDriver(db);
  await migrate(driver);
  return sqlStore(driver);
}
