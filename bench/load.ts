/**
 * Load benchmark: `npm run bench:load` (builds, then `node --import tsx bench/load.ts`).
 *
 * Measures, on this machine, in one run, with autocannon (client and servers share the machine,
 * so only ratios within one run mean much):
 *  - the ceiling: a bare Hono app (@hono/node-server, one GET route answering 2 KB of JSON cut
 *    from the Taliq listing) in its own process; the same process also answers the listing's
 *    whole page, for scale (not a budget);
 *  - Taliq listing: the real `taliq serve` process on a SQLite file, the first page of a
 *    200-comment thread, exactly as the widget asks for it (limit=20, Origin of the site);
 *  - Taliq posting: durable new comments (SQLite WAL, synchronous=FULL, group commit: a 201 is
 *    sent only after the COMMIT holding the comment has been flushed), each from its own reader
 *    (Taliq-Reader) with its own body, at 50 connections (the budget) and at 10 (for comparison).
 *    After each posting run the bench counts the comments in the SQLite file: every 201 must be
 *    one distinct stored comment; and the Taliq process's peak resident memory (VmHWM in
 *    /proc/<pid>/status);
 *  - the Worker (dist/worker/index.js) on workerd through Miniflare, as `npm run start:worker`
 *    runs it (wrangler.jsonc's bindings, local D1 and Durable Objects persisted to files), on a
 *    free port of 127.0.0.1, over real HTTP: the same listing, and the same posting at 50
 *    connections, interleaved with Node's runs; its stored comments counted in its D1 afterwards.
 *    Its site is made and its limits lifted through the admin API with the operator token
 *    (TALIQ_ADMIN_TOKEN, a binding). No budget: its figures, the ratio to Node's, workerd's RSS.
 *
 * Prints requests/s, p50, p99 and failures for each, then PASS/FAIL against the budgets:
 *  - listing ≥ 0.5 × the bare-Hono 2 KB ceiling;
 *  - posting ≥ 1,000 durable comments/s at 50 connections;
 *  - every acknowledged post stored, distinct;
 *  - 0 failed requests (errors, timeouts, non-2xx), the Worker's included;
 *  - peak RSS < 120 MiB.
 * Writes bench/reports/load.json and bench/reports/load.md; exits 1 when a budget fails.
 *
 * Options (environment): BENCH_DURATION (seconds per run, default 12), BENCH_ROUNDS (slices each
 * run is cut into, interleaved with the others, default 4), BENCH_CONNECTIONS (default 50),
 * BENCH_DEBUG (pass the server's stderr through), BENCH_ONLY (comma-separated subset of ceiling,listing,posting,worker; budgets of runs left out
 * are not checked; `worker` alone starts no Node server), BENCH_PROFILE (a folder: the Taliq process runs with --cpu-prof and writes its
 * profile there on exit).
 * All requests come from one address, so the bench lifts its site's rate limits first
 * (`taliq sites set bench limits …`); the posting figure is the server's, not the limiter's.
 */
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { Miniflare } from 'miniflare';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { workerOptions } from '../packages/server/src/runtime/worker-options.js';
import { liftLimits, startServer, taliq } from '../test/support/process.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DURATION = Number(process.env.BENCH_DURATION ?? 12);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const LOW_CONNECTIONS = 10;
const ONLY = new Set((process.env.BENCH_ONLY ?? 'ceiling,listing,posting,worker').split(',').map((s) => s.trim()));
const PROFILE = process.env.BENCH_PROFILE ? resolve(process.env.BENCH_PROFILE) : null;
const WARMUP = 2;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const SITE = 'bench';
const ORIGIN = 'https://bench.example.ma';
const THREAD = 'bench-article';
const COMMENTS = 200;
const PAGE = 20; // what the widget asks for (LIMITS.pageDefault)
const CEILING_BYTES = 2048;

const BUDGET = { listingShareOfCeiling: 0.5, postsPerSecond: 1000, failedRequests: 0, peakRssMiB: 120 };

const MiB = 1024 * 1024;

