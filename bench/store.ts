/**
 * Store benchmark: `npm run bench:store` (`node --import tsx bench/store.ts`).
 *
 * Fills each engine with 1,000,000 approved comments over 10,000 threads (bench/store-fixture.ts:
 * one thread of 20,000 top-level comments and 2,000 replies, the rest spread over the others),
 * through the store's own schema (the store is opened first, so its migrations run) and then
 * with SQL that generates the rows inside the database, then measures through the real Store:
 *  - page 1 and page 500 of the largest thread (`listThread`, newest first, 20 per page, the
 *    cursor of page 499 for page 500), the median of BENCH_RUNS runs of each, interleaved. Keyset
 *    pagination: the deep page must cost no more than 1.2× the first;
 *  - durable posting: `insertComment` of approved comments on that thread from 50 concurrent
 *    callers for a few seconds (SQLite: WAL, synchronous=FULL, group commit; PostgreSQL:
 *    synchronous_commit=on; D1: each comment one batch, committed before it answers).
 *
 * Engines: SQLite (a temp file), PostgreSQL (a fresh schema of DATABASE_URL, dropped after), D1
 * on workerd through Miniflare (a temp persist folder, removed after). D1 is filled and measured
 * from inside workerd: bench/store-worker.ts, bundled with the real D1 store, does the work; the
 * bench times its answers (each repeated read inside one request, less one empty request's cost).
 *
 * Options (environment): BENCH_COMMENTS (default 1000000), BENCH_THREADS (10000), BENCH_LARGEST
 * (top-level comments of the largest thread, 20000), BENCH_ENGINES (sqlite,postgres,d1),
 * BENCH_RUNS (21), BENCH_POST_SECONDS (3), BENCH_IN_FLIGHT (50), DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/test).
 * Prints a table, PASS/FAIL for the 1.2× rule per engine, writes bench/reports/store.json and
 * store.md, exits 1 when a rule fails.
 */
import Database from 'better-sqlite3';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import pg from 'pg';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SETTINGS } from '../packages/shared/src/index.js';
import { openPostgresStore } from '../packages/server/src/store/postgres.js';
import { openSqliteStore } from '../packages/server/src/store/sqlite.js';
import type { Cursor, Store } from '../packages/server/src/store/store.js';
import { newComment, PAGE, pgComments, pgThreads, shape, SITE, sqliteComments, sqliteThreads, type Shape } from './store-fixture.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const COMMENTS = Number(process.env.BENCH_COMMENTS ?? 1_000_000);
const SHAPE = shape(COMMENTS, Number(process.env.BENCH_THREADS ?? 10_000), Number(process.env.BENCH_LARGEST ?? 20_000));
const ENGINES = (process.env.BENCH_ENGINES ?? 'sqlite,postgres,d1').split(',').map((s) => s.trim()).filter(Boolean);
const RUNS = Number(process.env.BENCH_RUNS ?? 21);
const POST_SECONDS = Number(process.env.BENCH_POST_SECONDS ?? 3);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 50);
const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const DEEP = 500;
const RULE = 1.2;
/** Reads repeated inside one request to the Worker, so that the request's own cost is spread. */
const D1_REPEAT = 10;
const MiB = 1024 * 1024;

const SITE_ROW = { sql: 'INSERT INTO sites (id, settings, created_at) VALUES (?, ?, ?)', params: [SITE, JSON.stringify(DEFAULT_SETTINGS), 0] };

interface Engine {
  name: string;
  /** Fills the migrated, empty store; answers how long it took. */
  fill(shape: Shape, progress: (done: number) => void): Promise<void>;
  /** Rows of a read (counts). */
  all(sql: string): Promise<Record<string, unknown>[]>;
  /** The cursor of page `page` (null for 1). */
  cursorOf(page: number): Promise<Cursor | null>;
  /** ms for one listThread of the page after `cursor`, and the rows it answered. */
  list(cursor: Cursor | null): Promise<{ ms: number; rows: number }>;
  /** Comments stored by insertComment from IN_FLIGHT concurrent callers in about POST_SECONDS. */
  post(prefix: string): Promise<number>;
  close(): Promise<void>;
}

const ms = (since: number) => performance.now() - since;

