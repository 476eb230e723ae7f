/**
 * The Worker as deployed (dist/worker/index.js and wrangler.jsonc) on real workerd through
 * Miniflare: D1 as the store, rate limits and proofs of work held by Durable Objects across two
 * isolates, live updates shared per thread in a Durable Object, the files with Node's headers,
 * and the cron. Needs the build (npm test builds first).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LIMITS } from '../../packages/shared/src/limits.js';
import { createModeratorToken } from '../../packages/server/src/moderators.js';
import { signSsoToken } from '../../packages/server/src/sso.js';
import { buildNodeApp } from '../../packages/server/src/runtime/node.js';
import { openSqliteStore } from '../../packages/server/src/store/sqlite.js';
import { eventually, sseReader, startTestWorker, WORKER_ADMIN_TOKEN, WORKER_SECRET, type TestWorker } from '../support/worker.js';

const ORIGIN = 'https://akhbar.example.ma';
const OPEN = { perReader: 100_000, perIp: 100_000, windowSeconds: 60 };

let w: TestWorker;

before(async () => {
  w = await startTestWorker({ TALIQ_DEMO: '1' });
});

after(async () => {
  await w?.dispose();
});

const admin = { authorization: `Bearer ${WORKER_ADMIN_TOKEN}`, 'content-type': 'application/json' };
const json = (body: unknown) => JSON.stringify(body);

/** A fresh site through the admin API (limits out of the way unless given), and a moderator token for it. */
async function site(id: string, settings: Record<string, unknown> = {}) {
  const res = await w.a('/api/v1/admin/sites', { method: 'POST', headers: admin, body: json({ id, settings: { origins: [ORIGIN], moderation: 'pre', limits: { posts: OPEN, votes: OPEN, reports: OPEN }, ...settings } }) });
  assert.equal(res.status, 201, await res.clone().text());
  const { token } = await createModeratorToken({ store: w.store, now: Date.now }, id, 'worker-test');
  return token;
}

function post(via: TestWorker['a'], siteId: string, thread: string, body: string, init: { ip?: string; headers?: Record<string, string> } = {}) {
  return via(`/api/v1/sites/${siteId}/threads/${thread}/comments`, {
    method: 'POST',
    ip: init.ip ?? '203.0.113.10',
    headers: { 'content-type': 'application/json', origin: ORIGIN, ...init.headers },
    body: json({ author: { name: 'سارة' }, body }),
  });
}

test('healthz answers from D1', async () => {
  const res = await w.a('/healthz');
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { ok: true, store: 'd1' });
});

test('a comment posted in pre-moderation is pending, and listed once a moderator approves it with their token', async () => {
  const token = await site('flow');
  const posted = await post(w.a, 'flow', 'article-1', 'رأيي في الموضوع');
  assert.equal(posted.status, 201);
  const { comment } = await posted.json();
  assert.equal(comment.status, 'pending');

  const list = async () => (await (await w.b('/api/v1/sites/flow/threads/article-1/comments', { headers: { origin: ORIGIN } })).json()).comments;
  assert.deepEqual(await list(), []);

  const queue = await (await w.a('/api/v1/admin/sites/flow/comments?status=pending', { headers: { authorization: `Bearer ${token}` } })).json();
  assert.deepEqual(queue.comments.map((c: { id: string }) => c.id), [comment.id]);
  const approved = await w.a(`/api/v1/admin/comments/${comment.id}/moderate`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: json({ action: 'approve' }) });
  assert.equal(approved.status, 200);
  // The other isolate reads D1: its page cache (one second) may hold the empty page a moment.
  await eventually(async () => assert.deepEqual((await list()).map((c: { body: string }) => c.body), ['رأيي في الموضوع']), 'the approved comment listed');
});

test('bad input gets the JSON error envelope, never a 500', async () => {
  await site('bad');
  const cases: [string, RequestInit, number][] = [
    ['/nowhere', {}, 404],
    ['/api/v1/sites/bad/threads/t/comments', { method: 'POST', headers: { 'content-type': 'application/json', origin: ORIGIN }, body: '{not json' }, 400],
    ['/api/v1/sites/bad/threads/t/comments', { method: 'POST', headers: { 'content-type': 'text/plain', origin: ORIGIN }, body: 'x' }, 415],
    ['/api/v1/sites/bad/threads/t/events?after=abc', {}, 400],
    ['/api/v1/sites/nope/threads/t/events', {}, 404],
    ['/api/v1/admin/sites/bad/comments', { headers: { authorization: 'Bearer wrong' } }, 401],
    // Just over the limit: the answer comes before the body is read, and a body this small is
    // already in the socket's buffers then (a much larger one can race the closing connection).
    ['/api/v1/sites/bad/threads/t/comments', { method: 'POST', headers: { 'content-type': 'application/json', origin: ORIGIN }, body: 'x'.repeat(LIMITS.requestBodyMax + 1) }, 413],
  ];
  for (const [path, init, status] of cases) {
    const res = await w.a(path, init);
    assert.equal(res.status, status, `${init.method ?? 'GET'} ${path}`);
    const body = await res.json();
    assert.equal(typeof body.error.code, 'string', path);
    assert.equal(typeof body.error.message, 'string', path);
  }
});

