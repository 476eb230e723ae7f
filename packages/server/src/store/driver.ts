/**
 * What the one SQL store (sql-store.ts) needs of an engine: run a read, and apply a list of
 * statements atomically. The store says *what*; a driver only says *how to run SQL here*:
 * better-sqlite3 (sqlite.ts), node-postgres (postgres.ts) or a D1 binding (d1.ts).
 *
 * No driver offers an interactive transaction (read, decide in JS, write, commit), because D1 has
 * none: every write is one statement or one batch whose statements were fixed before it started.
 * Placeholders are `?`; the PostgreSQL driver numbers them.
 */
import type { Row } from './rows.js';

export type Param = string | number | boolean | null;

export interface Statement {
  sql: string;
  params?: Param[];
}

export interface RunResult {
  /** Rows inserted, updated or deleted by the statement. */
  changes: number;
}

/** The SQL spoken: D1 is SQLite behind a network hop. */
export type Dialect = 'sqlite' | 'postgres';

export interface Driver {
  readonly engine: 'sqlite' | 'postgres' | 'd1';
  readonly dialect: Dialect;
  /** Rows of one read statement. */
  all(sql: string, params?: Param[]): Promise<Row[]>;
  /** Statements applied in order, all or none: one transaction, or D1's batch(). */
  batch(statements: Statement[]): Promise<RunResult[]>;
  close(): Promise<void>;
}

/** A store error: the layer above decides what status a client sees (errors.ts). */
export class StoreError extends Error {
  constructor(readonly kind: 'conflict' | 'not_found' | 'invalid', message: string) {
    super(message);
  }
}

export const sql = (text: string, ...params: Param[]): Statement => ({ sql: text, params });