interface Figures {
  name: string;
  connections: number;
  /** Requests answered per second over all the run's slices. */
  requestsPerSecond: number;
  /** requests/s of each slice, in order: the spread shows how noisy the machine was. */
  slices: number[];
  requestsTotal: number;
  /** 2xx answers, warm-up included (the posting runs count them in the store). */
  ok: number;
  /** Requests autocannon sent, warm-up included (some still in flight when a slice ended). */
  sent: number;
  /** The server's CPU time per answered request in the measured slices (less noisy than req/s on a shared machine). */
  serverCpuUsPerRequest: number;
  /** Median of the slices' p50, worst of their p99 and max. */
  latencyMs: { p50: number; p99: number; max: number };
  failed: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  bytesPerResponse: number;
}

interface Run {
  key: string;
  name: string;
  opts: autocannon.Options;
  connections: number;
  /** Counts the requests built (for posting: bodies handed out). */
  sent?: () => number;
  /** The server process, whose CPU time per request is reported. */
  pid: number;
}

/** CPU time (user + system) a process has used, in ms (/proc/<pid>/stat, in clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function combine(run: Run, warm: autocannon.Result, slices: autocannon.Result[], cpu: number): Figures {
  const all = [warm, ...slices];
  const sum = (f: (r: autocannon.Result) => number, rs = all) => rs.reduce((n, r) => n + f(r), 0);
  const total = sum((r) => r.requests.total, slices);
  return {
    name: run.name,
    connections: run.connections,
    requestsPerSecond: Math.round(total / sum((r) => r.duration, slices)),
    slices: slices.map((r) => Math.round(r.requests.total / r.duration)),
    requestsTotal: total,
    serverCpuUsPerRequest: total ? Math.round((cpu * 1000) / total) : NaN,
    ok: sum((r) => r['2xx']),
    sent: run.sent?.() ?? sum((r) => r.requests.sent),
    latencyMs: { p50: median(slices.map((r) => r.latency.p50)), p99: Math.max(...slices.map((r) => r.latency.p99)), max: Math.max(...slices.map((r) => r.latency.max)) },
    // The warm-up's failures count too: every request must succeed.
    failed: sum((r) => r.errors + r.timeouts + r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    non2xx: sum((r) => r.non2xx),
    bytesPerResponse: total ? Math.round(sum((r) => r.throughput.total, slices) / total) : 0,
  };
}

/**
 * Runs compared with one another are interleaved: each is warmed up (so the JIT has settled),
 * then measured in ROUNDS slices taken in turn (A B C A B C …), so that a neighbour's load on
 * this shared machine falls on all of them alike rather than on whichever ran at the time.
 */
async function measure(runs: Run[]): Promise<Figures[]> {
  const warm: autocannon.Result[] = [];
  for (const r of runs) warm.push(await autocannon({ ...r.opts, duration: WARMUP, connections: r.connections }));
  const slices: autocannon.Result[][] = runs.map(() => []);
  const cpu = runs.map(() => 0);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, r] of runs.entries()) {
      const before = cpuMs(r.pid);
      const slice = await autocannon({ ...r.opts, duration: DURATION / ROUNDS, connections: r.connections });
      slices[i].push(slice);
      cpu[i] += cpuMs(r.pid) - before;
      // Requests cut off when the slice ended are still being served: let most of them finish
      // before the next run's slice, so that one server's tail does not fall on another's slice.
      await new Promise((done) => setTimeout(done, Math.min(1000, slice.latency.p99)));
    }
  }
  return runs.map((r, i) => {
    const f = combine(r, warm[i], slices[i], cpu[i]);
    console.log(`${f.name.padEnd(30)} ${String(f.requestsPerSecond).padStart(6)} req/s (slices ${f.slices.join(' ')})   server CPU ${String(f.serverCpuUsPerRequest).padStart(4)} µs/req   p50 ${String(f.latencyMs.p50).padStart(4)} ms   p99 ${String(f.latencyMs.p99).padStart(4)} ms   failed ${f.failed}`);
    return f;
  });
}

/** VmRSS and VmHWM (the peak) of a process, in bytes. */
function memoryOf(pid: number): { rss: number; hwm: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'))?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return null;
  }
}

/**
 * The ceiling: the least a Node HTTP server with Hono can do for a JSON answer, in its own
 * process. /small answers 2 KB (the budget's ceiling), /page the listing's whole page (for scale).
 */