test('the bundles, the dashboard and the demo page have the same bytes and headers as on Node, and revalidate with 304', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'taliq-worker-static-'));
  const store = await openSqliteStore(join(dir, 'taliq.db'));
  try {
    const node = buildNodeApp(store, WORKER_SECRET, { demo: true });
    const HEADERS = ['content-type', 'etag', 'cache-control', 'access-control-allow-origin', 'cross-origin-resource-policy', 'content-security-policy', 'referrer-policy', 'x-content-type-options', 'x-frame-options'];
    const paths = ['/taliq.js', '/taliq-fr.js', '/taliq-en.js', '/taliq-count.js', '/taliq-pow.js', '/admin', '/admin/taliq-moderation.js', '/', '/article.css'];
    for (const path of paths) {
      const [onWorker, onNode] = [await w.a(path), await node.request(path)];
      assert.equal(onWorker.status, 200, path);
      for (const h of HEADERS) assert.equal(onWorker.headers.get(h), onNode.headers.get(h), `${path}: ${h}`);
      const [wb, nb] = [Buffer.from(await onWorker.arrayBuffer()), Buffer.from(await onNode.arrayBuffer())];
      assert.ok(wb.equals(nb), `${path}: same bytes`);
      const revalidated = await w.a(path, { headers: { 'if-none-match': onWorker.headers.get('etag')! } });
      assert.equal(revalidated.status, 304, path);
      await revalidated.arrayBuffer();
    }
    const script = await w.a('/taliq.js');
    assert.equal(script.headers.get('access-control-allow-origin'), '*');
    assert.equal(script.headers.get('cross-origin-resource-policy'), 'cross-origin');
    assert.match(script.headers.get('cache-control')!, /max-age=300/);
    await script.arrayBuffer();
    const dashboard = await w.a('/admin');
    assert.match(dashboard.headers.get('content-security-policy')!, /default-src 'none'; script-src 'self'.*frame-ancestors 'none'/);
    assert.equal(dashboard.headers.get('x-frame-options'), 'DENY');
    await dashboard.arrayBuffer();
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a rate limit counted in one isolate holds in the other: the Durable Object answers 429 with Retry-After', async () => {
  await site('limits', { limits: { posts: { perReader: 100, perIp: 2, windowSeconds: 60 }, votes: OPEN, reports: OPEN } });
  const ip = '198.51.100.23';
  assert.equal((await post(w.a, 'limits', 't', 'الأول', { ip })).status, 201);
  assert.equal((await post(w.b, 'limits', 't', 'الثاني', { ip })).status, 201);
  const third = await post(w.a, 'limits', 't', 'الثالث', { ip });
  assert.equal(third.status, 429);
  const retryAfter = Number(third.headers.get('retry-after'));
  assert.ok(retryAfter > 0 && retryAfter <= 60, `Retry-After ${retryAfter}`);
  assert.equal((await third.json()).error.code, 'rate_limited');
  const fourth = await post(w.b, 'limits', 't', 'الرابع', { ip });
  assert.equal(fourth.status, 429, 'refused in the other isolate too');
  await fourth.arrayBuffer();
  // Another address is counted on its own.
  assert.equal((await post(w.b, 'limits', 't', 'من عنوان آخر', { ip: '198.51.100.24' })).status, 201);
});

test('requests at the same moment each keep their own I/O: 30 concurrent posts from one address meet the limit exactly, none answered 500', async () => {
  // The isolate caches sites and pages; a cached *promise* awaited by another request runs that
  // request on the first one's I/O context, and workerd then refuses its D1 and Durable Object
  // calls (the limiter failed open and let everything through). Values only, so this holds.
  await site('together', { limits: { posts: { perReader: 100, perIp: 5, windowSeconds: 60 }, votes: OPEN, reports: OPEN } });
  // A request that has finished leaves the site in the isolates' caches; the next ones find it there.
  assert.equal((await w.a('/api/v1/sites/together/threads/t/comments')).status, 200);
  assert.equal((await w.b('/api/v1/sites/together/threads/t/comments')).status, 200);
  const answers = await Promise.all(Array.from({ length: 30 }, (_, i) =>
    Promise.all([post(i % 2 ? w.a : w.b, 'together', 't', `تعليق متزامن رقم ${i}`, { ip: '198.51.100.77' }), w.a('/api/v1/sites/together/threads/t/comments')])));
  const statuses = answers.map(([p]) => p.status);
  assert.deepEqual([...new Set(answers.map(([, l]) => l.status))], [200]);
  assert.equal(statuses.filter((x) => x === 201).length, 5, `statuses: ${statuses.join(' ')}`);
  assert.equal(statuses.filter((x) => x === 429).length, 25);
});

