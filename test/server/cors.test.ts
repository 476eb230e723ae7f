import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, ORIGIN, SITE, testApp } from '../support/app.js';

test('a registered origin gets CORS headers for itself, never *', async () => {
  const t = await testApp();
  const a = api(t);
  const res = await a.list('t');
  assert.equal(res.headers.get('access-control-allow-origin'), ORIGIN);
  assert.match(res.headers.get('vary') ?? '', /Origin/);
  await t.close();
});

test('a preflight from a registered origin allows posting JSON with an idempotency key', async () => {
  const t = await testApp();
  const res = await t.app.request(`/api/v1/sites/${SITE}/threads/t/comments`, {
    method: 'OPTIONS',
    headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, idempotency-key' },
  });
  assert.equal(res.status, 204);
  assert.equal(res.headers.get('access-control-allow-origin'), ORIGIN);
  assert.match(res.headers.get('access-control-allow-methods') ?? '', /POST/);
  assert.match(res.headers.get('access-control-allow-headers') ?? '', /Idempotency-Key/i);
  await t.close();
});

test('another origin gets no CORS headers, and cannot post or start a thread', async () => {
  const t = await testApp();
  const a = api(t);
  const evil = 'https://evil.example';
  const pre = await t.app.request(`/api/v1/sites/${SITE}/threads/t/comments`, { method: 'OPTIONS', headers: { origin: evil, 'access-control-request-method': 'POST' } });
  assert.equal(pre.status, 403);
  assert.equal(pre.headers.get('access-control-allow-origin'), null);
  const post = await a.post('t', { author: { name: 'x' }, body: 'y' }, { origin: evil });
  assert.equal(post.status, 403);
  assert.equal(post.body.error.code, 'origin_not_allowed');
  assert.equal(post.headers.get('access-control-allow-origin'), null);
  assert.equal(await t.store.getThread(SITE, 't'), null);
  // A look-alike origin (other scheme, port or subdomain) is another origin.
  for (const o of ['http://akhbar.example.ma', 'https://akhbar.example.ma:8443', 'https://www.akhbar.example.ma', 'null']) {
    assert.equal((await a.list('t', '', { origin: o })).status, 403, o);
  }
  await t.close();
});

test('moderation routes never answer another origin', async () => {
  const t = await testApp();
  const a = api(t);
  const res = await a.queue('status=pending', { origin: ORIGIN });
  assert.equal(res.status, 403);
  assert.equal(res.headers.get('access-control-allow-origin'), null);
  await t.close();
});
