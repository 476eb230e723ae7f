/**
 * Load benchmark: `node --import tsx bench/load.ts` (needs the build: `npm run build`).
 *
 * Measures, on this machine, in one run, with autocannon at 50 connections for ~10 s each:
 *  - the ceiling: a bare Hono app (@hono/node-server, one GET route answering the same JSON the
 *    Taliq listing answers) in its own process;
 *  - Taliq listing: the real `taliq serve` process on a SQLite file, the first page of a
 *    200-comment thread, exactly as the widget asks for it (limit=20, Origin of the site);
 *  - Taliq posting: new comments with unique bodies from the site's origin.
 * and the Taliq process's peak resident memory (VmHWM in /proc/<pid>/status).
 *
 * Prints requests/s, p50, p99 and failures for each, then PASS/FAIL against the budgets:
 *  - listing ≥ 50% of the bare-Hono ceiling;
 *  - 0 failed requests (errors, timeouts, non-2xx) under 50 connections;
 *  - peak RSS < 120 MiB.
 * Writes bench/reports/load.json and bench/reports/load.md; exits 1 when a budget fails.
 *
 * Options (environment): BENCH_DURATION (seconds, default 10), BENCH_CONNECTIONS (default 50).
 * All requests come from one address, so the bench lifts its site's rate limits first
 * (`taliq sites set bench limits …`); the posting figure is the server's, not the limiter's.
 */
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { liftLimits, startServer, taliq } from '../test/support/process.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const WARMUP = 2;
const SITE = 'bench';
const ORIGIN = 'https://bench.example.ma';
const THREAD = 'bench-article';
const POST_THREAD = 'bench-posting';
const COMMENTS = 200;
const PAGE = 20; // what the widget asks for (LIMITS.pageDefault)

const BUDGET = { listingShareOfCeiling: 0.5, failedRequests: 0, peakRssMiB: 120 };

const MiB = 1024 * 1024;

interface Figures {
  name: string;
  requestsPerSecond: number;
  requestsTotal: number;
  latencyMs: { p50: number; p99: number; max: number };
  failed: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  bytesPerResponse: number;
}

function figures(name: string, r: autocannon.Result): Figures {
  const total = r.requests.total;
  return {
    name,
    requestsPerSecond: Math.round(r.requests.average),
    requestsTotal: total,
    latencyMs: { p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max },
    failed: r.errors + r.timeouts + r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
    bytesPerResponse: total ? Math.round(r.throughput.total / total) : 0,
  };
}

async function load(name: string, opts: autocannon.Options): Promise<Figures> {
  // A short warm-up first, so that the JIT has settled before the measured run.
  await autocannon({ ...opts, duration: WARMUP, connections: CONNECTIONS });
  const result = await autocannon({ ...opts, duration: DURATION, connections: CONNECTIONS });
  const f = figures(name, result);
  console.log(`${name.padEnd(16)} ${String(f.requestsPerSecond).padStart(7)} req/s   p50 ${String(f.latencyMs.p50).padStart(4)} ms   p99 ${String(f.latencyMs.p99).padStart(4)} ms   failed ${f.failed} (errors ${f.errors}, timeouts ${f.timeouts}, non-2xx ${f.non2xx})`);
  return f;
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

/** The ceiling: the least a Node HTTP server with Hono can do for this answer, in its own process. */
const BARE_HONO = `
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { readFileSync } from 'node:fs';
const data = JSON.parse(readFileSync(process.env.BENCH_BODY, 'utf8'));
const app = new Hono();
app.get('/list', (c) => c.json(data));
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => console.log('listening ' + info.port));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

async function startBareHono(bodyFile: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', BARE_HONO], { cwd: ROOT, env: { ...process.env, BENCH_BODY: bodyFile }, stdio: ['ignore', 'pipe', 'inherit'] });
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

async function seed(url: string) {
  const post = async (thread: string, body: object) => {
    const res = await fetch(`${url}/api/v1/sites/${SITE}/threads/${thread}/comments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: ORIGIN },
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
    }));
  }
  for (let i = 1; i <= COMMENTS - 160; i++) {
    await post(THREAD, { author: { name: `مجيب ${i}` }, body: `ردّ رقم ${i}: أتفق مع هذا الرأي 👍`, parentId: top[top.length - 1 - (i % 10)] });
  }
}

