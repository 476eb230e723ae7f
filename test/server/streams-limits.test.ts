/**
 * Caps on live-update streams, on a real Node server on a port where the client's address is the
 * socket's: one address (IPv6: one /64) holds at most its share across all threads, the instance
 * at most its total; refusals are JSON envelopes with Retry-After; every way a stream ends gives
 * its place back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { join } from 'node:path';
import { buildNodeApp, startNodeServer, withRemoteAddress } from '../../packages/server/src/runtime/node.js';
import { tempDir } from '../support/temp-dir.js';
import { DEFAULT_SETTINGS } from '../../packages/shared/src/index.js';
import { SECRET, SITE, testApp, type TestApp } from '../support/app.js';

interface Server {
  t: TestApp;
  app: ReturnType<typeof buildNodeApp>;
  port: number;
  close(): Promise<void>;
}

async function start(opts: { maxStreamsPerAddress?: number; maxStreams?: number; trustedProxies?: number }): Promise<Server> {
  const t = await testApp();
  const app = buildNodeApp(t.store, SECRET, opts);
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: withRemoteAddress(app.fetch), port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  return {
    t, app, port,
    close: async () => {
      (server as http.Server).closeAllConnections?.();
      await new Promise<void>((r) => server.close(() => r()));
      await t.close();
    },
  };
}

interface Opened {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body so far (a refusal's whole envelope; a stream's first frames). */
  text(): Promise<string>;
  /** Hangs up, as a reader closing the tab. */
  abort(): void;
  /** Resolves when the server has ended the response. */
  ended: Promise<void>;
}

/** Opens a thread's stream from `from` (a loopback source address), answered once the head has come. */
function open(s: Pick<Server, 'port'>, thread: string, from = '127.0.0.1', headers: Record<string, string> = {}): Promise<Opened> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: s.port, localAddress: from, agent: false, path: `/api/v1/sites/${SITE}/threads/${thread}/events`, headers }, (res) => {
      let body = '';
      const waiting: (() => void)[] = [];
      res.setEncoding('utf8');
      res.on('data', (d) => {
        body += d;
        waiting.splice(0).forEach((w) => w());
      });
      const ended = new Promise<void>((r) => res.on('close', () => {
        waiting.splice(0).forEach((w) => w());
        r();
      }));
      resolve({
        status: res.statusCode!,
        headers: res.headers,
        text: async () => {
          // A refusal is complete when it ends; a stream has started once its `ready` frame came.
          while (!res.complete && !body.includes('event: ready') && !res.destroyed) await new Promise<void>((r) => waiting.push(r));
          return body;
        },
        abort: () => req.destroy(),
        ended,
      });
    });
    req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(e)));
  });
}

