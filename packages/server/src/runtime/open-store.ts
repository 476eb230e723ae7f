/** Picks the store from the options: SQLite by default, PostgreSQL for a postgres:// URL. */
import { openSqliteStore } from '../store/sqlite.js';
import type { Store } from '../store/store.js';

export const DEFAULT_DB = './data/taliq.db';

export async function openStore(opts: { db?: string; databaseUrl?: string }): Promise<Store> {
  if (opts.databaseUrl) {
    throw new Error('PostgreSQL storage is not available yet in this version; use the SQLite store (--db PATH)');
  }
  return openSqliteStore(opts.db ?? DEFAULT_DB);
}
