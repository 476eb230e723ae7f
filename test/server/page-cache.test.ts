import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ORIGIN, SECRET, SITE, testApp } from '../support/app.js';
import { createApp } from '../../packages/server/src/app.js';

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