const BARE_HONO = `
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { readFileSync } from 'node:fs';
const small = JSON.parse(readFileSync(process.env.BENCH_SMALL, 'utf8'));
const page = JSON.parse(readFileSync(process.env.BENCH_PAGE, 'utf8'));
const app = new Hono();
app.get('/small', (c) => c.json(small));
app.get('/page', (c) => c.json(page));
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => console.log('listening ' + info.port));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

async function startBareHono(small: string, page: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', BARE_HONO], { cwd: ROOT, env: { ...process.env, BENCH_SMALL: small, BENCH_PAGE: page }, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = out.match(/listening (\d+)/);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`bare Hono exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

/** A reader key the widget would send (16–64 of [A-Za-z0-9_-]), one per posting reader. */
const readerKey = (n: number) => `benchreader${String(n).padStart(9, '0')}`;

async function seed(url: string) {
  const post = async (thread: string, body: object, n: number) => {
    const res = await fetch(`${url}/api/v1/sites/${SITE}/threads/${thread}/comments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: ORIGIN, 'taliq-reader': readerKey(n) },
      body: JSON.stringify(body),
    });
    if (res.status !== 201) throw new Error(`seeding: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { comment: { id: string } }).comment.id;
  };
  // 160 top-level comments and 40 replies to the newest ones, so the first page carries replies too.
  const top: string[] = [];
  for (let i = 1; i <= 160; i++) {
    top.push(await post(THREAD, {
      author: { name: `قارئ رقم ${i}` },
      body: `تعليق رقم ${i} على المقال: ${'رأي القارئ في الموضوع بتفصيل معقول. '.repeat(1 + (i % 5))}`,
      thread: i === 1 ? { title: 'مقال لاختبار الحمل', url: `${ORIGIN}/articles/bench` } : undefined,
    }, i));
  }
  for (let i = 1; i <= COMMENTS - 160; i++) {
    await post(THREAD, { author: { name: `مجيب ${i}` }, body: `ردّ رقم ${i}: أتفق مع هذا الرأي 👍`, parentId: top[top.length - 1 - (i % 10)] }, 1000 + i);
  }
}

/** What one thread holds: every comment, distinct ids, bodies and readers, approved ones. */
const STORED_SQL = `SELECT count(*) AS comments, count(DISTINCT c.id) AS ids, count(DISTINCT c.body) AS bodies,
                           count(DISTINCT c.reader_id) AS readers, sum(c.status = 'approved') AS approved
                    FROM comments c JOIN threads t ON t.id = c.thread_id WHERE t.site_id = ? AND t.key = ?`;
type Stored = { comments: number; ids: number; bodies: number; readers: number; approved: number };

/** The operator token and secret the bench's Worker gets as bindings (its secrets in production). */
const WORKER_ADMIN_TOKEN = 'bench-admin-token-for-the-load-benchmark';
const WORKER_SECRET = 'bench-secret-that-is-at-least-32-characters-long';

interface BenchWorker {
  url: string;
  /** The workerd process (it runs the Worker, D1 and the Durable Objects). */
  pid: number;
  /** What the Worker's D1 holds for one thread, read through the binding from Node. */
  stored(thread: string): Promise<Stored>;
  dispose(): Promise<void>;
}

/** The workerd child Miniflare started from this process. */
function workerdPid(): number {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && comm.startsWith('workerd')) return Number(name);
    } catch {
      // gone meanwhile
    }
  }
  throw new Error('no workerd process under this one');
}

/**
 * The built Worker (dist/worker/index.js) on workerd through Miniflare, as `npm run start:worker`
 * runs it (wrangler.jsonc's bindings, D1 and Durable Objects persisted to files, here under the
 * bench's temporary folder), listening on a free port of 127.0.0.1. Requests come from loopback,
 * so Miniflare sets CF-Connecting-IP to 127.0.0.1 on each. The site is made through the admin
 * HTTP API with the operator token, its limits lifted as for Node.
 */
