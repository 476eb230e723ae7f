/**
 * The Store contract on Cloudflare D1, for real: workerd through Miniflare, its local D1 (see
 * test/support/d1.ts). Each case gets a database of its own; a second store over the same
 * database is a second instance, its calls issued concurrently with the first's.
 */
import { after } from 'node:test';
import { openD1Store } from '../../packages/server/src/store/d1.js';
import type { Store } from '../../packages/server/src/store/store.js';
import { d1Databases } from '../support/d1.js';
import { closingOnce, storeContract } from './store.contract.js';

const databases = d1Databases(64);
after(() => databases.dispose());

storeContract('D1', async () => {
  const db = await databases.next();
  const stores: Store[] = [closingOnce(await openD1Store(db))];
  return {
    store: stores[0],
    another: async () => {
      const s = closingOnce(await openD1Store(db));
      stores.push(s);
      return s;
    },
    close: async () => {
      for (const s of stores) await s.close();
    },
  };
});