test('a solved proof-of-work challenge passes once: used again from the other isolate it is refused', async () => {
  await site('pow', { proofOfWork: true });
  const challenge = await (await w.a('/api/v1/sites/pow/challenge', { headers: { origin: ORIGIN } })).json();
  let number = 0;
  while (createHash('sha256').update(challenge.salt + number).digest('hex') !== challenge.challenge) number++;
  const solution = Buffer.from(json({ ...challenge, number })).toString('base64');

  assert.equal((await post(w.a, 'pow', 't', 'بحل صحيح', { headers: { 'taliq-pow': solution } })).status, 201);
  const replay = await post(w.b, 'pow', 't', 'بالحل نفسه', { headers: { 'taliq-pow': solution } });
  assert.equal(replay.status, 403);
  assert.equal((await replay.json()).error.code, 'forbidden');
  const again = await post(w.a, 'pow', 't', 'بالحل نفسه مرة أخرى', { headers: { 'taliq-pow': solution } });
  assert.equal(again.status, 403);
  await again.arrayBuffer();
});

test('two readers of a thread, on two isolates, both get the approval from one Durable Object that reads the log once per interval', async () => {
  const token = await site('live');
  // Readers leave as a browser tab does: the connection is closed (aborted), not just unread.
  const leave = new AbortController();
  const events = (via: TestWorker['a'], headers: Record<string, string> = {}) => via('/api/v1/sites/live/threads/article/events', { headers: { origin: ORIGIN, ...headers }, signal: leave.signal });
  const r1 = await events(w.a);
  assert.equal(r1.status, 200);
  assert.equal(r1.headers.get('content-type'), 'text/event-stream');
  assert.equal(r1.headers.get('access-control-allow-origin'), ORIGIN, 'CORS kept on the forwarded stream');
  const one = sseReader(r1);
  const two = sseReader(await events(w.b));
  for (const r of [one, two]) await r.until((s) => s.startsWith('event: ready\ndata: {}\nretry: 3000\n\n'), 'ready');
  await eventually(async () => assert.equal((await w.threadStats('live', 'article')).readers, 2), 'two readers on the object');

  const posted = await (await post(w.a, 'live', 'article', 'خبر يتابعه الجميع')).json();
  const approve = await w.b(`/api/v1/admin/comments/${posted.comment.id}/moderate`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: json({ action: 'approve' }) });
  assert.equal(approve.status, 200);
  await approve.arrayBuffer();
  for (const r of [one, two]) await r.until((s) => s.includes(`event: comment.approved\ndata: {"id":"${posted.comment.id}"`), 'the approval');
  const id = one.text.match(/^id: (\d+)$/m)![1];
  assert.match(two.text, new RegExp(`^id: ${id}$`, 'm'), 'the same event id on both streams');

  // With two readers, one read of the event log per one-second interval (not one per reader).
  const start = { at: Date.now(), stats: await w.threadStats('live', 'article') };
  await eventually(async () => assert.ok((await w.threadStats('live', 'article')).polls >= start.stats.polls + 3), 'three more polls');
  const end = { at: Date.now(), stats: await w.threadStats('live', 'article') };
  const polls = end.stats.polls - start.stats.polls;
  const intervals = (end.at - start.at) / 1000;
  assert.ok(polls <= Math.ceil(intervals) + 1, `${polls} reads of the log in ${intervals.toFixed(1)} s with 2 readers`);
  assert.equal(end.stats.readers, 2);

  // A reader coming back with its Last-Event-ID is caught up from there.
  const three = sseReader(await events(w.a, { 'last-event-id': String(Number(id) - 1) }));
  await three.until((s) => s.includes(`id: ${id}\n`), 'the missed approval');

  // Readers that leave are let go, and the object stops polling for nobody. workerd notices a
  // closed connection when it next writes to it, so this takes up to one keep-alive (15 s).
  leave.abort();
  await eventually(async () => assert.equal((await w.threadStats('live', 'article')).readers, 0), 'the readers gone', 25_000);
});

