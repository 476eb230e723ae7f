/**
 * When Redis fails: two API instances share their rate limits and used proofs of work through a
 * redis-server of this test's own, which the test kills, pauses and starts again. Posting keeps
 * answering quickly and never 500, limits fall back to per-process counting (one warning), and
 * /healthz says so; when Redis is back the instances share one count again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { createApp } from '../../packages/server/src/app.js';
import { CONNECT_TIMEOUT_MS, openRedisLimiter } from '../../packages/server/src/runtime/redis-limiter.js';
import { DEFAULT_SETTINGS } from '../../packages/shared/src/index.js';
import { NO_LIMITS, ORIGIN, SECRET, SITE, testApp, type TestApp } from '../support/app.js';
import { freePort, startRedisServer, type RedisServer } from '../support/redis-server.js';
import { startServer, taliq } from '../support/process.js';
import { tempDir } from '../support/temp-dir.js';

/**
 * "Answers in milliseconds": a request never waits on a dead Redis longer than the client's
 * command timeout (200 ms), once per outage. A client that queued commands until Redis came
 * back would wait for good.
 */
const QUICK_MS = 1000;
const PER_IP = 4;
const POW_SITE = 'pow';

type Instance = Awaited<ReturnType<typeof instance>>;

async function instance(t: TestApp, redisUrl: string, name: string, log: string[]) {
  const store = name === 'A' ? t.store : await t.openAnother();
  const limiter = await openRedisLimiter(redisUrl, { log: (line) => log.push(`${name}: ${line}`) });
  const app = createApp({ store, secret: SECRET, limiter, clientIp: (c) => c.req.header('x-test-ip') });
  const timed = async (path: string, init: RequestInit = {}) => {
    const started = performance.now();
    const res = await app.request(path, init);
    const ms = performance.now() - started;
    const body = await res.json();
    assert.notEqual(res.status, 500, `${name} ${path}: ${JSON.stringify(body)}`);
    assert.ok(ms < QUICK_MS, `${name} ${path} took ${Math.round(ms)} ms`);
    return { status: res.status, body };
  };
  return {
    name,
    /** Posts a comment from `ip`; answers the status. */
    post: async (ip: string, headers: Record<string, string> = {}, site = SITE) =>
      (await timed(`/api/v1/sites/${site}/threads/t/comments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: ORIGIN, 'x-test-ip': ip, ...headers },
        body: JSON.stringify({ author: { name: 'قارئ' }, body: `تعليق من ${ip}` }),
      })).status,
    health: async () => (await timed('/healthz')).body as { ok: boolean; store: string; limiter?: string },
    challenge: async () => (await timed(`/api/v1/sites/${POW_SITE}/challenge`)).body,
    close: async () => {
      await limiter.close();
      if (store !== t.store) await store.close();
    },
  };
}

/** A solved challenge, as the Taliq-Pow header carries it. */
function solve(ch: { salt: string; challenge: string }) {
  let number = 0;
  while (createHash('sha256').update(ch.salt + number).digest('hex') !== ch.challenge) number++;
  return { 'taliq-pow': Buffer.from(JSON.stringify({ ...ch, number })).toString('base64') };
}

/** Posts from `ip` on the instances in turn until one refuses; answers every status. */
async function postInTurn(ip: string, ...apps: Instance[]) {
  const statuses: string[] = [];
  for (let i = 0; i <= PER_IP; i++) statuses.push(`${apps[i % apps.length].name}${await apps[i % apps.length].post(ip)}`);
  return statuses;
}

async function waitFor(what: string, ok: () => Promise<boolean>) {
  for (let i = 0; i < 100; i++) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`${what} did not happen within 10 s`);
}

async function setUp() {
  const redis = await startRedisServer();
  const t = await testApp({ moderation: 'post', limits: { ...NO_LIMITS, posts: { perReader: 100_000, perIp: PER_IP, windowSeconds: 600 } } });
  await t.store.createSite(POW_SITE, { ...DEFAULT_SETTINGS, origins: [ORIGIN], moderation: 'post', limits: NO_LIMITS, proofOfWork: true });
  const log: string[] = [];
  const a = await instance(t, redis.url, 'A', log);
  const b = await instance(t, redis.url, 'B', log);
  return {
    redis, t, a, b, log,
    tearDown: async () => {
      await a.close();
      await b.close();
      await t.close();
      await redis.kill();
    },
  };
}

const warnings = (log: string[], name: string) => log.filter((l) => l.startsWith(`${name}: taliq: Redis does not answer`));
const recoveries = (log: string[], name: string) => log.filter((l) => l.startsWith(`${name}: taliq: Redis answers again`));

async function assertShared(a: Instance, b: Instance, ip: string) {
  assert.equal((await a.health()).limiter, 'shared');
  assert.equal((await b.health()).limiter, 'shared');
  // Two instances, one count: the fifth post from the address is refused, whichever gets it.
  assert.deepEqual(await postInTurn(ip, a, b), ['A201', 'B201', 'A201', 'B201', 'A429']);
  assert.equal(await b.post(ip), 429);
  // A solved challenge passes once across both.
  const solved = solve(await a.challenge());
  assert.equal(await a.post(ip, solved, POW_SITE), 201);
  assert.equal(await b.post(ip, solved, POW_SITE), 403, 'replayed on the other instance');
}

test('Redis killed mid-run: posting goes on, each instance counts alone, /healthz says degraded; restarted, the count is shared again', { timeout: 60_000 }, async () => {
  const { redis, a, b, log, tearDown } = await setUp();
  try {
    await assertShared(a, b, '198.51.100.1');
    assert.deepEqual(log, []);

    // Killed while requests are coming in.
    const during = Promise.all([a.post('198.51.100.2'), b.post('198.51.100.2'), redis.kill(), a.post('198.51.100.2'), b.post('198.51.100.2')]);
    const [s1, s2, , s3, s4] = await during;
    for (const s of [s1, s2, s3, s4]) assert.ok(s === 201 || s === 429, `status ${s}`);

    // Still counted, per process: each instance refuses its own fifth post from an address.
    assert.deepEqual(await postInTurn('198.51.100.3', a), ['A201', 'A201', 'A201', 'A201', 'A429']);
    assert.deepEqual(await postInTurn('198.51.100.3', b), ['B201', 'B201', 'B201', 'B201', 'B429']);
    for (const x of [a, b]) {
      const health = await x.health();
      assert.deepEqual(health, { ok: true, store: health.store, limiter: 'degraded' }, 'healthy, but not shared');
    }
    // Proof of work: single use per process while Redis is away.
    const solved = solve(await a.challenge());
    assert.equal(await a.post('198.51.100.4', solved, POW_SITE), 201);
    assert.equal(await a.post('198.51.100.4', solved, POW_SITE), 403, 'replayed on the same instance');
    assert.equal(await b.post('198.51.100.4', solved, POW_SITE), 201, 'another instance cannot know, until Redis is back');
    // One warning per instance for the whole outage, not one per request.
    assert.equal(warnings(log, 'A').length, 1, log.join('\n'));
    assert.equal(warnings(log, 'B').length, 1, log.join('\n'));

    await redis.start();
    await waitFor('both instances sharing again', async () => (await a.health()).limiter === 'shared' && (await b.health()).limiter === 'shared');
    assert.equal(recoveries(log, 'A').length, 1);
    assert.equal(recoveries(log, 'B').length, 1);
    await assertShared(a, b, '198.51.100.5');
    assert.equal(warnings(log, 'A').length + warnings(log, 'B').length, 2, 'no more warnings once back');
  } finally {
    await tearDown();
  }
});

test('a Redis that comes back empty (restarted without its data) does not hand out fresh counts: a used proof of work and an address at its limit stay refused on the instance that saw them', { timeout: 60_000 }, async () => {
  const { redis, a, b, tearDown } = await setUp();
  try {
    assert.deepEqual(await postInTurn('198.51.100.20', a), ['A201', 'A201', 'A201', 'A201', 'A429']);
    const solved = solve(await a.challenge());
    assert.equal(await a.post('198.51.100.21', solved, POW_SITE), 201);

    // Killed and started again: every count it held is gone.
    await redis.kill();
    await redis.start();
    await waitFor('both instances sharing again', async () => (await a.health()).limiter === 'shared' && (await b.health()).limiter === 'shared');

    assert.equal(await a.post('198.51.100.20'), 429, 'the address is still over its limit here');
    assert.equal(await a.post('198.51.100.21', solved, POW_SITE), 403, 'the proof of work is still used here');
    // Others it never saw are counted as before, shared again.
    assert.deepEqual(await postInTurn('198.51.100.22', a, b), ['A201', 'B201', 'A201', 'B201', 'A429']);
  } finally {
    await tearDown();
  }
});

test('Redis hung with its connections open: one request waits out the command timeout, the rest do not wait; resumed, the count is shared again', { timeout: 60_000 }, async () => {
  const { redis, a, b, log, tearDown } = await setUp();
  try {
    await assertShared(a, b, '198.51.100.11');
    redis.pause();
    assert.deepEqual(await postInTurn('198.51.100.12', a), ['A201', 'A201', 'A201', 'A201', 'A429']);
    assert.deepEqual(await postInTurn('198.51.100.12', b), ['B201', 'B201', 'B201', 'B201', 'B429']);
    assert.equal((await a.health()).limiter, 'degraded');
    assert.equal((await b.health()).limiter, 'degraded');
    assert.equal(warnings(log, 'A').length, 1, log.join('\n'));
    assert.match(warnings(log, 'A')[0], /timed out/);

    redis.resume();
    await waitFor('both instances sharing again', async () => (await a.health()).limiter === 'shared' && (await b.health()).limiter === 'shared');
    await assertShared(a, b, '198.51.100.13');
  } finally {
    redis.resume();
    await tearDown();
  }
});

test('a Redis that refuses to count (out of memory) is an outage too, tried again quietly until it counts', { timeout: 60_000 }, async () => {
  const { redis, a, b, log, tearDown } = await setUp();
  const { Redis } = await import('ioredis');
  const admin = new Redis(redis.url);
  try {
    await assertShared(a, b, '198.51.100.21');
    await admin.config('SET', 'maxmemory', '1'); // with the default noeviction: every write refused
    assert.deepEqual(await postInTurn('198.51.100.22', a), ['A201', 'A201', 'A201', 'A201', 'A429']);
    assert.equal((await a.health()).limiter, 'degraded');
    assert.match(warnings(log, 'A')[0] ?? '', /maxmemory/);
    // Tried again once a second, refused again, and nothing more is logged.
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal(await a.post('198.51.100.23'), 201);
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal((await a.health()).limiter, 'degraded');
    assert.equal(warnings(log, 'A').length, 1, log.join('\n'));
    assert.equal(recoveries(log, 'A').length, 0, log.join('\n'));

    await admin.config('SET', 'maxmemory', '0');
    await waitFor('both instances sharing again', async () => (await a.health()).limiter === 'shared' && (await b.health()).limiter === 'shared');
    await assertShared(a, b, '198.51.100.24');
  } finally {
    admin.disconnect();
    await tearDown();
  }
});

test('a REDIS_URL whose host takes the connection and never answers: the start waits at most the connect timeout, then posts are counted per process, with one warning', { timeout: 60_000 }, async () => {
  const sockets = new Set<Socket>();
  const hole = createServer((s) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
  await new Promise<void>((r) => hole.listen(0, '127.0.0.1', r));
  const t = await testApp({ moderation: 'post', limits: { ...NO_LIMITS, posts: { perReader: 100_000, perIp: PER_IP, windowSeconds: 600 } } });
  const log: string[] = [];
  let a: Instance | undefined;
  try {
    const started = performance.now();
    a = await instance(t, `redis://127.0.0.1:${(hole.address() as AddressInfo).port}`, 'A', log);
    assert.ok(performance.now() - started < CONNECT_TIMEOUT_MS + QUICK_MS, 'start held up');
    assert.equal((await a.health()).limiter, 'degraded');
    assert.deepEqual(await postInTurn('198.51.100.31', a), ['A201', 'A201', 'A201', 'A201', 'A429']);
    // The client drops the silent connection and tries again meanwhile; nothing more is logged.
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(await a.post('198.51.100.32'), 201);
    assert.equal(warnings(log, 'A').length, 1, log.join('\n'));
  } finally {
    await a?.close();
    await t.close();
    for (const s of sockets) s.destroy();
    await new Promise((r) => hole.close(r));
  }
});

test('`taliq serve` with REDIS_URL and no Redis: starts, posts, reports degraded with one warning, and shares once Redis starts', { timeout: 60_000 }, async () => {
  const dir = tempDir('taliq-redis-');
  const port = await freePort();
  const env = { TALIQ_DB: join(dir.path, 'taliq.db'), REDIS_URL: `redis://127.0.0.1:${port}` };
  let redis: RedisServer | undefined;
  const added = await taliq(['sites', 'add', 'akhbar', '--origin', ORIGIN, '--moderation', 'post'], env);
  assert.equal(added.code, 0, added.stderr);
  const server = await startServer([], env);
  try {
    const health = async () => {
      const res = await fetch(`${server.url}/healthz`);
      return { status: res.status, body: await res.json() };
    };
    assert.deepEqual(await health(), { status: 200, body: { ok: true, store: 'sqlite', limiter: 'degraded' } });
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const res = await fetch(`${server.url}/api/v1/sites/akhbar/threads/t/comments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: ORIGIN },
        body: JSON.stringify({ author: { name: 'قارئ' }, body: `تعليق ${i}` }),
      });
      assert.equal(res.status, 201, await res.text());
      assert.ok(performance.now() - started < QUICK_MS);
    }
    // The sixth from this address in a minute: limits are counted, in this process.
    const sixth = await fetch(`${server.url}/api/v1/sites/akhbar/threads/t/comments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: ORIGIN },
      body: JSON.stringify({ author: { name: 'قارئ' }, body: 'السادس' }),
    });
    assert.equal(sixth.status, 429);
    assert.equal(server.output().match(/Redis does not answer/g)?.length, 1, server.output());

    redis = await startRedisServer(port);
    await waitFor('taliq serve sharing', async () => (await health()).body.limiter === 'shared');
    assert.match(server.output(), /Redis answers again/);
  } finally {
    await server.stop();
    await redis?.kill();
    dir.remove();
  }
});
