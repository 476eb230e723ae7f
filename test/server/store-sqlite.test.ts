/** The Store contract on SQLite: a fresh file per case; a second store on it is a second instance. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { openSqliteStore, SqliteDriver } from '../../packages/server/src/store/sqlite.js';
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

// ---- the driver's group commit ----------------------------------------------------------------


test('a batch whose error ends the whole transaction (disk full, I/O error, RAISE(ROLLBACK)) fails its group cleanly, and the driver goes on', async () => {
  const db = new Database(':memory:');
  db.exec(`CREATE TABLE t (v TEXT);
           CREATE TRIGGER gone BEFORE INSERT ON t WHEN NEW.v = 'gone' BEGIN SELECT RAISE(ROLLBACK, 'the transaction is gone'); END;`);
  const driver = new SqliteDriver(db);
  const uncaught: unknown[] = [];
  const onUncaught = (e: unknown) => uncaught.push(e);
  // node:test's own handler would report it as this test's failure too; this one says what it was.
  process.prependListener('uncaughtException', onUncaught);
  try {
    const insert = (v: string) => driver.batch([{ sql: 'INSERT INTO t VALUES (?)', params: [v] }]);
    const timeout = new Promise<'unanswered'>((res) => setTimeout(() => res('unanswered'), 1000).unref());
    // Three batches in one group: the middle one takes the first one's work down with it.
    const outcomes = await Promise.all([insert('a'), insert('gone'), insert('c')].map((p) =>
      Promise.race([p.then(() => 'stored', (e: Error) => `refused: ${e.message}`), timeout])));
    assert.deepEqual(uncaught.map((e) => (e as Error).message), [], 'nothing thrown out of the flush');
    assert.deepEqual(outcomes, ['refused: the transaction is gone', 'refused: the transaction is gone', 'refused: the transaction is gone'],
      'no batch is answered as stored when its transaction was rolled back');
    assert.deepEqual(db.prepare('SELECT v FROM t').all(), []);
    assert.equal(db.inTransaction, false);
    // The next group commits as usual.
    await insert('d');
    assert.deepEqual(db.prepare('SELECT v FROM t').all(), [{ v: 'd' }]);
  } finally {
    process.removeListener('uncaughtException', onUncaught);
    await driver.close();
  }
});
