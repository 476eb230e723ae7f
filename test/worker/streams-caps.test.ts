/**
 * The stream cap on Workers, on real workerd (Miniflare): each thread's Durable Object lets one
 * address (CF-Connecting-IP) hold at most TALIQ_MAX_STREAMS_PER_ADDRESS streams of its thread,
 * refuses the next with 429 too_many_streams and Retry-After, and gives places back when readers
 * leave; the same cap holds for one address across every thread (leases in the RateLimits
 * objects), so opening streams on many articles does not get round it.
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
  // A neighbour on another address is let in; the same address on another thread is not (its
  // share is across threads), nor its IPv4-mapped spelling.
  const neighbour = await open('article', '198.51.100.8');
  assert.equal(neighbour.status, 200);
  const otherThread = await open('other', '198.51.100.7');
  assert.equal(otherThread.status, 429);
  assert.equal((await otherThread.json()).error.code, 'too_many_streams');
  assert.equal((await open('third', '::ffff:198.51.100.7', w.b)).status, 429);
  assert.equal((await w.threadStats('caps', 'article')).streams, 3);
  assert.equal((await w.threadStats('caps', 'other')).streams, 0, 'a refused stream holds no place');
  // workerd notices a closed connection at its next write: up to one keep-alive (15 s).
  leave.abort();
  await eventually(async () => assert.equal((await w.threadStats('caps', 'article')).streams, 0), 'the places given back', 25_000);
  // Given back across threads too: the address opens on the other thread now.
  const back = await eventually(async () => {
    const r = await w.a('/api/v1/sites/caps/threads/other/events', { ip: '198.51.100.7', headers: { origin: ORIGIN } });
    if (r.status !== 200) await r.body?.cancel();
    assert.equal(r.status, 200);
    return r;
  }, 'the address let in on another thread', 10_000);
  await back.body?.cancel();
});