/** Waits for `ok` (the server notices a hang-up when the socket closes, not at once). */
async function eventually(ok: () => boolean, what: string) {
  const deadline = Date.now() + 10_000;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('one address holds at most its share of streams across every thread; the next gets 429 too_many_streams with Retry-After, and other addresses still get in', async () => {
  const s = await start({ maxStreamsPerAddress: 3 });
  try {
    const held = [await open(s, 'a'), await open(s, 'b'), await open(s, 'c')];
    for (const h of held) {
      assert.equal(h.status, 200);
      assert.match(h.headers['content-type']!, /text\/event-stream/);
      assert.match(await h.text(), /event: ready/);
    }
    const refused = await open(s, 'd');
    assert.equal(refused.status, 429);
    assert.match(refused.headers['retry-after']!, /^\d+$/);
    assert.ok(Number(refused.headers['retry-after']) >= 1);
    assert.equal(JSON.parse(await refused.text()).error.code, 'too_many_streams');
    // The same thread again is refused too: the share is per address, not per thread.
    assert.equal((await open(s, 'a')).status, 429);
    // Another address is not this one's neighbour.
    const other = await open(s, 'a', '127.0.0.2');
    assert.equal(other.status, 200);
    assert.equal(s.app.streams.countFor('127.0.0.1'), 3);
    assert.equal(s.app.streams.size, 4);
    // One of the first address's readers leaves: its place is free again.
    held[0].abort();
    await eventually(() => s.app.streams.countFor('127.0.0.1') === 2, 'the place to come back');
    const again = await open(s, 'd');
    assert.equal(again.status, 200);
    for (const h of [...held, other, again]) h.abort();
    await eventually(() => s.app.streams.size === 0, 'every place to come back');
  } finally {
    await s.close();
  }
});

test('the instance holds at most its total: over it, 503 server_busy with Retry-After, whatever the address', async () => {
  const s = await start({ maxStreamsPerAddress: 10, maxStreams: 2 });
  try {
    const a = await open(s, 'x', '127.0.0.3');
    const b = await open(s, 'y', '127.0.0.4');
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
    const refused = await open(s, 'x', '127.0.0.5');
    assert.equal(refused.status, 503);
    assert.match(refused.headers['retry-after']!, /^\d+$/);
    const body = JSON.parse(await refused.text());
    assert.equal(body.error.code, 'server_busy');
    assert.equal(typeof body.error.message, 'string');
    a.abort();
    b.abort();
    await eventually(() => s.app.streams.size === 0, 'the places to come back');
    assert.equal((await open(s, 'x', '127.0.0.5')).status, 200);
  } finally {
    await s.close();
  }
});

test('IPv6 readers are counted per /64: two addresses of one /64 share a count, another /64 has its own', async () => {
  // Behind one trusted proxy, the address is the X-Forwarded-For the proxy wrote.
  const s = await start({ maxStreamsPerAddress: 2, trustedProxies: 1 });
  const from = (ip: string) => ({ 'x-forwarded-for': ip });
  try {
    const first = await open(s, 'v6', '127.0.0.1', from('2001:db8:aa:1::1'));
    const second = await open(s, 'v6', '127.0.0.1', from('2001:db8:aa:1:ffff:1:2:3'));
    assert.equal(first.status, 200);
    assert.equal(second.status, 200);
    const neighbour = await open(s, 'v6', '127.0.0.1', from('2001:0db8:00aa:0001:abcd::9'));
    assert.equal(neighbour.status, 429, 'a third address of the same /64 is over the share');
    const otherNet = await open(s, 'v6', '127.0.0.1', from('2001:db8:aa:2::1'));
    assert.equal(otherNet.status, 200, 'the next /64 is someone else');
    for (const h of [first, second, otherNet]) h.abort();
    await eventually(() => s.app.streams.size === 0, 'every place to come back');
  } finally {
    await s.close();
  }
});

test('behind a proxy that writes the port with the address (1.2.3.4:5678, [2001:db8::1]:443), one address is still one count, whatever its ports', async () => {
  const s = await start({ maxStreamsPerAddress: 2, trustedProxies: 1 });
  const from = (ip: string) => ({ 'x-forwarded-for': ip });
  try {
    const opened = [await open(s, 'ports', '127.0.0.1', from('198.51.100.7:40001')), await open(s, 'ports', '127.0.0.1', from('198.51.100.7:40002'))];
    assert.deepEqual(opened.map((o) => o.status), [200, 200]);
    assert.equal((await open(s, 'ports', '127.0.0.1', from('198.51.100.7:40003'))).status, 429, 'a new port is not a new reader');
    assert.equal((await open(s, 'ports', '127.0.0.1', from('198.51.100.7'))).status, 429, 'nor the address without its port');
    const v6 = [await open(s, 'ports', '127.0.0.1', from('[2001:db8:aa:1::1]:443')), await open(s, 'ports', '127.0.0.1', from('[2001:db8:aa:1::2]:444'))];
    assert.deepEqual(v6.map((o) => o.status), [200, 200]);
    assert.equal((await open(s, 'ports', '127.0.0.1', from('2001:db8:aa:1::3'))).status, 429, 'the same /64, bracketed or not');
    for (const h of [...opened, ...v6]) h.abort();
    await eventually(() => s.app.streams.size === 0, 'every place to come back');
  } finally {
    await s.close();
  }
});

test('a stream gives its place back however it ends: the reader hanging up, the server ending it, and a failure to start', async () => {
  const s = await start({ maxStreamsPerAddress: 50 });
  try {
    // Hang-ups, many at once.
    const many = await Promise.all(Array.from({ length: 20 }, (_, i) => open(s, `t${i % 3}`)));
    assert.ok(many.every((m) => m.status === 200));
    await Promise.all(many.map((m) => m.text()));
    assert.equal(s.app.streams.size, 20);
    for (const m of many) m.abort();
    await eventually(() => s.app.streams.size === 0, 'the hung-up streams to give their places back');

    // The server ends them: the store fails while a stream is starting (it is ended, not kept).
    const getThread = s.t.store.getThread.bind(s.t.store);
    s.t.store.getThread = async () => {
      throw new Error('store down');
    };
    const failed = await open(s, 'fails');
    await failed.ended;
    s.t.store.getThread = getThread;
    await eventually(() => s.app.streams.size === 0, 'the failed stream to give its place back');

    // Every place came back: the whole share is available again.
    const refill = await Promise.all(Array.from({ length: 50 }, () => open(s, 'again')));
    assert.ok(refill.every((m) => m.status === 200));
    assert.equal((await open(s, 'again')).status, 429);
    for (const m of refill) m.abort();
    await eventually(() => s.app.streams.size === 0, 'the refill to give its places back');
  } finally {
    await s.close();
  }
});

test('stopping the server (SIGTERM) ends the open streams and the server closes, instead of waiting out their 10 minutes', { timeout: 30_000 }, async () => {
  const dir = tempDir('taliq-streams-stop-');
  const s = await startNodeServer({ port: 0, host: '127.0.0.1', db: join(dir.path, 'taliq.db'), secret: SECRET });
  try {
    await s.store.createSite(SITE, { ...DEFAULT_SETTINGS });
    const readers = await Promise.all([open(s, 'a'), open(s, 'a'), open(s, 'b')]);
    assert.ok(readers.every((r) => r.status === 200));
    await Promise.all(readers.map((r) => r.text()));
    let closed = false;
    const closing = s.close().then(() => (closed = true));
    // Each reader sees its stream end (EventSource reconnects, to another instance or this one restarted).
    await Promise.all(readers.map((r) => r.ended));
    await eventually(() => closed, 'the server to close');
    await closing;
    assert.equal(s.streams.size, 0);
  } finally {
    dir.remove();
  }
});
