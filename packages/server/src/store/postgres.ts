/**
 * The shared store: PostgreSQL through node-postgres, for sites where several API instances share
 * one database. A batch is one transaction on one connection (BEGIN, its statements, COMMIT) at
 * READ COMMITTED, retried whole on a deadlock; the statements that must wait for one another take
 * their row and advisory locks first (dialect.ts).
 *
 * Durability: every session runs `SET synchronous_commit = on`, so a COMMIT returns only once its
 * WAL is flushed (and, with synchronous replicas configured, confirmed by them): a comment
 * answered with 201 survives a crash of the API or of the database.
 */
import pg from 'pg';
import { StoreError, type Driver, type Param, type RunResult, type Statement } from './driver.js';
import { migrate } from './migrate.js';
import type { Row } from './rows.js';
import { sqlStore } from './sql-store.js';
import type { Store } from './store.js';

/** Key of the advisory lock that serializes migrations across instances (ASCII "taliqmig"). */
const MIGRATION_LOCK = 0x74616c69716d6967n;

const INT8 = 20;
/** BIGINT (and count(*)) as JS numbers: times are milliseconds and ids stay far below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 && format !== 'binary' ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Deadlocks and serialization failures are retried; the store's lock order makes them rare. */
const RETRYABLE = new Set(['40P01', '40001']);

const hasNul = (params: Param[] = []) => params.some((p) => typeof p === 'string' && p.includes('\u0000'));

/** `?` placeholders as PostgreSQL's `$1, $2, …` (the store's SQL has no `?` inside literals). */
const numbered = new Map<string, string>();
function toPg(sql: string): string {
  let out = numbered.get(sql);
  if (out === undefined) {
    let n = 0;
    out = sql.replace(/\?/g, () => `$${++n}`);
    if (numbered.size < 1000) numbered.set(sql, out);
  }
  return out;
}

export interface PostgresStoreOptions {
  /** A schema of its own (created when missing): tests, or several Taliq installs in one database. */
  schema?: string;
  /** Connections per instance (node-postgres default: 10). */
  max?: number;
}

export class PostgresDriver implements Driver {
  readonly engine = 'postgres' as const;
  readonly dialect = 'postgres' as const;
  constructor(readonly pool: pg.Pool) {}

  /**
   * PostgreSQL text cannot hold U+0000, so no stored value equals a string that contains one: a
   * read with such a parameter finds nothing (as SQLite would, where none was ever written).
   */
  async all(sql: string, params?: Param[]): Promise<Row[]> {
    if (hasNul(params)) return [];
    return (await this.pool.query(toPg(sql), params)).rows;
  }

  async batch(statements: Statement[]): Promise<RunResult[]> {
    if (statements.some((s) => hasNul(s.params))) throw new StoreError('invalid', 'Text with a NUL character (U+0000) cannot be stored');
    for (let attempt = 1; ; attempt++) {
      const c = await this.pool.connect();
      let broken: Error | undefined;
      try {
        await c.query('BEGIN');
        const results: RunResult[] = [];
        for (const s of statements) results.push({ changes: (await c.query(toPg(s.sql), s.params)).rowCount ?? 0 });
        await c.query('COMMIT');
        return results;
      } catch (e) {
        await c.query('ROLLBACK').catch((err: Error) => (broken = err));
        if (attempt < 4 && RETRYABLE.has((e as { code?: string }).code ?? '')) continue;
        throw e;
      } finally {
        // A connection that cannot even roll back is discarded, not returned to the pool.
        c.release(broken);
      }
    }
  }

  async close() {
    await this.pool.end();
  }
}

/** Migrations under a session advisory lock: an instance starting meanwhile waits, then finds them done. */
async function migrateLocked(pool: pg.Pool, driver: Driver, schema?: string) {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK.toString()]);
    try {
      if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
      await migrate(driver);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK.toString()]);
    }
  } finally {
    client.release();
  }
}

export async function openPostgresStore(url: string, opts: PostgresStoreOptions = {}): Promise<Store> {
  const pool = new pg.Pool({ connectionString: url, types, max: opts.max, application_name: 'taliq' } as pg.PoolConfig);
  // An idle connection that breaks (database restart, network) is dropped and replaced; it must
  // not take the process down.
  pool.on('error', (e) => console.error('taliq: PostgreSQL connection error:', e.message));
  const session = [
    // Acknowledged means durable, whatever the server's or the role's default.
    'SET synchronous_commit = on',
    ...(opts.schema ? [`SET search_path = ${quoteIdent(opts.schema)}`] : []),
  ].join('; ');
  // Queued on each new connection before the query that asked for it.
  pool.on('connect', (client) => {
    client.query(session).catch((e) => console.error('taliq: PostgreSQL session setup failed:', e.message));
  });
  const driver = new PostgresDriver(pool);
  try {
    await migrateLocked(pool, driver, opts.schema);
  } catch (e) {
    await pool.end().catch(() => {});
    throw e;
  }
  return sqlStore(driver);
}
