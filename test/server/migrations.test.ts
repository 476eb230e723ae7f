/**
 * One migration list for every engine: the wrangler files are in step with it, a D1 database
 * migrated by wrangler's files is taken as migrated by the Worker (and the reverse), and racing
 * instances apply each migration once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { Miniflare } from 'miniflare';
import { d1MigrationFiles } from '../../packages/server/src/store/d1-migration-files.js';
import { migrations } from '../../packages/server/src/store/migrations.js';
import { migrationFile, splitStatements } from '../../packages/server/src/store/migrate.js';
import { openD1Store, type D1Like } from '../../packages/server/src/store/d1.js';
import { DEFAULT_SETTINGS } from '../../packages/shared/src/index.js';

const DIR = new URL('../../packages/server/migrations/', import.meta.url);
const WORKER = 'export default { fetch() { return new Response("") } }';

test('the wrangler migration files are the migration list, file for file', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.sql')).sort();
  assert.deepEqual(files, migrations.map(migrationFile), 'run npm run migrations:d1');
  for (const f of d1MigrationFiles()) assert.equal(readFileSync(new URL(f.file, DIR), 'utf8'), f.sql, `${f.file} is stale: run npm run migrations:d1`);
});

async function withD1(fn: (db: D1Like) => Promise<void>) {
  const mf = new Miniflare({ modules: true, script: WORKER, d1Databases: ['DB'] });
  try {
    await fn((await mf.getD1Database('DB')) as unknown as D1Like);
  } finally {
    await mf.dispose();
  }
}

test('D1: a database migrated with wrangler’s files (d1_migrations) is taken as migrated, and stays usable', async () => {
  await withD1(async (db) => {
    // What `wrangler d1 migrations apply` does: its ledger table, then each file with its name.
    await db.prepare('CREATE TABLE d1_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)').all();
    for (const f of d1MigrationFiles()) {
      await db.batch([...splitStatements(f.sql).map((s) => db.prepare(s)), db.prepare('INSERT INTO d1_migrations (name) VALUES (?)').bind(f.file)]);
    }
    const store = await openD1Store(db);
    await store.createSite('akhbar', { ...DEFAULT_SETTINGS, origins: ['https://akhbar.example.ma'] });
    assert.equal((await store.listSites()).length, 1);
    const names = (await db.prepare('SELECT name FROM d1_migrations ORDER BY id').all()).results.map((r) => r.name);
    assert.deepEqual(names, migrations.map(migrationFile), 'nothing applied twice');
  });
});

test('D1: isolates starting at once migrate once, and wrangler then finds nothing to apply', async () => {
  await withD1(async (db) => {
    const stores = await Promise.all(Array.from({ length: 4 }, () => openD1Store(db)));
    const names = (await db.prepare('SELECT name FROM d1_migrations ORDER BY id').all()).results.map((r) => r.name);
    assert.deepEqual(names, migrations.map(migrationFile));
    await stores[0].createSite('s', DEFAULT_SETTINGS);
    assert.equal((await stores[3].getSite('s'))?.id, 's');
  });
});