test('scheduled() forgets IP hashes older than 30 days, and those of lifted bans, on the 00:00 UTC run only', async () => {
  const token = await site('purge');
  const posted = await (await post(w.a, 'purge', 't', 'تعليق قديم')).json();
  // A ban on the reader's network, lifted: its address has no reason to stay.
  const mod = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const readerId = (await w.store.getComment(posted.comment.id))!.readerId;
  const ban = await (await w.a('/api/v1/admin/sites/purge/bans', { method: 'POST', headers: mod, body: json({ readerId, ip: true }) })).json();
  assert.equal(ban.ban.ip, true);
  assert.equal((await w.a(`/api/v1/admin/sites/purge/bans/${ban.ban.id}`, { method: 'DELETE', headers: mod })).status, 204);
  const banHash = async () => (await w.d1.prepare('SELECT ip_hash FROM bans WHERE id = ?').bind(ban.ban.id).all()).results[0].ip_hash;
  assert.ok(await banHash());
  const old = Date.now() - 31 * 24 * 3600 * 1000;
  await w.d1.prepare('UPDATE comments SET created_at = ? WHERE id = ?').bind(old, posted.comment.id).run();
  const ipHash = async () => (await w.d1.prepare('SELECT ip_hash FROM comments WHERE id = ?').bind(posted.comment.id).all()).results[0].ip_hash;
  assert.ok(await ipHash(), 'the comment came with an IP hash');

  const today = new Date(new Date().toISOString().slice(0, 10) + 'T00:00:00Z').getTime();
  await w.scheduled(new Date(today + 5 * 60_000));
  assert.ok(await ipHash(), 'the 00:05 run leaves it');
  await w.scheduled(new Date(today));
  assert.equal(await ipHash(), null, 'the 00:00 run forgets it');
  assert.equal(await banHash(), null, 'and the lifted ban’s address');
  assert.equal((await w.store.getComment(posted.comment.id))?.body, 'تعليق قديم', 'the comment itself stays');
});

test('without TALIQ_SECRET the Worker generates one and keeps it in D1; a short one is refused with the error envelope', async () => {
  const fresh = await startTestWorker({ TALIQ_SECRET: '' });
  try {
    assert.equal((await fresh.store.getMeta('secret'))?.length, 43);
  } finally {
    await fresh.dispose();
  }
  const short = await startTestWorker({ TALIQ_SECRET: 'too-short' }).catch((e: Error) => e);
  assert.ok(short instanceof Error && /healthz answered 500/.test(short.message));
});

test('a site secret rotated on one isolate holds on the other: both the new and, for the grace period, the old SSO secret sign readers in', async () => {
  await site('keys');
  const secretOf = async () => (await (await w.b('/api/v1/admin/sites/keys', { headers: admin })).json()).ssoSecret as string;
  const old = await secretOf();
  const rotated = await w.a('/api/v1/admin/sites/keys/secrets/sso/rotate', { method: 'POST', headers: admin });
  assert.equal(rotated.status, 200, await rotated.clone().text());
  const { secret, previousValidUntil } = await rotated.json();
  assert.equal(await secretOf(), secret);
  assert.ok(Date.parse(previousValidUntil) > Date.now() + 23 * 3600_000, 'a day of grace by default');
  const exp = Math.floor(Date.now() / 1000) + 3600;
  for (const key of [secret, old]) {
    const res = await post(w.b, 'keys', 'sso', 'تعليق قارئ مسجّل', { headers: { 'taliq-token': await signSsoToken(key, { sub: 'reader-1', name: 'سارة', exp }) } });
    assert.equal(res.status, 201, await res.clone().text());
    assert.equal((await res.json()).comment.author.verified, true);
  }
  const forged = await post(w.b, 'keys', 'sso', 'تعليق', { headers: { 'taliq-token': await signSsoToken('ssosec_guessed', { sub: 'reader-1', name: 'سارة', exp }) } });
  assert.equal(forged.status, 401);
  const kind = await w.a('/api/v1/admin/sites/keys/secrets/jwt/rotate', { method: 'POST', headers: admin });
  assert.equal(kind.status, 422);
});

test('the demo site of start:worker is created from Node through the same D1', async () => {
  const { ensureDemo } = await import('../../packages/server/src/demo.js');
  const { token } = await ensureDemo(w.store, 8787);
  const me = await w.a('/api/v1/admin/me', { headers: { authorization: `Bearer ${token}` } });
  assert.equal(me.status, 200);
  assert.equal((await me.json()).siteId, 'demo');
  assert.deepEqual((await w.store.getSite('demo'))?.settings.origins, ['http://localhost:8787', 'http://127.0.0.1:8787']);
  assert.equal((await w.store.getSite('demo'))?.settings.moderation, 'pre');
});
