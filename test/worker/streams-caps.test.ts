/**
 * The stream cap on Workers, on real workerd (Miniflare): each thread's Durable Object lets one
 * address (CF-Connecting-IP) hold at most TALIQ_MAX_STREAMS_PER_ADDRESS streams of its thread,
 * refuses the next with 429 too_many_streams and Retry-After, and gives places back when readers
 * leave. Per thread: another thread's object counts on its own (docs/self-hosting.md says so).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, sseReader, startTestWorker, WORKER_ADMIN_TOKEN, type TestWorker } from '../support/worker.js';

const ORIGIN = 'https://akhbar.example.ma';
let w: TestWorker;

before(async () => {
  w = await startTestWorker({ TALIQ_MAX_STREAMS_PER_ADDRESS: '2' });
  const res = await w.a('/api/v1/admin/sites', {
    method: 'POST',
    headers: { authorization: `Bearer ${WORKER_ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ id: 'caps', settings: { origins: [ORIGIN], moderation: 'pre' } }),
  });
  assert.equal(res.status, 201, await res.text());
});

after(async () => {
  await w?.dispose();
});

test('a thread\'s object lets one address hold its share of streams, refuses the next 429 with Retry-After, and frees the places when the readers leave', async () => {
  const leave = new AbortController();
  const open = (thread: string, ip: string, via = w.a) => via(`/api/v1/sites/caps/threads/${thread}/events`, { ip, headers: { origin: ORIGIN }, signal: leave.signal });
  const held = [await open('article', '198.51.100.7'), await open('article', '198.51.100.7', w.b)];
  for (const r of held) {
    assert.equal(r.status, 200);
    await sseReader(r).until((s) => s.includes('event: ready'), 'ready');
  }
  const refused = await open('article', '198.51.100.7');
  assert.equal(refused.status, 429);
  assert.match(refused.headers.get('retry-after') ?? '', /^\d+$/);
  assert.equal(refused.headers.get('access-control-allow-origin'), ORIGIN, 'the refusal is readable by the page');
  assert.equal((await refused.json()).error.code, 'too_many_streams');
  // A neighbour on another address, and the same address on another thread, are let in.
  const neighbour = await open('article', '198.51.100.8');
  assert.equal(neighbour.status, 200);
  const otherThread = await open('other', '198.51.100.7');
  assert.equal(otherThread.status, 200);
  assert.equal((await w.threadStats('caps', 'article')).streams, 3);
  // workerd notices a closed connection at its next write: up to one keep-alive (15 s).
  leave.abort();
  await eventually(async () => assert.equal((await w.threadStats('caps', 'article')).streams, 0), 'the places given back', 25_000);
  const back = await w.a('/api/v1/sites/caps/threads/article/events', { ip: '198.51.100.7', headers: { origin: ORIGIN } });
  assert.equal(back.status, 200);
  await back.body?.cancel();
});
