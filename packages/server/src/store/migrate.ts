/**
 * Applies the versioned schema (migrations.ts) on any engine, at start, safely with several
 * instances starting at once: each migration is one atomic batch that first records its version,
 * so of two instances racing on one version the second fails on that record, rolls back whole, and
 * finds the work done. A crash mid-migration leaves the database at the previous version.
 *
 * On D1 the record is kept in wrangler's own `d1_migrations` table (by file name), so a database
 * migrated by `wrangler d1 migrations apply` and one migrated by the Worker at start agree.
 */
import type { Driver, Statement } from './driver.js';
import { migrations, type Migration } from './migrations.js';

interface Ledger {
  create: string;
  applied: string;
  record(m: Migration, version: number): Statement;
  key(row: Record<string, unknown>): string;
}

const VERSIONS: Ledger = {
  create: 'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)',
  applied: 'SELECT version FROM schema_migrations',
  record: (_m, version) => ({ sql: 'INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', params: [version, Date.now()] }),
  key: (r) => String(r.version),
};

// The table wrangler creates, with the same columns, so either tool can come first.
const WRANGLER: Ledger = {
  create: `CREATE TABLE IF NOT EXISTS d1_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE,
             applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)`,
  applied: 'SELECT name FROM d1_migrations',
  record: (m) => ({ sql: 'INSERT INTO d1_migrations (name) VALUES (?)', params: [migrationFile(m)] }),
  key: (r) => String(r.name),
};

export const migrationFile = (m: Migration) => `${m.name}.sql`;

/** One statement each (D1 and better-sqlite3 prepare one at a time); `--` comments dropped. */
export function splitStatements(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.replace(/--.*$/, ''))
    .join('\n')
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export async function migrate(driver: Driver): Promise<void> {
  const ledger = driver.engine === 'd1' ? WRANGLER : VERSIONS;
  await driver.batch([{ sql: ledger.create }]);
  const applied = async () => new Set((await driver.all(ledger.applied)).map(ledger.key));
  let done = await applied();
  for (const [i, m] of migrations.entries()) {
    const version = i + 1;
    const key = driver.engine === 'd1' ? migrationFile(m) : String(version);
    if (done.has(key)) continue;
    const text = driver.dialect === 'postgres' ? m.postgres : driver.engine === 'd1' ? (m.d1 ?? m.sqlite) : m.sqlite;
    try {
      await driver.batch([ledger.record(m, version), ...splitStatements(text).map((sql) => ({ sql }))]);
    } catch (e) {
      // Another instance applied it first: its record made ours fail.
      done = await applied();
      if (!done.has(key)) throw e;
    }
  }
}