async function startWorker(dir: string): Promise<BenchWorker> {
  const mf = new Miniflare({
    ...workerOptions(ROOT, { TALIQ_SECRET: WORKER_SECRET, TALIQ_ADMIN_TOKEN: WORKER_ADMIN_TOKEN }),
    host: '127.0.0.1',
    port: 0,
    d1Persist: join(dir, 'worker/d1'),
    durableObjectsPersist: join(dir, 'worker/durable-objects'),
  });
  try {
    const ready = await mf.ready;
    const url = `http://127.0.0.1:${ready.port}`;
    const admin = async (method: string, path: string, body: object, status: number) => {
      const res = await fetch(`${url}/api/v1/admin/sites${path}`, {
        method,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${WORKER_ADMIN_TOKEN}` },
        body: JSON.stringify(body),
      });
      if (res.status !== status) throw new Error(`Worker: ${method} /api/v1/admin/sites${path}: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    };
    // The first request also applies D1's migrations.
    await admin('POST', '', { id: SITE, settings: { origins: [ORIGIN], moderation: 'post' } }, 201);
    const open = { perReader: 1_000_000, perIp: 1_000_000, windowSeconds: 60 };
    await admin('PATCH', `/${SITE}`, { limits: { posts: open, votes: open, reports: open } }, 200);
    const d1 = (await mf.getD1Database('DB')) as unknown as { prepare(sql: string): { bind(...v: unknown[]): { first<T>(): Promise<T | null> } } };
    return {
      url,
      pid: workerdPid(),
      stored: async (thread) => {
        const row = await d1.prepare(STORED_SQL).bind(SITE, thread).first<Stored>();
        if (!row) throw new Error(`Worker: nothing stored for ${thread}`);
        return row;
      },
      dispose: () => mf.dispose(),
    };
  } catch (e) {
    await mf.dispose();
    throw e;
  }
}

/** What the SQLite file holds for one thread, read beside the running server (WAL allows it). */
function storedIn(file: string, thread: string): Stored {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(STORED_SQL).get(SITE, thread) as Stored;
  } finally {
    db.close();
  }
}

let posted = 10_000; // reader and body numbers of the posting runs, after the seed's
function postingRun(key: string, name: string, url: string, connections: number, pid: number): Run {
  let built = 0;
  return {
    key,
    name,
    connections,
    pid,
    sent: () => built,
    opts: {
      url,
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: ORIGIN },
      requests: [{
        method: 'POST',
        setupRequest: (req) => {
          const n = ++posted;
          built++;
          return {
            ...req,
            // A reader and a body of its own each time: no per-reader history, no duplicate.
            headers: { ...req.headers, 'taliq-reader': readerKey(n) },
            body: JSON.stringify({ author: { name: `قارئ ${n}` }, body: `تعليق تحت الحمل رقم ${n}: رأيي أن المقال مفيد ويستحق النقاش.` }),
          };
        },
      }],
    },
  };
}

