import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_TOKEN, ORIGIN, SECRET, SITE, testApp } from '../support/app.js';
import { randomBytes } from 'node:crypto';
import { createApp } from '../../packages/server/src/app.js';
import { PageCache } from '../../packages/server/src/page-cache.js';

test('a cached first page never hides a change made through the API', async () => {
  const t = await testApp({ moderation: 'pre' });
  const app = createApp({ store: t.store, secret: SECRET, adminToken: 'admin-token-for-cache-0123456789abcdef', pageCacheMs: 60_000, clientIp: () => '203.0.113.9' });
  const list = async () => (await (await app.request(`/api/v1/sites/${SITE}/threads/t/comments`)).json()) as any;
  const json = (method: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
    app.request(`/api/v1${path}`, { method, headers: { 'content-type': 'application/json', origin: ORIGIN, ...headers }, body: JSON.stringify(body) });

  const posted = await (await json('POST', `/sites/${SITE}/threads/t/comments`, { author: { name: 'سارة' }, body: 'أول تعليق' })).json();
  const first = await list();
  assert.deepEqual(first.comments, []);
  assert.equal(typeof first.formToken, 'string');
  const admin = { authorization: 'Bearer admin-token-for-cache-0123456789abcdef', origin: '' };
  assert.equal((await json('POST', `/admin/comments/${posted.comment.id}/moderate`, { action: 'approve' }, admin)).status, 200);
  assert.deepEqual((await list()).comments.map((c: any) => c.body), ['أول تعليق'], 'approval shows at once');
  await json('PUT', `/comments/${posted.comment.id}/vote`, { value: 1 }, { 'taliq-reader': 'cache-test-reader-000' });
  assert.equal((await list()).comments[0].likes, 1, 'a vote shows at once');
  await json('PATCH', `/admin/sites/${SITE}`, { editWindowSeconds: 30 }, admin);
  assert.equal((await list()).thread.editWindowSeconds, 30, 'settings show at once');
  await t.close();
});

test('a large page goes gzipped to a client that accepts it, the same JSON once inflated; small ones and other clients get it plain', async () => {
  const t = await testApp({ moderation: 'post' });
  const app = createApp({ store: t.store, secret: SECRET, pageCacheMs: 60_000, compress: true, clientIp: () => '203.0.113.9' });
  const path = `/api/v1/sites/${SITE}/threads/t/comments`;
  const empty = await app.request(path, { headers: { 'accept-encoding': 'gzip, br' } });
  assert.equal(empty.headers.get('content-encoding'), null, 'a page under 1 KB is not worth compressing');
  assert.equal(empty.headers.get('vary'), 'Accept-Encoding');
  for (let i = 0; i < 20; i++) {
    await app.request(path, { method: 'POST', headers: { 'content-type': 'application/json', origin: ORIGIN }, body: JSON.stringify({ author: { name: `قارئ ${i}` }, body: `تعليق طويل بعض الشيء رقم ${i} عن المقال` }) });
  }
  const plain = await app.request(path);
  assert.equal(plain.headers.get('content-encoding'), null);
  const fromPage = await app.request(path, { headers: { origin: ORIGIN, 'accept-encoding': 'gzip' } });
  assert.deepEqual(fromPage.headers.get('vary')?.split(/,\s*/).sort(), ['Accept-Encoding', 'Origin'], 'caches keep both apart');
  const plainText = await plain.text();
  for (let round = 0; round < 2; round++) {
    const zipped = await app.request(path, { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    assert.equal(zipped.headers.get('content-encoding'), 'gzip');
    const raw = new Uint8Array(await zipped.arrayBuffer());
    assert.ok(raw.byteLength < plainText.length / 2, `compressed ${raw.byteLength} bytes of ${plainText.length}`);
    const inflated = await new Response(new Blob([raw]).stream().pipeThrough(new DecompressionStream('gzip'))).text();
    // The form token is stamped per answer with the current second; the page itself must match.
    const withoutToken = (text: string) => ({ ...JSON.parse(text), formToken: undefined });
    assert.deepEqual(withoutToken(inflated), withoutToken(plainText), 'the same answer, cached or not');
  }
  await t.close();
});

test('gzip only for an Accept-Encoding that takes it (gzip;q=0 is a refusal), and Vary keeps Origin next to Accept-Encoding', async () => {
  const t = await testApp({ moderation: 'post' });
  const app = createApp({ store: t.store, secret: SECRET, pageCacheMs: 60_000, compress: true, clientIp: () => '203.0.113.9' });
  const path = `/api/v1/sites/${SITE}/threads/t/comments`;
  for (let i = 0; i < 20; i++) {
    await app.request(path, { method: 'POST', headers: { 'content-type': 'application/json', origin: ORIGIN }, body: JSON.stringify({ author: { name: `قارئ ${i}` }, body: `تعليق طويل بعض الشيء رقم ${i} عن المقال` }) });
  }
  const cases: [string, string | null][] = [
    ['gzip;q=0', null], ['gzip; q=0.000, identity', null], ['br, gzip;q=0', null], ['*;q=0', null], ['identity', null], ['xgzip', null],
    ['gzip', 'gzip'], ['GZIP;Q=0.5', 'gzip'], ['x-gzip', 'gzip'], ['*', 'gzip'], ['br;q=1, gzip;q=0.1', 'gzip'], ['gzip;q=0, *', null],
  ];
  for (const [accept, encoding] of cases) {
    const res = await app.request(path, { headers: { 'accept-encoding': accept } });
    assert.equal(res.headers.get('content-encoding'), encoding, `Accept-Encoding: ${accept}`);
    if (!encoding) JSON.parse(await res.text());
  }
  const cors = await app.request(path, { headers: { 'accept-encoding': 'gzip', origin: ORIGIN } });
  assert.equal(cors.headers.get('access-control-allow-origin'), ORIGIN);
  assert.deepEqual(cors.headers.get('vary')?.split(/\s*,\s*/).sort(), ['Accept-Encoding', 'Origin']);
  await t.close();
});

test('comments.html is kept like the JSON page: a write through the API shows at once, a write the instance did not see waits for the cache', async () => {
  const t = await testApp({ moderation: 'post' });
  const app = createApp({ store: t.store, secret: SECRET, pageCacheMs: 60_000, compress: true, clientIp: () => '203.0.113.9' });
  const path = `/api/v1/sites/${SITE}/threads/t/comments.html`;
  const html = async (headers: Record<string, string> = {}) => (await app.request(path, { headers })).text();
  const post = (body: string) =>
    app.request(`/api/v1/sites/${SITE}/threads/t/comments`, { method: 'POST', headers: { 'content-type': 'application/json', origin: ORIGIN }, body: JSON.stringify({ author: { name: 'سارة' }, body }) });
  assert.equal((await post('أول تعليق')).status, 201);
  assert.match(await html(), /أول تعليق/);
  // Written by another instance (straight into the shared store): this one still serves its page.
  const thread = (await t.store.getThread(SITE, 't'))!;
  await t.store.insertComment({
    id: 'elsewhere0001', siteId: SITE, threadId: thread.id, parentId: null, rootId: null, authorName: 'غيره', authorEmail: null, readerId: null, verified: false,
    body: 'من نسخة أخرى', status: 'approved', reasons: [], idempotencyKey: null, flagged: false, ipHash: null, searchText: '', createdAt: Date.now(),
  });
  assert.doesNotMatch(await html(), /من نسخة أخرى/, 'served from the cache');
  // A write through this instance drops the cached pages: both comments show.
  assert.equal((await post('ثاني تعليق')).status, 201);
  const fresh = await html();
  assert.match(fresh, /من نسخة أخرى/);
  assert.match(fresh, /ثاني تعليق/);
  // Large enough, it goes gzipped from the same cached page, the same HTML once inflated.
  for (let i = 0; i < 15; i++) await post(`تعليق طويل بعض الشيء رقم ${i} عن المقال والمدينة`);
  const plain = await html();
  const zipped = await app.request(path, { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(zipped.headers.get('content-encoding'), 'gzip');
  const inflated = await new Response(new Blob([await zipped.arrayBuffer()]).stream().pipeThrough(new DecompressionStream('gzip'))).text();
  assert.equal(inflated, plain);
  await t.close();
});

test('comments.html may be framed only by the site\'s registered origins, runs nothing, and is never sniffed', async () => {
  const t = await testApp({ origins: [ORIGIN, 'https://m.akhbar.example.ma'] });
  const path = `/api/v1/sites/${SITE}/threads/t/comments.html`;
  const res = await t.app.request(path);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/html; charset=UTF-8');
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  const csp = res.headers.get('content-security-policy') ?? '';
  const directives = Object.fromEntries(csp.split(/;\s*/).map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));
  assert.deepEqual(directives['frame-ancestors'], [ORIGIN, 'https://m.akhbar.example.ma']);
  assert.deepEqual(directives['default-src'], ["'none'"], 'no script, style, image or frame of its own');
  assert.deepEqual(directives['base-uri'], ["'none'"]);
  // Settings changed through the API apply at once; a site without origins may be framed by nobody.
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
  assert.equal((await t.app.request(`/api/v1/admin/sites/${SITE}`, { method: 'PATCH', headers: admin, body: JSON.stringify({ origins: [] }) })).status, 200);
  const none = (await t.app.request(path)).headers.get('content-security-policy') ?? '';
  assert.match(none, /frame-ancestors 'none'(;|$)/);
  // An unknown site is the JSON error envelope, as every other route.
  const missing = await t.app.request('/api/v1/sites/nosuchsite/threads/t/comments.html');
  assert.equal(missing.status, 404);
  assert.equal(((await missing.json()) as any).error.code, 'site_not_found');
  await t.close();
});

test('the page cache holds many large pages, with their gzipped copies, within its byte bound: oldest out first, the newest kept', async () => {
  const bound = 1024 * 1024;
  const cache = new PageCache(60_000, bound);
  const now = Date.now();
  // 50–80 KB pages, half of them hard to compress: 80 of them are more than four times the bound.
  const page = (i: number) => new TextEncoder().encode(JSON.stringify({ i, text: i % 2 ? randomBytes(40_000).toString('base64') : `تعليق ${i} `.repeat(6_000) })) as Uint8Array<ArrayBuffer>;
  let total = 0;
  for (let i = 0; i < 80; i++) {
    const body = page(i);
    total += body.byteLength;
    const kept = cache.set(`p${i}`, body, now);
    await kept.gzipped();
    // The compressed copy is counted once it is made (a tick later).
    await new Promise((r) => setImmediate(r));
    assert.ok(cache.bytes <= bound, `after page ${i}: ${cache.bytes} bytes held, bound ${bound}`);
    assert.equal(cache.get(`p${i}`, now)?.body, body, 'the newest page is kept');
  }
  assert.ok(total > 4 * bound);
  assert.equal(cache.get('p0', now), undefined, 'the oldest went first');
  assert.ok(cache.bytes > bound / 2, `the bound is used, not emptied: ${cache.bytes}`);
  // A page over a quarter of the bound is answered, not kept.
  const huge = new Uint8Array(bound / 2 + 1);
  assert.equal(cache.set('huge', huge, now).body, huge);
  assert.equal(cache.get('huge', now), undefined);
  assert.ok(cache.bytes <= bound);
});

test('an app with a small page cache bound serves many threads\' large pages right and holds no more than the bound', async () => {
  const t = await testApp({ moderation: 'post' });
  const bound = 256 * 1024;
  const app = createApp({ store: t.store, secret: SECRET, pageCacheMs: 60_000, pageCacheBytes: bound, compress: true, clientIp: () => '203.0.113.9' });
  const base = { siteId: SITE, authorEmail: null, readerId: null, verified: false, reasons: [], idempotencyKey: null, flagged: false, ipHash: null, searchText: '' };
  for (let th = 0; th < 12; th++) {
    const thread = await t.store.ensureThread(SITE, `big-${th}`, { title: null, url: null });
    for (let i = 0; i < 20; i++) {
      await t.store.insertComment({ ...base, threadId: thread.id, id: `big${th}x${i}`, parentId: null, rootId: null, authorName: `قارئ ${i}`, body: `${th}/${i} ${'رأي طويل في المقال '.repeat(150)}`, status: 'approved', createdAt: 1_700_000_000_000 + i });
    }
  }
  for (let round = 0; round < 2; round++) {
    for (let th = 0; th < 12; th++) {
      const json = await app.request(`/api/v1/sites/${SITE}/threads/big-${th}/comments`, { headers: { 'accept-encoding': 'gzip' } });
      const page = JSON.parse(await new Response(json.body!.pipeThrough(new DecompressionStream('gzip'))).text());
      assert.equal(page.comments.length, 20);
      assert.ok(page.comments.every((c: any) => c.body.startsWith(`${th}/`)), 'each thread its own page');
      const html = await (await app.request(`/api/v1/sites/${SITE}/threads/big-${th}/comments.html`)).text();
      assert.equal(html.match(/<article /g)?.length, 20);
      await new Promise((r) => setImmediate(r));
      assert.ok(app.pages.bytes <= bound, `${app.pages.bytes} bytes held, bound ${bound}`);
    }
  }
  await t.close();
});
