#!/usr/bin/env node
/**
 * `npm run test:server:pg`: the server suite again, on PostgreSQL (TALIQ_TEST_STORE=postgres),
 * when DATABASE_URL names a database; without one it says so and passes, so `npm test` passes on
 * a machine without PostgreSQL. CI sets DATABASE_URL, so there the run is never skipped.
 * Each test gets a fresh schema of that database and drops it after.
 * The store contract runners (store-*.test.ts) are left out: each picks its own engine, and
 * store-postgres.test.ts runs on DATABASE_URL in `npm run test:server` already.
 *   node test/support/pg-or-skip.mjs                      every test/server/*.test.ts
 *   node test/support/pg-or-skip.mjs test/server/x.test.ts  some of them
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

if (!process.env.DATABASE_URL) {
  console.log('PostgreSQL: DATABASE_URL not set — skipped the PostgreSQL run of the server suite');
  process.exit(0);
}

const root = fileURLToPath(new URL('../../', import.meta.url));
// Node 20's test runner does not expand globs itself.
const files = process.argv.length > 2
  ? process.argv.slice(2)
  : readdirSync(new URL('../server/', import.meta.url)).filter((f) => f.endsWith('.test.ts') && !f.startsWith('store-')).sort().map((f) => `test/server/${f}`);

console.log(`PostgreSQL: the server suite on ${process.env.DATABASE_URL.replace(/\/\/[^@/]*@/, '//…@')}`);
const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, TALIQ_TEST_STORE: 'postgres' },
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