async function main() {
  if (!existsSync(join(ROOT, 'dist/server/cli.js'))) {
    console.error('bench/load.ts needs the build: run npm run build first');
    process.exit(2);
  }
  const dir = mkdtempSync(join(tmpdir(), 'taliq-bench-'));
  const env = { TALIQ_DB: join(dir, 'taliq.db') };
  const cleanup: (() => Promise<unknown> | void)[] = [() => rmSync(dir, { recursive: true, force: true })];
  try {
    const added = await taliq(['sites', 'add', SITE, '--origin', ORIGIN, '--moderation', 'post'], env);
    if (added.code !== 0) throw new Error(`taliq sites add: ${added.stderr}`);
    // All the load comes from one address: lift the site's posting limits, as an operator would for a load test.
    await liftLimits(SITE, env);
    const server = await startServer([], env);
    cleanup.unshift(() => server.stop());
    const pid = server.child.pid!;
    const base = `http://127.0.0.1:${server.port}`;
    const rssAt: Record<string, number> = {};
    const rssNow = (phase: string) => (rssAt[phase] = Number(((memoryOf(pid)?.rss ?? 0) / MiB).toFixed(1)));
    rssNow('started');
    await seed(base);
    rssNow('seeded');

    const listPath = `/api/v1/sites/${SITE}/threads/${THREAD}/comments?sort=newest&limit=${PAGE}`;
    const first = await fetch(`${base}${listPath}`, { headers: { origin: ORIGIN } });
    const page = (await first.json()) as { thread: { count: number }; comments: unknown[] };
    if (page.thread.count !== COMMENTS) throw new Error(`the thread has ${page.thread.count} comments, not ${COMMENTS}`);
    const bodyFile = join(dir, 'list.json');
    writeFileSync(bodyFile, JSON.stringify(page));

    const bare = await startBareHono(bodyFile);
    cleanup.unshift(() => new Promise((r) => (bare.child.once('exit', r), bare.child.kill('SIGTERM'))));

    let peakSampled = 0;
    const sampler = setInterval(() => (peakSampled = Math.max(peakSampled, memoryOf(pid)?.rss ?? 0)), 100);
    cleanup.unshift(() => clearInterval(sampler));

    console.log(`Taliq load benchmark: ${CONNECTIONS} connections, ${DURATION} s each (after ${WARMUP} s warm-up); ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}`);
    console.log(`listing: the first page (${page.comments.length} comments, ${JSON.stringify(page).length} bytes) of a ${COMMENTS}-comment thread\n`);

    const ceiling = await load('bare Hono GET', { url: `${bare.url}/list` });
    const listing = await load('Taliq listing', { url: `${base}${listPath}`, headers: { origin: ORIGIN } });
    rssNow('after listing');
    let n = 0;
    const posting = await load('Taliq posting', {
      url: `${base}/api/v1/sites/${SITE}/threads/${POST_THREAD}/comments`,
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: ORIGIN },
      requests: [{
        method: 'POST',
        setupRequest: (req) => ({
          ...req,
          body: JSON.stringify({ author: { name: `قارئ ${++n}` }, body: `تعليق تحت الحمل رقم ${n} في ${Date.now()}: رأيي أن المقال مفيد.` }),
        }),
      }],
    });

    rssNow('after posting');
    const barePeak = memoryOf(bare.child.pid!)?.hwm ?? 0;
    const mem = memoryOf(pid);
    const peak = Math.max(mem?.hwm ?? 0, peakSampled);
    const share = listing.requestsPerSecond / ceiling.requestsPerSecond;
    const checks = [
      { budget: `listing ≥ ${BUDGET.listingShareOfCeiling * 100}% of the bare-Hono ceiling`, actual: `${(share * 100).toFixed(1)}% (${listing.requestsPerSecond} / ${ceiling.requestsPerSecond} req/s)`, pass: share >= BUDGET.listingShareOfCeiling },
      { budget: `${BUDGET.failedRequests} failed requests at ${CONNECTIONS} connections`, actual: `listing ${listing.failed}, posting ${posting.failed}, ceiling ${ceiling.failed}`, pass: listing.failed + posting.failed + ceiling.failed <= BUDGET.failedRequests },
      { budget: `peak RSS < ${BUDGET.peakRssMiB} MiB`, actual: `${(peak / MiB).toFixed(1)} MiB (VmHWM)`, pass: peak > 0 && peak < BUDGET.peakRssMiB * MiB },
    ];
    const pass = checks.every((c) => c.pass);

    console.log(`\nTaliq server peak RSS: ${(peak / MiB).toFixed(1)} MiB (VmHWM); RSS ${Object.entries(rssAt).map(([k, v]) => `${k} ${v}`).join(', ')} MiB`);
    console.log(`(bare Hono peak RSS under the same load, for scale: ${(barePeak / MiB).toFixed(1)} MiB)`);
    for (const c of checks) console.log(`${c.pass ? 'PASS' : 'FAIL'}  ${c.budget}: ${c.actual}`);
    console.log(pass ? 'PASS' : 'FAIL');

    const report = {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model ?? null, memoryMiB: Math.round(totalmem() / MiB), node: process.version, platform: process.platform },
      settings: { connections: CONNECTIONS, durationSeconds: DURATION, warmupSeconds: WARMUP, threadComments: COMMENTS, pageSize: PAGE, listingBytes: JSON.stringify(page).length },
      runs: { ceiling, listing, posting },
      peakRssMiB: Number((peak / MiB).toFixed(1)),
      rssMiB: rssAt,
      bareHonoPeakRssMiB: Number((barePeak / MiB).toFixed(1)),
      budgets: BUDGET,
      checks,
      pass,
    };
    mkdirSync(join(ROOT, 'bench/reports'), { recursive: true });
    writeFileSync(join(ROOT, 'bench/reports/load.json'), JSON.stringify(report, null, 2) + '\n');
    const row = (f: Figures) => `| ${f.name} | ${f.requestsPerSecond} | ${f.latencyMs.p50} | ${f.latencyMs.p99} | ${f.failed} (${f.errors} errors, ${f.timeouts} timeouts, ${f.non2xx} non-2xx) |`;
    writeFileSync(join(ROOT, 'bench/reports/load.md'), [
      `# Load benchmark — ${pass ? 'PASS' : 'FAIL'}`,
      '',
      `${report.date}; ${report.machine.cpus} × ${report.machine.model}, Node ${report.machine.node}. autocannon, ${CONNECTIONS} connections, ${DURATION} s per run after a ${WARMUP} s warm-up, client and servers on the same machine.`,
      `Listing: the first page (${PAGE} top-level comments with their replies, ${report.settings.listingBytes} bytes) of a ${COMMENTS}-comment thread, as the widget asks for it. Posting: unique comments from the site's origin, post-moderation, SQLite WAL with synchronous=FULL.`,
      '',
      '| run | req/s | p50 ms | p99 ms | failed |',
      '|---|---:|---:|---:|---|',
      row(ceiling), row(listing), row(posting),
      '',
      `Peak resident memory of the Taliq server: ${report.peakRssMiB} MiB (VmHWM); resident ${Object.entries(rssAt).map(([k, v]) => `${k}: ${v}`).join(', ')} MiB. The bare Hono process peaked at ${report.bareHonoPeakRssMiB} MiB under the same load.`,
      '',
      '| budget | actual | |',
      '|---|---|---|',
      ...checks.map((c) => `| ${c.budget} | ${c.actual} | ${c.pass ? 'PASS' : 'FAIL'} |`),
      '',
      'Run it with `node --import tsx bench/load.ts` after `npm run build`.',
      '',
    ].join('\n'));
    console.log('\nWrote bench/reports/load.json and bench/reports/load.md');
    process.exitCode = pass ? 0 : 1;
  } finally {
    for (const fn of cleanup) await fn();
  }
}

await main();
