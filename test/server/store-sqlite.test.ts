/** The Store contract on SQLite: a fresh file per case; a second store on it is a second instance. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../packages/server/src/store/sqlite.js';
import type { Store } from '../../packages/server/src/store/store.js';
import { closingOnce, storeContract } from './store.contract.js';

storeContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'taliq-contract-'));
  const path = join(dir, 'taliq.db');
  const stores: Store[] = [closingOnce(await openSqliteStore(path))];
  return {
    store: stores[0],
    another: async () => {
      const s = closingOnce(await openSqliteStore(path));
      stores.push(s);
      return s;
    },
    close: async () => {
      try {
        for (const s of stores) await s.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
});
