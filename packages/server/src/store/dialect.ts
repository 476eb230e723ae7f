/**
 * Where SQLite (and D1) and PostgreSQL spell a thing differently, the store asks here. Everything
 * else in sql-store.ts is SQL both engines read the same way.
 *
 * The `lock…` entries exist for PostgreSQL only. SQLite and D1 run one write batch at a time, so a
 * batch's reads see every earlier batch. PostgreSQL runs batches side by side at READ COMMITTED,
 * where a statement sees what was committed when *it* began: a batch that first locks the rows it
 * is about to count or compare waits for any other batch holding them, and its later statements
 * then see that batch's work.
 */
import type { Dialect } from './driver.js';

export interface DialectSql {
  /** `IN (…)` over a JSON array of strings bound as one parameter. */
  inJson: string;
  /** `column = ?`, ignoring the case of ASCII letters (as SQLite's NOCASE does). */
  nocaseEq(column: string): string;
  /** The codes of a `reasons` JSON column, as a JSON array of strings. */
  reasonCodes(column: string): string;
  /** `reasons` without any `reports` entry, plus one whose detail is the `reports` column. */
  reasonsWithReports: string;
  /** A column that orders rows by insertion, for ties. */
  insertionOrder: string;
  /** Locks the comments a WHERE clause picks, in id order; null where writes are serialized anyway. */
  lockComments(where: string): string | null;
  /**
   * Takes the event-log lock of each thread a SELECT of thread ids names, in ascending order.
   * Event ids come from one sequence: without the lock, a batch could take id 10, another 11 and
   * commit first, and a stream that had read 11 would never see 10.
   */
  lockThreads(threadIds: string): string | null;
}

/** First half of the two-key advisory lock taken per thread before logging an event (ASCII "tlqe"). */
const EVENT_LOCK = 0x746c7165;

const sqlite: DialectSql = {
  inJson: 'IN (SELECT value FROM json_each(?))',
  nocaseEq: (column) => `${column} = ? COLLATE NOCASE`,
  reasonCodes: (column) => `(SELECT json_group_array(json_extract(value, '$.code')) FROM json_each(${column}))`,
  reasonsWithReports: `json_insert(
      (SELECT json_group_array(json(value)) FROM json_each(reasons) WHERE json_extract(value, '$.code') != 'reports'),
      '$[#]', json_object('code', 'reports', 'detail', CAST(reports AS TEXT)))`,
  insertionOrder: 'rowid',
  lockComments: () => null,
  lockThreads: () => null,
};

const AZ = `'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'`;

const postgres: DialectSql = {
  inJson: 'IN (SELECT json_array_elements_text(?::json))',
  nocaseEq: (column) => `translate(${column}, ${AZ}) = translate(?, ${AZ})`,
  reasonCodes: (column) => `(SELECT coalesce(json_agg(e->>'code'), '[]'::json)::text FROM jsonb_array_elements(${column}::jsonb) e)`,
  reasonsWithReports: `((SELECT coalesce(jsonb_agg(e), '[]'::jsonb) FROM jsonb_array_elements(reasons::jsonb) e WHERE e->>'code' <> 'reports')
      || jsonb_build_array(jsonb_build_object('code', 'reports', 'detail', reports::text)))::text`,
  insertionOrder: 'seq',
  lockComments: (where) => `SELECT 1 FROM comments WHERE ${where} ORDER BY id FOR NO KEY UPDATE`,
  lockThreads: (threadIds) =>
    `SELECT pg_advisory_xact_lock(${EVENT_LOCK}, (t.id % 2147483647)::int) FROM (SELECT DISTINCT id FROM (${threadIds}) s(id)) t ORDER BY t.id`,
};

export const dialects: Record<Dialect, DialectSql> = { sqlite, postgres };
