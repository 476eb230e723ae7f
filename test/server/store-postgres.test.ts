/**
 * The Store contract on PostgreSQL (DATABASE_URL): a fresh schema per case, dropped after; a
 * second pool on the schema is a second instance. Without DATABASE_URL it says so and skips.
 */
import { randomBytes } from 'node:crypto';
import { describe } from 'node:test';
import pg from 'pg';
import { openPostgresStore } from '../../packages/server/src/store/postgres.js';
import type { Store } from '../../packages/server/src/store/store.js';
import { closingOnce, storeContract } from './store.contract.js';

const url = process.env.DATABASE_URL;

if (!url) {
  const why = 'DATABASE_URL not set (e.g. postgres://postgres@127.0.0.1:5432/test)';
  console.log(`Store contract: PostgreSQL skipped — ${why}`);
  describe('Store contract: PostgreSQL', { skip: why }, () => {});
} else {
  storeContract('PostgreSQL', async () => {
    const schema = `taliq_contract_${randomBytes(6).toString('hex')}`;
    const open = async () => closingOnce(await openPostgresStore(url, { schema, max: 4 }));
    const stores: Store[] = [await open()];
    return {
      store: stores[0],
      another: async () => {
        const s = await open();
        stores.push(s);
        return s;
      },
      close: async () => {
        const admin = new pg.Client({ connectionString: url });
        try {
          for (const s of stores) await s.close();
        } finally {
          await admin.connect();
          await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).finally(() => admin.end());
        }
      },
    };
  });
}
