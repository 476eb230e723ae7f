/**
 * `npm run bench:streams`: 10,000 concurrent live-update streams on one real Node instance.
 *
 * The server (bench/streams-server.ts) runs in its own process with its caps raised to let the
 * bench in (BENCH_PER_ADDRESS per address, BENCH_MAX_STREAMS in all); this process opens
 * BENCH_STREAMS streams of one thread (a front-page article) from BENCH_ADDRESSES loopback
 * source addresses (127.0.0.x, via `localAddress`), then prints:
 *  - the server's RSS before, with every stream open and idle, and at its peak; RSS and heap per idle stream;
 *  - store calls per second while idle (the shared poll: one read of the log per thread per interval);
 *  - the time from a moderator's approval (its request sent) to the last reader's `comment.approved` event;
 *  - /healthz latency p50/p99, asked every 20 ms from the first connection to the last event, and
 *    by phase (streams opening, idle, one event's fan-out);
 *  - one stream over the per-address cap, which must be refused 429 (the cap still holds).
 * Writes bench/reports/streams.json. Exits 1 if a stream failed to open or an event was missed.
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';

const N = Number(process.env.BENCH_STREAMS ?? 10_000);
const ADDRESSES = Number(process.env.BENCH_ADDRESSES ?? 200);
const PER_ADDRESS = Math.ceil(N / ADDRESSES);
const ADMIN = 'bench-streams-admin-token-of-at-least-40-characters';
const THREAD = 'front-page';

const child = fork(new URL('./streams-server.ts', import.meta.url).pathname, [], {
  execArgv: ['--import', 'tsx', '--expose-gc', '--max-old-space-size=2048'],
  env: { ...process.env, BENCH_ADMIN_TOKEN: ADMIN, BENCH_PER_ADDRESS: String(PER_ADDRESS), BENCH_MAX_STREAMS: String(N + 100) },
});
const messages: ((m: any) => void)[] = [];
child.on('message', (m) => messages.shift()?.(m));
const next = () => new Promise<any>((r) => messages.push(r));
const stats = () => {
  const p = next();
  child.send('stats');
  return p as Promise<{ rss: number; heap: number; storeCalls: number; streams: number }>;
};
const { port } = await next();
const MB = 1024 * 1024;
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

function request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, agent, headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...headers } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

// /healthz throughout, each answer's time kept with the phase it was asked in.
type Phase = 'open' | 'idle' | 'fanout';
let phase: Phase = 'open';
const health: { phase: Phase; ms: number }[] = [];
let probing = true;
const probe = (async () => {
  while (probing) {
    const asked = phase;
    const t = performance.now();
    await request('GET', '/healthz');
    health.push({ phase: asked, ms: performance.now() - t });
    await new Promise((r) => setTimeout(r, 20));
  }
})();

const before = await stats();
const t0 = performance.now();
let peakRss = before.rss;
let received = 0;
let resolveAll: () => void;
const allReceived = new Promise<void>((r) => (resolveAll = r));
let failed = 0;
const sockets: http.ClientRequest[] = [];

function openStream(from: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, localAddress: from, agent: false, path: `/api/v1/sites/bench/threads/${THREAD}/events` }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return resolve(res.statusCode!);
      }
      let seen = false;
      let tail = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        tail = (tail + d).slice(-4096);
        if (!seen && tail.includes('event: comment.approved')) {
          seen = true;
          if (++received === N) resolveAll();
        }
        if (tail.includes('event: ready')) resolve(200);
      });
    });
    req.on('error', () => resolve(0));
    sockets.push(req);
  });
}

// Open them in batches, so the accept queue does not overflow.
const BATCH = 250;
for (let i = 0; i < N; i += BATCH) {
  const batch = [];
  for (let j = i; j < Math.min(i + BATCH, N); j++) batch.push(openStream(`127.0.${1 + Math.floor((j % ADDRESSES) / 250)}.${1 + ((j % ADDRESSES) % 250)}`));
  failed += (await Promise.all(batch)).filter((s) => s !== 200).length;
}
const openMs = performance.now() - t0;
// One more from the first address is over its share.
const over = await openStream('127.0.1.1');

phase = 'idle';
await new Promise((r) => setTimeout(r, 2000));
const idleStart = await stats();
const idleStartAt = performance.now();
await new Promise((r) => setTimeout(r, 10_000));
const idleEnd = await stats();
const idleSeconds = (performance.now() - idleStartAt) / 1000;
peakRss = Math.max(peakRss, idleStart.rss, idleEnd.rss);

// A comment posted, then approved: time to the last of N readers.
const posted = await request('POST', `/api/v1/sites/bench/threads/${THREAD}/comments`, { author: { name: 'قارئ' }, body: 'تعليق للاختبار' }, { origin: 'https://bench.example' });
const id = JSON.parse(posted.body).comment.id;
phase = 'fanout';
const approvedAt = performance.now();
const approved = await request('POST', `/api/v1/admin/comments/${id}/moderate`, { action: 'approve' }, { authorization: `Bearer ${ADMIN}` });
const timeout = setTimeout(() => resolveAll(), 30_000);
await allReceived;
clearTimeout(timeout);
const fanOutMs = performance.now() - approvedAt;
const after = await stats();
peakRss = Math.max(peakRss, after.rss);
probing = false;
await probe;

const sortedIn = (which?: Phase) => health.filter((h) => !which || h.phase === which).map((h) => h.ms).sort((a, b) => a - b);
const pct = (p: number, which?: Phase) => {
  const sorted = sortedIn(which);
  return +(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN).toFixed(1);
};
const report = {
  date: new Date().toISOString(),
  streams: N,
  addresses: ADDRESSES,
  openFailures: failed,
  openSeconds: +(openMs / 1000).toFixed(1),
  overCapStatus: over,
  serverStreams: idleEnd.streams,
  rssBeforeMiB: +(before.rss / MB).toFixed(1),
  rssIdleMiB: +(idleEnd.rss / MB).toFixed(1),
  peakRssMiB: +(peakRss / MB).toFixed(1),
  rssPerIdleStreamKiB: +((idleEnd.rss - before.rss) / N / 1024).toFixed(2),
  heapPerIdleStreamKiB: +((idleEnd.heap - before.heap) / N / 1024).toFixed(2),
  // /healthz's ping is not counted.
  storeCallsPerSecondIdle: +((idleEnd.storeCalls - idleStart.storeCalls) / idleSeconds).toFixed(1),
  approveStatus: approved.status,
  approvalToLastEventMs: +fanOutMs.toFixed(0),
  received,
  healthzP50Ms: pct(50),
  healthzP99Ms: pct(99),
  healthzSamples: health.length,
  // By phase: while 10,000 streams connect, while they idle, while one event goes to all of them.
  healthzOpenP99Ms: pct(99, 'open'),
  healthzIdleP99Ms: pct(99, 'idle'),
  healthzFanOutMaxMs: pct(100, 'fanout'),
  healthzFanOutSamples: sortedIn('fanout').length,
};
console.table(report);
mkdirSync(new URL('./reports/', import.meta.url), { recursive: true });
writeFileSync(new URL('./reports/streams.json', import.meta.url), JSON.stringify(report, null, 2) + '\n');
for (const s of sockets) s.destroy();
agent.destroy();
child.send('exit');
await new Promise((r) => child.once('exit', r));
const ok = failed === 0 && received === N && over === 429 && approved.status === 200;
if (!ok) console.error('FAIL: a stream did not open, the over-cap stream was not refused, or an event was missed');
process.exit(ok ? 0 : 1);
