import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, SITE, testApp, type TestApp } from '../support/app.js';

/** Every rejected request must leave the database exactly as it was. */
async function snapshot(t: TestApp) {
  const counts = await t.store.queueCounts(SITE);
  const threads = await t.store.getThread(SITE, 't');
  return JSON.stringify({ counts, threads });
}

const valid = { author: { name: 'سارة' }, body: 'رأيي' };

test('bad comments get 422 with the field and zod issue, and store nothing', async () => {
  const t = await testApp();
  const a = api(t);
  const before = await snapshot(t);
  const cases: [unknown, (string | number)[]][] = [
    [{ ...valid, author: { name: '' } }, ['author', 'name']],
    [{ ...valid, author: { name: '   \u200F ' } }, ['author', 'name']],
    [{ ...valid, author: { name: 'ا'.repeat(51) } }, ['author', 'name']],
    [{ ...valid, body: '   \n\t  ' }, ['body']],
    [{ ...valid, body: 'ب'.repeat(5001) }, ['body']],
    [{ ...valid, body: 42 }, ['body']],
    [{ ...valid, author: { name: 'x', email: 'not-an-email' } }, ['author', 'email']],
    [{ ...valid, isAdmin: true }, []],
    [{ ...valid, author: { name: 'x', role: 'moderator' } }, ['author']],
    [{ ...valid, thread: { url: 'javascript:alert(1)' } }, ['thread', 'url']],
    [{ author: { name: 'x' } }, ['body']],
    [[], []],
    [null, []],
  ];
  for (const [input, path] of cases) {
    const res = await a.post('t', input as never);
    assert.equal(res.status, 422, JSON.stringify(input).slice(0, 80));
    assert.equal(res.body.error.code, 'validation_failed');
    assert.equal(typeof res.body.error.message, 'string');
    assert.ok(res.body.error.issues.some((i: any) => JSON.stringify(i.path) === JSON.stringify(path)), `${JSON.stringify(res.body.error.issues)} names ${path}`);
  }
  assert.equal(await snapshot(t), before);
  await t.close();
});

test('names and bodies are stored as NFC, without control or bidi override characters, newlines kept', async () => {
  const t = await testApp({ moderation: 'post' });
  const a = api(t);
  const res = await a.post('t', {
    author: { name: '  \u202Eسارة\u0007  ' },
    // "é" decomposed (e + combining acute) must come back composed.
    body: '  Cafe\u0301 \u0000جميل\r\nسطر ثان\u2066  ',
  });
  assert.equal(res.status, 201);
  assert.equal(res.body.comment.author.name, 'سارة');
  assert.equal(res.body.comment.body, 'Café جميل\nسطر ثان');
  assert.equal(res.body.comment.body.length, 'Café جميل\nسطر ثان'.length);
  // Exactly at the limits is fine.
  const edge = await a.post('t', { author: { name: 'ن'.repeat(50) }, body: 'ب'.repeat(5000) });
  assert.equal(edge.status, 201);
  await t.close();
});

test('malformed JSON is 400, a body that is not JSON is 415, both in the envelope', async () => {
  const t = await testApp();
  const a = api(t);
  const bad = await a.call('POST', `/sites/${SITE}/threads/t/comments`, '{"author": {', {});
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 'bad_request');
  const form = await a.call('POST', `/sites/${SITE}/threads/t/comments`, 'author=x&body=y', { headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(form.status, 415);
  assert.equal(form.body.error.code, 'unsupported_media_type');
  assert.equal(await t.store.getThread(SITE, 't'), null);
  await t.close();
});

test('a body over 32 KB is refused with 413', async () => {
  const t = await testApp();
  const a = api(t);
  const res = await a.post('t', { author: { name: 'x' }, body: 'ب'.repeat(20_000) });
  assert.equal(res.status, 413);
  assert.equal(res.body.error.code, 'payload_too_large');
  assert.equal(await t.store.getThread(SITE, 't'), null);
  await t.close();
});

test('a streamed body without a length is cut off at 32 KB, not read whole', async () => {
  const t = await testApp();
  let sent = 0;
  const chunk = new TextEncoder().encode('ب'.repeat(4096));
  const body = new ReadableStream({
    pull(controller) {
      // An endless body: only a limit that stops reading lets this request end.
      sent += chunk.length;
      controller.enqueue(chunk);
    },
  });
  const res = await t.app.request(`/api/v1/sites/${SITE}/threads/t/comments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: 'https://akhbar.example.ma' },
    body,
    duplex: 'half',
  } as RequestInit);
  assert.equal(res.status, 413);
  assert.ok(sent < 200_000, `read ${sent} bytes`);
  await t.close();
});

test('query and path parameters are bounded', async () => {
  const t = await testApp();
  const a = api(t);
  for (const q of ['limit=0', 'limit=101', 'limit=abc', 'sort=random', 'extra=1', 'limit=1&limit=2']) {
    const res = await a.list('t', q);
    assert.equal(res.status, 400, q);
    assert.equal(res.body.error.code, 'validation_failed');
  }
  const longKey = await a.list('k'.repeat(201));
  assert.equal(longKey.status, 400);
  const badSite = await a.call('GET', '/sites/Not%20A%20Site/threads/t/comments');
  assert.equal(badSite.status, 400);
  const idem = await a.post('t', valid, { headers: { 'idempotency-key': 'x'.repeat(101) } });
  assert.equal(idem.status, 400);
  await t.close();
});

test('unknown sites, comments and routes are 404 in the envelope', async () => {
  const t = await testApp();
  const a = api(t);
  const site = await a.call('GET', '/sites/nope/threads/t/comments', undefined, { origin: null });
  assert.equal(site.status, 404);
  assert.equal(site.body.error.code, 'site_not_found');
  const route = await a.call('GET', '/nothing/here');
  assert.equal(route.status, 404);
  assert.equal(route.body.error.code, 'not_found');
  const edit = await a.call('PATCH', '/comments/unknown', { body: 'x' }, { headers: { authorization: 'Bearer unknown.x' } });
  assert.equal(edit.status, 403);
  await t.close();
});
