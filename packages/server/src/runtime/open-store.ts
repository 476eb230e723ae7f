/** Picks the store from the options: SQLite by default, PostgreSQL for a postgres:// URL. */
import { openSqliteStore } from '../store/sqlite.js';
import type { Store } from '../store/store.js';

export const DEFAULT_DB = './data/taliq.db';

export async function openStore(opts: { db?: string; databaseUrl?: string }): Promise<Store> {
  if (opts.databaseUrl) {
    if (!/^postgres(ql)?:\/\//i.test(opts.databaseUrl)) {
      throw new Error('--database-url (DATABASE_URL) must be a postgres:// or postgresql:// URL');
    }
    // Loaded only when asked for: a SQLite install does not pay pg's memory.
    const { openPostgresStore } = await import('../store/postgres.js');
    return openPostgresStore(opts.databaseUrl);
  }
  return openSqliteStore(opts.db ?? DEFAULT_DB);
}