async function listThenTime(store: Store, cursor: Cursor | null) {
  const t = performance.now();
  const page = await store.listThread(1, 'newest', PAGE, cursor);
  return { ms: ms(t), rows: page.top.length + page.replies.length };
}

async function walk(store: Store, page: number) {
  let cursor: Cursor | null = null;
  for (let p = 1; p < page; p++) cursor = (await store.listThread(1, 'newest', PAGE, cursor)).next;
  return cursor;
}

async function postFrom(store: Store, prefix: string) {
  const until = performance.now() + POST_SECONDS * 1000;
  let n = 0;
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
    while (performance.now() < until) await store.insertComment(newComment(prefix, n++, Date.now()));
  }));
  return n;
}

async function sqliteEngine(): Promise<Engine> {
  const dir = mkdtempSync(join(tmpdir(), 'taliq-bench-store-'));
  const file = join(dir, 'taliq.db');
  await (await openSqliteStore(file)).close(); // migrations
  let store: Store | undefined;
  return {
    name: 'SQLite',
    async fill(s, progress) {
      // The fixture goes in through a connection of its own, without syncing every chunk.
      const db = new Database(file);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = OFF');
      db.prepare(SITE_ROW.sql).run(...SITE_ROW.params);
      db.exec(sqliteThreads(s));
      const insert = db.prepare(sqliteComments(s));
      const CHUNK = 100_000;
      for (let from = 1; from <= s.comments; from += CHUNK) {
        db.transaction(() => insert.run(from, Math.min(from + CHUNK - 1, s.comments)))();
        progress(Math.min(from + CHUNK - 1, s.comments));
      }
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
      store = await openSqliteStore(file);
    },
    async all(sql) {
      const db = new Database(file, { readonly: true });
      try {
        return db.prepare(sql).all() as Record<string, unknown>[];
      } finally {
        db.close();
      }
    },
    cursorOf: (page) => walk(store!, page),
    list: (cursor) => listThenTime(store!, cursor),
    post: (prefix) => postFrom(store!, prefix),
    async close() {
      await store?.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function postgresEngine(): Promise<Engine> {
  const schema = `taliq_bench_${process.pid}_${Date.now()}`;
  const store = await openPostgresStore(DATABASE_URL, { schema });
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  await client.query(`SET search_path = "${schema}"`);
  return {
    name: 'PostgreSQL',
    async fill(s, progress) {
      await client.query('INSERT INTO sites (id, settings, created_at) VALUES ($1, $2, $3)', SITE_ROW.params);
      await client.query(pgThreads(s));
      // Not durable while loading (the fixture, not the product): the posting run below is.
      await client.query('SET synchronous_commit = off');
      const CHUNK = 100_000;
      for (let from = 1; from <= s.comments; from += CHUNK) {
        await client.query(pgComments(s), [from, Math.min(from + CHUNK - 1, s.comments)]);
        progress(Math.min(from + CHUNK - 1, s.comments));
      }
      await client.query('SET synchronous_commit = on');
      // Statistics, as autovacuum would gather them on a live database after such growth.
      await client.query('ANALYZE');
    },
    all: async (sql) => (await client.query(sql)).rows,
    cursorOf: (page) => walk(store, page),
    list: (cursor) => listThenTime(store, cursor),
    post: (prefix) => postFrom(store, prefix),
    async close() {
      await store.close();
      await client.query(`DROP SCHEMA "${schema}" CASCADE`);
      await client.end();
    },
  };
}

async function d1Engine(): Promise<Engine> {
  const dir = mkdtempSync(join(tmpdir(), 'taliq-bench-d1-'));
  const bundle = await build({ entryPoints: [join(ROOT, 'bench/store-worker.ts')], bundle: true, format: 'esm', platform: 'neutral', target: 'es2022', write: false, logLevel: 'error' });
  const mf = new Miniflare({ modules: true, script: bundle.outputFiles[0].text, d1Databases: ['DB'], d1Persist: dir, compatibilityDate: '2025-06-01' });
  await mf.ready;
  const call = async <T>(path: string, body: object): Promise<T> => {
    const res = await mf.dispatchFetch(`http://bench${path}`, { method: 'POST', body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`D1 worker ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  await call('/all', { sql: 'SELECT 1' }); // opens the store: migrations
  let overhead = 0;
  return {
    name: 'D1 (workerd, Miniflare)',
    async fill(s, progress) {
      await call('/exec', SITE_ROW);
      await call('/exec', { sql: sqliteThreads(s) });
      const CHUNK = 50_000;
      for (let from = 1; from <= s.comments; from += CHUNK) {
        await call('/exec', { sql: sqliteComments(s), params: [from, Math.min(from + CHUNK - 1, s.comments)] });
        progress(Math.min(from + CHUNK - 1, s.comments));
      }
      // What one request to the Worker costs by itself, taken off every timed read.
      const empty: number[] = [];
      for (let i = 0; i < 15; i++) {
        const t = performance.now();
        await call('/list', { threadId: 1, cursor: null, times: 0 });
        empty.push(ms(t));
      }
      overhead = median(empty);
    },
    all: (sql) => call('/all', { sql }),
    cursorOf: async (page) => (await call<{ cursor: Cursor | null }>('/walk', { threadId: 1, page })).cursor,
    async list(cursor) {
      const t = performance.now();
      const { rows } = await call<{ rows: number }>('/list', { threadId: 1, cursor, times: D1_REPEAT });
      return { ms: Math.max(0, ms(t) - overhead) / D1_REPEAT, rows };
    },
    post: async (prefix) => (await call<{ done: number }>('/post', { prefix, from: 0, seconds: POST_SECONDS, inFlight: IN_FLIGHT })).done,
    async close() {
      await mf.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

interface Result {
  engine: string;
  fillSeconds: number;
  comments: number;
  threads: number;
  largestTopLevel: number;
  page1Ms: number;
  deepPageMs: number;
  ratio: number;
  rowsPage1: number;
  rowsDeep: number;
  postsPerSecond: number;
  posted: number;
  pass: boolean;
}

async function measure(open: () => Promise<Engine>): Promise<Result> {
  const e = await open();
  try {
    const t0 = performance.now();
    let last = 0;
    await e.fill(SHAPE, (done) => {
      if (done - last >= SHAPE.comments / 10 || done === SHAPE.comments) {
        process.stdout.write(`  ${e.name}: ${done.toLocaleString('en')} comments, ${(ms(t0) / 1000).toFixed(0)} s\r`);
        last = done;
      }
    });
    const fillSeconds = ms(t0) / 1000;
    process.stdout.write('\n');
    const [counts] = await e.all(`SELECT (SELECT count(*) FROM comments) AS comments, (SELECT count(*) FROM threads) AS threads,
      (SELECT count(*) FROM comments WHERE thread_id = 1 AND parent_id IS NULL) AS top`);
    const deep = await e.cursorOf(DEEP);
    if (!deep) throw new Error(`${e.name}: the largest thread has fewer than ${DEEP} pages`);
    // Warm-up, then page 1 and page 500 in turn.
    for (let i = 0; i < 3; i++) await e.list(null), await e.list(deep);
    const first: number[] = [];
    const deepest: number[] = [];
    let rowsPage1 = 0;
    let rowsDeep = 0;
    for (let i = 0; i < RUNS; i++) {
      const a = await e.list(null);
      const b = await e.list(deep);
      first.push(a.ms);
      deepest.push(b.ms);
      rowsPage1 = a.rows;
      rowsDeep = b.rows;
    }
    const prefix = `p${Date.now().toString(36)}-`;
    const t1 = performance.now();
    await e.post(prefix);
    const postSeconds = ms(t1) / 1000;
    const [stored] = await e.all(`SELECT count(*) AS n, count(DISTINCT id) AS ids FROM comments WHERE id LIKE '${prefix}%'`);
    if (Number(stored.n) !== Number(stored.ids)) throw new Error(`${e.name}: duplicate ids stored`);
    const page1Ms = median(first);
    const deepPageMs = median(deepest);
    const ratio = deepPageMs / page1Ms;
    const r: Result = {
      engine: e.name,
      fillSeconds: Number(fillSeconds.toFixed(1)),
      comments: Number(counts.comments),
      threads: Number(counts.threads),
      largestTopLevel: Number(counts.top),
      page1Ms: Number(page1Ms.toFixed(3)),
      deepPageMs: Number(deepPageMs.toFixed(3)),
      ratio: Number(ratio.toFixed(2)),
      rowsPage1,
      rowsDeep,
      posted: Number(stored.n),
      postsPerSecond: Math.round(Number(stored.n) / postSeconds),
      pass: ratio <= RULE,
    };
    console.log(`  ${r.engine}: filled in ${r.fillSeconds} s; page 1 ${r.page1Ms} ms, page ${DEEP} ${r.deepPageMs} ms (${r.ratio}×); ${r.postsPerSecond} durable comments/s (${r.posted} stored, ${IN_FLIGHT} in flight)`);
    return r;
  } finally {
    await e.close();
  }
}

async function main() {
  const engines: Record<string, () => Promise<Engine>> = { sqlite: sqliteEngine, postgres: postgresEngine, d1: d1Engine };
  const unknown = ENGINES.filter((n) => !engines[n]);
  if (unknown.length) throw new Error(`BENCH_ENGINES: unknown ${unknown.join(', ')} (sqlite, postgres, d1)`);
  console.log(`Taliq store benchmark: ${SHAPE.comments.toLocaleString('en')} comments over ${SHAPE.threads.toLocaleString('en')} threads (the largest: ${SHAPE.big.toLocaleString('en')} rows); median of ${RUNS} runs; posting ${POST_SECONDS} s with ${IN_FLIGHT} in flight; ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}\n`);
  const results: Result[] = [];
  for (const name of ENGINES) results.push(await measure(engines[name]));

  const pad = (s: string | number, n: number) => String(s).padStart(n);
  console.log(`\n${'engine'.padEnd(26)}${pad('fill s', 8)}${pad('page 1 ms', 11)}${pad(`page ${DEEP} ms`, 13)}${pad('ratio', 7)}${pad('posts/s', 9)}`);
  for (const r of results) console.log(`${r.engine.padEnd(26)}${pad(r.fillSeconds, 8)}${pad(r.page1Ms, 11)}${pad(r.deepPageMs, 13)}${pad(r.ratio + '×', 7)}${pad(r.postsPerSecond, 9)}`);
  console.log('');
  for (const r of results) console.log(`${r.pass ? 'PASS' : 'FAIL'}  ${r.engine}: page ${DEEP} within ${RULE}× page 1: ${r.ratio}× (${r.deepPageMs} / ${r.page1Ms} ms)`);
  const pass = results.every((r) => r.pass);
  console.log(pass ? 'PASS' : 'FAIL');

  const report = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? null, memoryMiB: Math.round(totalmem() / MiB), node: process.version, platform: process.platform },
    settings: { ...SHAPE, largestTopLevel: results[0]?.largestTopLevel, runs: RUNS, pageSize: PAGE, deepPage: DEEP, postSeconds: POST_SECONDS, inFlight: IN_FLIGHT },
    results,
    rule: `page ${DEEP} ≤ ${RULE}× page 1`,
    pass,
  };
  mkdirSync(join(ROOT, 'bench/reports'), { recursive: true });
  writeFileSync(join(ROOT, 'bench/reports/store.json'), JSON.stringify(report, null, 2) + '\n');
  writeFileSync(join(ROOT, 'bench/reports/store.md'), [
    `# Store benchmark — ${pass ? 'PASS' : 'FAIL'}`,
    '',
    `${report.date}; ${report.machine.cpus} × ${report.machine.model}, Node ${report.machine.node}. ${SHAPE.comments.toLocaleString('en')} comments over ${SHAPE.threads.toLocaleString('en')} threads; the largest thread has ${results[0]?.largestTopLevel?.toLocaleString('en')} top-level comments. Pages of ${PAGE}, newest first, through Store.listThread; median of ${RUNS} runs. Posting: Store.insertComment, ${IN_FLIGHT} in flight, ${POST_SECONDS} s, durable commits.`,
    '',
    `| engine | fill s | page 1 ms | page ${DEEP} ms | ratio | durable posts/s |`,
    '|---|---:|---:|---:|---:|---:|',
    ...results.map((r) => `| ${r.engine} | ${r.fillSeconds} | ${r.page1Ms} | ${r.deepPageMs} | ${r.ratio}× ${r.pass ? 'PASS' : 'FAIL'} | ${r.postsPerSecond} |`),
    '',
    'Run it with `npm run bench:store`.',
    '',
  ].join('\n'));
  console.log('\nWrote bench/reports/store.json and bench/reports/store.md');
  process.exitCode = pass ? 0 : 1;
}

await main();
