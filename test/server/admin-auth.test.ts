/**
 * Signing in as a moderator or the operator: TALIQ_ADMIN_TOKEN has a minimum length, and wrong
 * tokens are throttled per client address.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createApp } from '../../packages/server/src/app.js';
import { RedisRateLimiter, type RateLimiter } from '../../packages/server/src/abuse/rate-limiter.js';
import { ADMIN_TOKEN, SECRET, SITE, testApp, type TestApp } from '../support/app.js';
import { tempDir } from '../support/temp-dir.js';
import { taliq } from '../support/process.js';

test('a short TALIQ_ADMIN_TOKEN stops `taliq serve` with a clear message, before anything listens', { timeout: 30_000 }, async () => {
  const dir = tempDir('taliq-admin-');
  try {
    const run = await taliq(['serve', '--port', '0'], { TALIQ_DB: join(dir.path, 'taliq.db'), TALIQ_ADMIN_TOKEN: 'admin123' });
    assert.equal(run.code, 1, run.stdout);
    assert.match(run.stderr, /TALIQ_ADMIN_TOKEN must be at least 32 characters \(it has 8\)/);
    assert.doesNotMatch(run.stdout, /listening/);
  } finally {
    dir.remove();
  }
});

test('createApp refuses a short admin token; 32 characters are enough', async () => {
  const t = await testApp();
  try {
    assert.throws(() => createApp({ store: t.store, secret: SECRET, adminToken: 'x'.repeat(31) }), /at least 32 characters/);
    const app = createApp({ store: t.store, secret: SECRET, adminToken: 'y'.repeat(32) });
    const me = await app.request('/api/v1/admin/me', { headers: { authorization: `Bearer ${'y'.repeat(32)}` } });
    assert.equal(me.status, 200);
  } finally {
    await t.close();
  }
});

/** The test store behind an app whose client address is the request's `x-test-ip`. */
function appFrom(t: TestApp, limiter?: RateLimiter) {
  const app = createApp({ store: t.store, secret: SECRET, adminToken: ADMIN_TOKEN, now: () => t.clock.now, clientIp: (c) => c.req.header('x-test-ip'), limiter });
  return async (ip: string, token: string) => {
    const res = await app.request(`/api/v1/admin/sites/${SITE}/comments`, { headers: { authorization: `Bearer ${token}`, 'x-test-ip': ip } });
    return { status: res.status, body: await res.json(), retryAfter: res.headers.get('retry-after') };
  };
}

test('ten wrong tokens from one address, then TALIQ_ADMIN_TOKEN and wrong tokens from it wait: 429 with Retry-After; store tokens and other addresses are not touched', async () => {
  const t = await testApp();
  try {
    const as = appFrom(t);
    const ip = '198.51.100.20';
    // Successes do not count.
    for (let i = 0; i < 30; i++) assert.equal((await as(ip, t.modToken)).status, 200);
    for (let i = 1; i <= 10; i++) {
      const r = await as(ip, `tq_guess${i}`);
      assert.equal(r.status, 401, `failure ${i}`);
      assert.equal(r.body.error.code, 'unauthorized');
    }
    const over = await as(ip, 'tq_guess11');
    assert.equal(over.status, 429);
    assert.equal(over.body.error.code, 'too_many_attempts');
    assert.match(over.body.error.message, /Too many wrong moderator tokens from this network; try again in 10 min \(tokens made by taliq tokens create still work\)/);
    assert.equal(over.retryAfter, '600');
    // Throttled: not told whether TALIQ_ADMIN_TOKEN (chosen by a person) is right. A store token
    // (144 random bits, beyond guessing) still works: the moderators who share the address do.
    assert.equal((await as(ip, ADMIN_TOKEN)).status, 429);
    assert.equal((await as(ip, t.modToken)).status, 200);
    assert.equal((await as(ip, 'tq_guess12')).status, 429);
    // Another address, a moderator elsewhere: unaffected.
    assert.equal((await as('198.51.100.21', t.modToken)).status, 200);
    assert.equal((await as('198.51.100.21', 'tq_wrong')).status, 401);
    // The window ends: the admin token works again.
    t.clock.now += 5 * 60_000;
    assert.equal((await as(ip, ADMIN_TOKEN)).status, 429);
    assert.equal(Number((await as(ip, ADMIN_TOKEN)).retryAfter), 300);
    t.clock.now += 5 * 60_000;
    assert.equal((await as(ip, ADMIN_TOKEN)).status, 200);
    assert.equal((await as(ip, 'tq_wrong')).status, 401);
  } finally {
    await t.close();
  }
});

test('IPv6 addresses are counted per /64: one subscriber\'s network, not its neighbours\'', async () => {
  const t = await testApp();
  try {
    const as = appFrom(t);
    for (let i = 1; i <= 10; i++) assert.equal((await as(`2001:db8:1:1::${i.toString(16)}`, 'tq_wrong')).status, 401);
    assert.equal((await as('2001:db8:1:1:ffff::1', ADMIN_TOKEN)).status, 429, 'the same /64');
    assert.equal((await as('2001:db8:1:2::1', ADMIN_TOKEN)).status, 200, 'the next /64');
  } finally {
    await t.close();
  }
});

test('a missing Authorization header is not a failed sign-in', async () => {
  const t = await testApp();
  try {
    const app = createApp({ store: t.store, secret: SECRET, adminToken: ADMIN_TOKEN, clientIp: () => '198.51.100.30' });
    for (let i = 0; i < 15; i++) assert.equal((await app.request(`/api/v1/admin/sites/${SITE}/comments`)).status, 401);
    assert.equal((await appFrom(t)('198.51.100.30', t.modToken)).status, 200);
  } finally {
    await t.close();
  }
});

test('with Redis, failures are counted across API instances', { skip: !process.env.REDIS_URL && 'REDIS_URL is not set' }, async () => {
  const { Redis } = await import('ioredis');
  const prefix = `taliq-test:${randomUUID()}:`;
  const one = new RedisRateLimiter(new Redis(process.env.REDIS_URL!), prefix);
  const two = new RedisRateLimiter(new Redis(process.env.REDIS_URL!), prefix);
  const t = await testApp();
  try {
    const a = appFrom(t, one);
    const b = appFrom(t, two);
    for (let i = 1; i <= 10; i++) assert.equal((await (i % 2 ? a : b)('198.51.100.40', 'tq_wrong')).status, 401);
    const over = await b('198.51.100.40', ADMIN_TOKEN);
    assert.equal(over.status, 429);
    assert.ok(Number(over.retryAfter) > 590 && Number(over.retryAfter) <= 600, over.retryAfter ?? '');
    assert.equal((await a('198.51.100.41', t.modToken)).status, 200);
  } finally {
    await t.close();
    await one.close();
    await two.close();
  }
});
