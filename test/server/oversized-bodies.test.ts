/**
 * A body over the limit gets its 413 envelope, readable by the client, on a real listening Node
 * server: the server answers, then closes without reading the rest (lingering close) instead of
 * resetting the connection under a client still sending.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { buildNodeApp, startNodeServer, withRemoteAddress } from '../../packages/server/src/runtime/node.js';
import { tempDir } from '../support/temp-dir.js';
import { SECRET, SITE, testApp } from '../support/app.js';

const TEN_MB = 10 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 'x');
const PATH = '/api/v1/sites/akhbar/threads/t/comments';

async function server() {
  const dir = tempDir('taliq-oversized-');
  const s = await startNodeServer({ port: 0, host: '127.0.0.1', db: join(dir.path, 'taliq.db'), secret: SECRET });
  return { port: s.port, close: async () => (await s.close(), dir.remove()) };
}

/**
 * Sends a request the way most HTTP clients do: the whole body first (a little slower than
 * loopback, as over a real link), and only then reads the answer, until the server closes.
 */
async function sendThenRead(port: number, head: string, chunks: Buffer[], pauseMs = 2) {
  const socket = net.connect(port, '127.0.0.1');
  socket.pause();
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let error: NodeJS.ErrnoException | undefined;
  socket.on('error', (e) => (error ??= e));
  const closed = new Promise((resolve) => socket.once('close', resolve));
  socket.write(head);
  for (const c of chunks) {
    if (error || socket.destroyed) break;
    if (!socket.write(c)) await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), closed]);
    if (pauseMs) await sleep(pauseMs);
  }
  let raw = '';
  socket.on('data', (d) => (raw += d));
  socket.resume();
  await closed;
  const [headers, body] = raw.split('\r\n\r\n');
  return { error: error?.code, status: Number(headers.split(' ')[1]), headers: headers.toLowerCase(), body: body ? JSON.parse(body) : undefined };
}

test('a 10 MB post with a Content-Length reads its 413 envelope, not ECONNRESET', async () => {
  const s = await server();
  const head = `POST ${PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${TEN_MB}\r\n\r\n`;
  const res = await sendThenRead(s.port, head, Array(TEN_MB / CHUNK.length).fill(CHUNK));
  assert.equal(res.error, undefined);
  assert.equal(res.status, 413);
  assert.match(res.headers, /\r\nconnection: close/);
  assert.equal(res.body.error.code, 'payload_too_large');
  await s.close();
});

test('a chunked body without Content-Length that grows past the limit reads its 413 envelope', async () => {
  const s = await server();
  const head = `POST ${PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`;
  const chunk = Buffer.concat([Buffer.from(`${CHUNK.length.toString(16)}\r\n`), CHUNK, Buffer.from('\r\n')]);
  const res = await sendThenRead(s.port, head, [...Array(TEN_MB / CHUNK.length).fill(chunk), Buffer.from('0\r\n\r\n')]);
  assert.equal(res.error, undefined);
  assert.equal(res.status, 413);
  assert.equal(res.body.error.code, 'payload_too_large');
  await s.close();
});

test('fetch with a streamed 10 MB body gets the 413 envelope, and the server serves on', async () => {
  const s = await server();
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(c) {
      if (sent >= TEN_MB) return c.close();
      await sleep(1);
      sent += CHUNK.length;
      c.enqueue(new Uint8Array(CHUNK));
    },
  });
  const res = await fetch(`http://127.0.0.1:${s.port}${PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, duplex: 'half' } as RequestInit);
  assert.equal(res.status, 413);
  assert.equal((await res.json()).error.code, 'payload_too_large');
  assert.equal((await fetch(`http://127.0.0.1:${s.port}/healthz`)).status, 200);
  await s.close();
});

test('a malformed request gets a 400 envelope', async () => {
  const s = await server();
  const res = await sendThenRead(s.port, 'POST /api/v1 HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n', []);
  assert.equal(res.status, 400);
  assert.equal(res.body.error.code, 'bad_request');
  await s.close();
});

test('a body the client cuts off (it hangs up mid-body) is a 400, not a 500 logged as an unexpected error', async () => {
  const t = await testApp();
  const answers: Promise<number>[] = [];
  const app = buildNodeApp(t.store, SECRET, {});
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({
      fetch: withRemoteAddress((req, env) => {
        const res = Promise.resolve(app.fetch(req, env));
        answers.push(res.then((r) => r.status));
        return res;
      }),
      port: 0,
      hostname: '127.0.0.1',
    }, () => resolve(s));
  });
  const logged: unknown[][] = [];
  const consoleError = console.error;
  console.error = (...args: unknown[]) => void logged.push(args);
  try {
    const port = (server.address() as AddressInfo).port;
    const path = `/api/v1/sites/${SITE}/threads/t/comments`;
    for (const [framing, part] of [['Transfer-Encoding: chunked', '100\r\n{"author":'], ['Content-Length: 100', '{"author":']]) {
      const socket = net.connect(port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.on('error', () => {});
      socket.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${framing}\r\n\r\n${part}`);
      while (answers.length === 0) await sleep(5);
      socket.destroy();
      assert.equal(await answers.shift(), 400, framing);
    }
    assert.deepEqual(logged.filter((a) => String(a[0]).includes('unexpected error')), [], 'nothing logged as unexpected');
  } finally {
    console.error = consoleError;
    (server as unknown as { closeAllConnections(): void }).closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await t.close();
  }
});
