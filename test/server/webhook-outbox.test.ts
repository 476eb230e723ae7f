/**
 * Webhooks leave through the store's outbox: a delivery outlives the process that queued it, two
 * instances draining at once never send one twice, and a receiver that keeps failing is given up
 * on after the last retry.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { LOOPBACK_HOOK_HOSTS, ORIGIN, SECRET, SITE, testApp } from '../support/app.js';
import { createApp } from '../../packages/server/src/app.js';

async function receiver(answer: (req: IncomingMessage) => number) {
  const got: { event: string; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d)).on('end', () => {
      const status = answer(req);
      if (status < 300) got.push({ event: String(req.headers['taliq-event']), body });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { got, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`, close: () => new Promise((r) => server.close(r)) };
}

const post = (app: ReturnType<typeof createApp>, body: string) => app.request(`/api/v1/sites/${SITE}/threads/t/comments`, {
  method: 'POST', headers: { origin: ORIGIN, 'content-type': 'application/json' }, body: JSON.stringify({ author: { name: 'قارئ' }, body }),
});

test('a delivery queued by an instance that died before sending it is sent by another instance', async () => {
  const hook = await receiver(() => 204);
  const t = await testApp({ webhookUrl: hook.url });
  try {
    // The first instance answers 201, then hangs in its attempt (as if it died there): the
    // delivery stays leased to it for a minute, then is anybody's.
    const dying = createApp({ store: t.store, secret: SECRET, allowedHookHosts: LOOPBACK_HOOK_HOSTS, clientIp: () => '198.51.100.1', fetch: () => new Promise(() => {}) });
    assert.equal((await post(dying, 'ينتظر المراجعة')).status, 201);
    assert.equal(hook.got.length, 0);
    const other = await t.openAnother();
    try {
      const early = createApp({ store: other, secret: SECRET, allowedHookHosts: LOOPBACK_HOOK_HOSTS, now: () => Date.now() + 30_000 });
      assert.equal(await early.work.drainWebhooks(), 0, 'still leased to the first instance');
      const survivor = createApp({ store: other, secret: SECRET, allowedHookHosts: LOOPBACK_HOOK_HOSTS, now: () => Date.now() + 61_000 });
      assert.equal(await survivor.work.drainWebhooks(), 1);
      assert.deepEqual(hook.got.map((g) => g.event), ['comment.pending']);
      assert.equal(await survivor.work.drainWebhooks(), 0, 'sent once, not again');
    } finally {
      await other.close();
    }
  } finally {
    await hook.close();
    await t.close();
  }
});

test('two instances draining at once send each delivery once', async () => {
  const hook = await receiver(() => 204);
  const t = await testApp({ webhookUrl: hook.url });
  const other = await t.openAnother();
  try {
    // Posted while the network was down: every first attempt failed, each retry is due in 2 s.
    const pending: Promise<unknown>[] = [];
    const offline = createApp({ store: t.store, secret: SECRET, allowedHookHosts: LOOPBACK_HOOK_HOSTS, clientIp: () => '198.51.100.1', defer: (p) => pending.push(p), fetch: async () => { throw new Error('offline'); } });
    for (let i = 0; i < 12; i++) assert.equal((await post(offline, `تعليق ${i}`)).status, 201);
    await Promise.all(pending);
    const later = () => Date.now() + 3_000;
    const a = createApp({ store: t.store, secret: SECRET, allowedHookHosts: LOOPBACK_HOOK_HOSTS, now: later });
    const b = createApp({ store: other, secret: SECRET, allowedHookHosts: LOOPBACK_HOOK_HOSTS, now: later });
    const [x, y] = await Promise.all([a.work.drainWebhooks(), b.work.drainWebhooks()]);
    assert.equal(x + y, 12);
    assert.equal(hook.got.length, 12);
    assert.equal(new Set(hook.got.map((g) => JSON.parse(g.body).comment.id)).size, 12);
  } finally {
    await other.close();
    await hook.close();
    await t.close();
  }
});

test('a receiver that keeps failing gets the first attempt and each retry, then is given up on', async () => {
  let attempts = 0;
  const hook = await receiver(() => (attempts++, 503));
  const t = await testApp({ webhookUrl: hook.url });
  const clock = { now: Date.now() };
  const pending: Promise<unknown>[] = [];
  try {
    const app = createApp({ store: t.store, secret: SECRET, allowedHookHosts: LOOPBACK_HOOK_HOSTS, now: () => clock.now, clientIp: () => '198.51.100.1', defer: (p) => pending.push(p), webhookRetryDelays: [1_000, 60_000] });
    assert.equal((await post(app, 'ينتظر')).status, 201);
    await Promise.all(pending);
    assert.equal(attempts, 1, 'tried once after the answer');
    assert.equal(await app.work.drainWebhooks(), 0);
    assert.equal(attempts, 1, 'not due before its retry delay');
    clock.now += 1_000;
    await app.work.drainWebhooks();
    assert.equal(attempts, 2);
    clock.now += 59_000;
    await app.work.drainWebhooks();
    assert.equal(attempts, 2, 'the second retry waits 60 s');
    clock.now += 1_000;
    await app.work.drainWebhooks();
    assert.equal(attempts, 3);
    clock.now += 3_600_000;
    await app.work.drainWebhooks();
    assert.equal(attempts, 3, 'given up after the last retry');
  } finally {
    await hook.close();
    await t.close();
  }
});