async function main() {
  if (!existsSync(join(ROOT, 'dist/server/cli.js')) || (ONLY.has('worker') && !existsSync(join(ROOT, 'dist/worker/index.js')))) {
    console.error('bench/load.ts needs the build: run npm run build first');
    process.exit(2);
  }
  const onNode = ['ceiling', 'listing', 'posting'].some((k) => ONLY.has(k));
  const onWorker = ONLY.has('worker');
  const dir = mkdtempSync(join(tmpdir(), 'taliq-bench-'));
  const dbFile = join(dir, 'taliq.db');
  const env = { TALIQ_DB: dbFile };
  const cleanup: (() => Promise<unknown> | void)[] = [() => rmSync(dir, { recursive: true, force: true })];
  try {
    const listPath = `/api/v1/sites/${SITE}/threads/${THREAD}/comments?sort=newest&limit=${PAGE}`;
    const firstPage = async (base: string, who: string) => {
      const res = await fetch(`${base}${listPath}`, { headers: { origin: ORIGIN } });
      const page = (await res.json()) as { thread: { count: number }; comments: unknown[] };
      if (page.thread.count !== COMMENTS) throw new Error(`${who}: the thread has ${page.thread.count} comments, not ${COMMENTS}`);
      return page;
    };

    // Node: the real `taliq serve` on a SQLite file.
    let node: { base: string; pid: number; page: { thread: { count: number }; comments: unknown[] } } | null = null;
    const rssAt: Record<string, number> = {};
    let rssNow = (_phase: string) => {};
    if (onNode) {
      const added = await taliq(['sites', 'add', SITE, '--origin', ORIGIN, '--moderation', 'post'], env);
      if (added.code !== 0) throw new Error(`taliq sites add: ${added.stderr}`);
      // All the load comes from one address: lift the site's posting limits, as an operator would for a load test.
      await liftLimits(SITE, env);
      if (PROFILE) mkdirSync(PROFILE, { recursive: true });
      const server = await startServer([], env, PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE}`] : []);
      cleanup.unshift(() => server.stop());
      if (process.env.BENCH_DEBUG) server.child.stderr!.on('data', (d) => process.stderr.write(d));
      const pid = server.child.pid!;
      const base = `http://127.0.0.1:${server.port}`;
      rssNow = (phase: string) => (rssAt[phase] = Number(((memoryOf(pid)?.rss ?? 0) / MiB).toFixed(1)));
      rssNow('started');
      await seed(base);
      rssNow('seeded');
      node = { base, pid, page: await firstPage(base, 'Node') };
    }

    // The Worker on workerd, seeded with the same thread through its HTTP API.
    let worker: BenchWorker | null = null;
    let workerPageBytes = 0;
    if (onWorker) {
      const w = await startWorker(dir);
      worker = w;
      cleanup.unshift(() => w.dispose());
      await seed(w.url);
      workerPageBytes = JSON.stringify(await firstPage(w.url, 'Worker')).length;
    }

    // The ceiling's 2 KB: the thread's header and as many of the listing's comments as fit.
    let bare: { url: string; child: ChildProcess } | null = null;
    let pageBytes = workerPageBytes;
    let smallBytes = 0;
    if (node) {
      const { page } = node;
      pageBytes = JSON.stringify(page).length;
      const small = { ...page, comments: [] as unknown[] };
      for (const c of page.comments) {
        if (JSON.stringify({ ...small, comments: [...small.comments, c] }).length > CEILING_BYTES) break;
        small.comments.push(c);
      }
      smallBytes = JSON.stringify(small).length;
      if (ONLY.has('ceiling')) {
        const pageFile = join(dir, 'page.json');
        writeFileSync(pageFile, JSON.stringify(page));
        const smallFile = join(dir, 'small.json');
        writeFileSync(smallFile, JSON.stringify(small));
        const b = await startBareHono(smallFile, pageFile);
        bare = b;
        cleanup.unshift(() => new Promise((r) => (b.child.once('exit', r), b.child.kill('SIGTERM'))));
      }
    }

    // Peak resident memory, sampled besides VmHWM: of the Taliq process and of workerd.
    const peakSampled = { node: 0, worker: 0 };
    const sampler = setInterval(() => {
      if (node) peakSampled.node = Math.max(peakSampled.node, memoryOf(node.pid)?.rss ?? 0);
      if (worker) peakSampled.worker = Math.max(peakSampled.worker, memoryOf(worker.pid)?.rss ?? 0);
    }, 100);
    cleanup.unshift(() => clearInterval(sampler));
    const workerRssAt: Record<string, number> = {};
    const workerRssNow = (phase: string) => worker && (workerRssAt[phase] = Number(((memoryOf(worker.pid)?.rss ?? 0) / MiB).toFixed(1)));
    workerRssNow('seeded');

    console.log(`Taliq load benchmark: ${DURATION} s per run in ${ROUNDS} interleaved slices (after ${WARMUP} s warm-up); ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}`);
    console.log(`${bare ? `ceiling: bare Hono answering ${smallBytes} bytes of JSON; ` : ''}listing: the first page (${PAGE} top-level comments and their replies, ${pageBytes} bytes) of a ${COMMENTS}-comment thread${worker ? '; Worker: workerd through Miniflare, local D1 and Durable Objects' : ''}\n`);

    const runs: Record<string, Figures> = {};
    const keyed = async (list: Run[]) => (await measure(list)).forEach((f, i) => (runs[list[i].key] = f));
    const browser = { origin: ORIGIN, 'accept-encoding': 'gzip, deflate, br' };
    const reads: Run[] = [];
    if (bare) {
      reads.push({ key: 'ceiling', name: `bare Hono, ${smallBytes} B JSON`, opts: { url: `${bare.url}/small` }, connections: CONNECTIONS, pid: bare.child.pid! });
      reads.push({ key: 'barePage', name: `bare Hono, ${pageBytes} B JSON`, opts: { url: `${bare.url}/page` }, connections: CONNECTIONS, pid: bare.child.pid! });
    }
    if (node && ONLY.has('listing')) reads.push({ key: 'listing', name: 'Taliq listing', opts: { url: `${node.base}${listPath}`, headers: browser }, connections: CONNECTIONS, pid: node.pid });
    if (worker) reads.push({ key: 'workerListing', name: 'Worker listing', opts: { url: `${worker.url}${listPath}`, headers: browser }, connections: CONNECTIONS, pid: worker.pid });
    if (reads.length) await keyed(reads);
    if (ONLY.has('listing')) rssNow('after listing');
    workerRssNow('after listing');

    const threadOf = (connections: number, on = '') => `bench-posting-${on}${connections}`;
    const writes: { key: string; name: string; base: string; thread: string; connections: number; pid: number; stored: (thread: string) => Promise<Stored> | Stored }[] = [];
    if (node && ONLY.has('posting')) {
      const { base, pid } = node;
      for (const [key, connections] of [['posting', CONNECTIONS], ['postingLow', LOW_CONNECTIONS]] as const) {
        writes.push({ key, name: `Taliq posting, ${connections} conn.`, base, thread: threadOf(connections), connections, pid, stored: (t) => storedIn(dbFile, t) });
      }
    }
    if (worker) writes.push({ key: 'workerPosting', name: `Worker posting, ${CONNECTIONS} conn.`, base: worker.url, thread: threadOf(CONNECTIONS, 'worker-'), connections: CONNECTIONS, pid: worker.pid, stored: worker.stored });
    const stored: Record<string, Stored & { thread: string }> = {};
    if (writes.length) {
      // Each run's thread exists before it, as an article's does when readers comment on it.
      for (const w of writes) await seedThread(w.base, w.thread);
      await keyed(writes.map((w) => postingRun(w.key, w.name, `${w.base}/api/v1/sites/${SITE}/threads/${w.thread}/comments`, w.connections, w.pid)));
      for (const w of writes) {
        const s = await w.stored(w.thread);
        // Less the thread's first comment, which was not the run's.
        stored[w.key] = { thread: w.thread, comments: s.comments - 1, ids: s.ids - 1, bodies: s.bodies - 1, readers: s.readers - 1, approved: s.approved - 1 };
        const f = runs[w.key];
        console.log(`  stored in "${w.thread}"${w.pid === worker?.pid ? ' (D1)' : ''}: ${stored[w.key].comments} comments (${stored[w.key].ids} distinct ids, ${stored[w.key].bodies} distinct bodies, ${stored[w.key].readers} readers, ${stored[w.key].approved} approved); ${f.ok} answered 201, ${f.sent} sent (the rest were in flight when a slice ended)`);
      }
      if (ONLY.has('posting')) rssNow('after posting');
      workerRssNow('after posting');
    }

    const barePeak = bare ? (memoryOf(bare.child.pid!)?.hwm ?? 0) : 0;
    const peak = node ? Math.max(memoryOf(node.pid)?.hwm ?? 0, peakSampled.node) : 0;
    const workerPeak = worker ? Math.max(memoryOf(worker.pid)?.hwm ?? 0, peakSampled.worker) : 0;
    const checks: { budget: string; actual: string; pass: boolean }[] = [];
    const { ceiling, barePage, listing, posting: post50, postingLow: post10, workerListing, workerPosting } = runs;
    if (ceiling && listing) {
      const share = listing.requestsPerSecond / ceiling.requestsPerSecond;
      checks.push({ budget: `listing ≥ ${BUDGET.listingShareOfCeiling}× the bare-Hono ${smallBytes} B ceiling`, actual: `${share.toFixed(2)}× (${listing.requestsPerSecond} / ${ceiling.requestsPerSecond} req/s; ${(listing.requestsPerSecond / barePage!.requestsPerSecond).toFixed(2)}× bare Hono answering the same ${pageBytes} B)`, pass: share >= BUDGET.listingShareOfCeiling });
    }
    if (post50 && post10) {
      checks.push({ budget: `posting ≥ ${BUDGET.postsPerSecond} durable comments/s at ${CONNECTIONS} connections`, actual: `${post50.requestsPerSecond}/s (at ${LOW_CONNECTIONS} connections: ${post10.requestsPerSecond}/s)`, pass: post50.requestsPerSecond >= BUDGET.postsPerSecond });
    }
    if (Object.keys(stored).length) {
      // Every 201 is a stored comment; requests cut off when a slice ended may be stored too, unanswered.
      const exact = (k: string) => {
        const s = stored[k];
        return s.ids === s.comments && s.bodies === s.comments && s.approved === s.comments && runs[k].ok <= s.comments && s.comments <= runs[k].sent;
      };
      checks.push({ budget: 'every 201 is a distinct stored comment', actual: Object.entries(stored).map(([k, s]) => `${runs[k].name}: ${s.comments} distinct stored, ${runs[k].ok} answered 201, ${runs[k].sent} sent`).join('; '), pass: Object.keys(stored).every(exact) });
    }
    const measured = Object.values(runs);
    const failed = measured.reduce((n, f) => n + f.failed, 0);
    checks.push({ budget: `${BUDGET.failedRequests} failed requests`, actual: measured.map((f) => `${f.name} ${f.failed}`).join(', '), pass: failed <= BUDGET.failedRequests });
    if (node) checks.push({ budget: `peak RSS < ${BUDGET.peakRssMiB} MiB`, actual: `${(peak / MiB).toFixed(1)} MiB (VmHWM)`, pass: peak > 0 && peak < BUDGET.peakRssMiB * MiB });
    const pass = checks.every((c) => c.pass);

    // The Worker has no budget of its own: its figures, and how they compare with Node's.
    const ratio = (w: Figures | undefined, n: Figures | undefined) => (w && n ? Number((w.requestsPerSecond / n.requestsPerSecond).toFixed(2)) : null);
    const versus = { listing: ratio(workerListing, listing), posting: ratio(workerPosting, post50) };
    const workerLines = [
      workerListing && `Worker listing: ${workerListing.requestsPerSecond} req/s${versus.listing !== null ? ` = ${versus.listing}× Node's ${listing.requestsPerSecond}` : ''}; ${workerListing.bytesPerResponse} B per answer, headers included (workerd gzips for a client that accepts it, as Cloudflare's edge does; Node: ${listing?.bytesPerResponse ?? '–'} B)`,
      workerPosting && `Worker posting, ${CONNECTIONS} conn.: ${workerPosting.requestsPerSecond} comments/s${versus.posting !== null ? ` = ${versus.posting}× Node's ${post50.requestsPerSecond}` : ''}`,
      worker && `workerd peak RSS (the Worker, D1 and the Durable Objects): ${(workerPeak / MiB).toFixed(1)} MiB; RSS ${Object.entries(workerRssAt).map(([k, v]) => `${k} ${v}`).join(', ')} MiB`,
    ].filter((l): l is string => !!l);

    console.log('');
    if (node) console.log(`Taliq server peak RSS: ${(peak / MiB).toFixed(1)} MiB (VmHWM); RSS ${Object.entries(rssAt).map(([k, v]) => `${k} ${v}`).join(', ')} MiB`);
    if (bare) console.log(`(bare Hono peak RSS under the same load, for scale: ${(barePeak / MiB).toFixed(1)} MiB)`);
    for (const l of workerLines) console.log(l);
    for (const c of checks) console.log(`${c.pass ? 'PASS' : 'FAIL'}  ${c.budget}: ${c.actual}`);
    console.log(pass ? 'PASS' : 'FAIL');

    const report = {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model ?? null, memoryMiB: Math.round(totalmem() / MiB), node: process.version, platform: process.platform },
      settings: { connections: CONNECTIONS, lowConnections: LOW_CONNECTIONS, durationSeconds: DURATION, rounds: ROUNDS, warmupSeconds: WARMUP, threadComments: COMMENTS, pageSize: PAGE, listingBytes: pageBytes, ceilingBytes: smallBytes, only: [...ONLY] },
      runs,
      stored,
      peakRssMiB: node ? Number((peak / MiB).toFixed(1)) : null,
      rssMiB: rssAt,
      bareHonoPeakRssMiB: bare ? Number((barePeak / MiB).toFixed(1)) : null,
      worker: worker ? { runtime: 'workerd through Miniflare', peakRssMiB: Number((workerPeak / MiB).toFixed(1)), rssMiB: workerRssAt, versusNode: versus } : null,
      budgets: BUDGET,
      checks,
      pass,
    };
    mkdirSync(join(ROOT, 'bench/reports'), { recursive: true });
    writeFileSync(join(ROOT, 'bench/reports/load.json'), JSON.stringify(report, null, 2) + '\n');
    const row = (f: Figures) => `| ${f.name} | ${f.connections} | ${f.requestsPerSecond} | ${f.slices.join(', ')} | ${f.serverCpuUsPerRequest} | ${f.latencyMs.p50} | ${f.latencyMs.p99} | ${f.bytesPerResponse} | ${f.failed} (${f.errors} errors, ${f.timeouts} timeouts, ${f.non2xx} non-2xx) |`;
    writeFileSync(join(ROOT, 'bench/reports/load.md'), [
      `# Load benchmark — ${pass ? 'PASS' : 'FAIL'}`,
      '',
      `${report.date}; ${report.machine.cpus} × ${report.machine.model}, Node ${report.machine.node}. autocannon, ${DURATION} s per run after a ${WARMUP} s warm-up, in ${ROUNDS} slices interleaved with the runs it is compared with; client and servers on the same machine.`,
      `${bare ? `Ceiling: bare Hono answering ${smallBytes} bytes of JSON. ` : ''}Listing: the first page (${PAGE} top-level comments with their replies, ${pageBytes} bytes, asked for with a browser's Accept-Encoding) of a ${COMMENTS}-comment thread, as the widget asks for it. Posting: distinct comments (own reader, own body) from the site's origin, post-moderation, each answered after it was stored${node ? ' (Node: SQLite WAL with synchronous=FULL and group commit, answered after its commit was flushed)' : ''}.${worker ? ' Worker: dist/worker/index.js on workerd through Miniflare (wrangler.jsonc\'s bindings; local D1 and Durable Objects in files), over HTTP on 127.0.0.1; workerd gzips the page itself, as Cloudflare\'s edge does.' : ''}`,
      '',
      '| run | connections | req/s | slices, req/s | server CPU µs/req | p50 ms | p99 ms | bytes/answer | failed |',
      '|---|---:|---:|---|---:|---:|---:|---:|---|',
      ...measured.map(row),
      '',
      ...Object.entries(stored).map(([k, s]) => `Stored in "${s.thread}" after its run: ${s.comments} comments, ${s.ids} distinct ids, ${s.bodies} distinct bodies, ${s.approved} approved; ${runs[k].ok} answered 201, ${runs[k].sent} sent.`),
      '',
      ...(node ? [`Peak resident memory of the Taliq server: ${report.peakRssMiB} MiB (VmHWM); resident ${Object.entries(rssAt).map(([k, v]) => `${k}: ${v}`).join(', ')} MiB.${bare ? ` The bare Hono process peaked at ${report.bareHonoPeakRssMiB} MiB under the same load.` : ''}`, ''] : []),
      ...(workerLines.length ? [...workerLines.map((l) => `${l}.`), ''] : []),
      '| budget | actual | |',
      '|---|---|---|',
      ...checks.map((c) => `| ${c.budget} | ${c.actual} | ${c.pass ? 'PASS' : 'FAIL'} |`),
      '',
      'Run it with `npm run bench:load`.',
      '',
    ].join('\n'));
    console.log('\nWrote bench/reports/load.json and bench/reports/load.md');
    process.exitCode = pass ? 0 : 1;
  } finally {
    for (const fn of cleanup) await fn();
  }
}

/** A posting run's thread, created by its first comment (not counted in the run). */
async function seedThread(url: string, thread: string) {
  const res = await fetch(`${url}/api/v1/sites/${SITE}/threads/${thread}/comments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: ORIGIN, 'taliq-reader': readerKey(++posted) },
    body: JSON.stringify({ author: { name: 'المحرر' }, body: `أول تعليق على ${thread}`, thread: { title: thread, url: `${ORIGIN}/articles/${thread}` } }),
  });
  if (res.status !== 201) throw new Error(`creating ${thread}: ${res.status} ${await res.text()}`);
}

await main();
