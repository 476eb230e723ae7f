/**
 * Posting while Redis fails: `npm run bench:redis-outage` (builds, then
 * `node --import tsx bench/redis-outage.ts`).
 *
 * One real `taliq serve` on a SQLite file with REDIS_URL pointing at a redis-server of the
 * bench's own (a free port; the shared Redis is never touched), posting comments with autocannon
 * from 10 connections, each from its own reader, through five phases: Redis up; killed (SIGKILL)
 * at the start of the phase; started again, empty; paused (SIGSTOP: connections open, no answer);
 * resumed. The site's limits are set high but counted, so every post asks the limiter.
 *
 * Prints per phase: requests/s, p50, p99 and max latency, 5xx and other non-2xx answers, and what
 * /healthz said at the end of the phase; then the server's Redis lines (one warning per outage).
 * No budget is enforced; the figures show that posting does not wait on a dead Redis.
 *
 * Options (environment): BENCH_PHASE_SECONDS (default 4), BENCH_CONNECTIONS (default 10).
 */
import autocannon from 'autocannon';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRedisServer } from '../test/support/redis-server.js';
import { startServer, taliq } from '../test/support/process.js';
import { tempDir } from '../test/support/temp-dir.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SECONDS = Number(process.env.BENCH_PHASE_SECONDS ?? 4);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const ORIGIN = 'https://bench.example';

if (!existsSync(join(ROOT, 'dist/server/cli.js'))) {
  console.error('bench/redis-outage.ts needs the build: run npm run build first');
  process.exit(2);
}

const dir = tempDir('taliq-bench-redis-');
const redis = await startRedisServer();
const env = { TALIQ_DB: join(dir.path, 'taliq.db'), REDIS_URL: redis.url };
const must = async (args: string[]) => {
  const r = await taliq(args, env);
  if (r.code !== 0) throw new Error(`taliq ${args.join(' ')}: ${r.stderr}`);
};
await must(['sites', 'add', 'bench', '--origin', ORIGIN, '--moderation', 'post']);
// High enough never to refuse, low enough to be counted on every post.
const counted = { perReader: 1_000_000, perIp: 1_000_000, windowSeconds: 60 };
await must(['sites', 'set', 'bench', 'limits', JSON.stringify({ posts: counted, votes: counted, reports: counted })]);
const server = await startServer([], env);

let n = 0;
const post = (): autocannon.Options => ({
  url: `${server.url}/api/v1/sites/bench/threads/outage/comments`,
  method: 'POST',
  connections: CONNECTIONS,
  duration: SECONDS,
  headers: { 'content-type': 'application/json', origin: ORIGIN },
  requests: [{
    method: 'POST',
    setupRequest: (req) => {
      const i = ++n;
      return {
        ...req,
        headers: { ...req.headers, 'taliq-reader': `benchreader${String(i).padStart(9, '0')}` },
        body: JSON.stringify({ author: { name: `قارئ ${i}` }, body: `تعليق رقم ${i} أثناء انقطاع Redis` }),
      };
    },
  }],
});

const phases: [string, () => Promise<void> | void][] = [
  ['Redis up', () => {}],
  ['Redis killed', () => redis.kill()],
  ['Redis started again', () => redis.start()],
  ['Redis paused', () => redis.pause()],
  ['Redis resumed', () => redis.resume()],
];
const rows: string[] = [];
try {
  for (const [name, act] of phases) {
    const run = autocannon(post());
    await new Promise((r) => setTimeout(r, 100)); // the change happens under load
    await act();
    const r = await run;
    const health = await (await fetch(`${server.url}/healthz`)).json();
    rows.push(`| ${name} | ${Math.round(r.requests.average)} | ${r.latency.p50} | ${r.latency.p99} | ${r.latency.max} | ${r['5xx']} | ${r.non2xx - r['5xx'] + r.errors + r.timeouts} | ${health.limiter} |`);
  }
} finally {
  redis.resume();
  await server.stop();
  await redis.kill();
  dir.remove();
}

console.log(`Posting through one taliq serve, ${CONNECTIONS} connections, ${SECONDS} s per phase (latency in ms)\n`);
console.log('| phase | req/s | p50 | p99 | max | 5xx | other failures | /healthz limiter after |');
console.log('|---|---|---|---|---|---|---|---|');
for (const row of rows) console.log(row);
console.log('\nThe server said:');
for (const line of server.output().split('\n').filter((l) => /Redis/.test(l))) console.log(`  ${line}`);
