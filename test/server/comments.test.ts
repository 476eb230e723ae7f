import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, ORIGIN, seedApproved, SITE, testApp } from '../support/app.js';

const sara = { author: { name: 'سارة' }, body: 'مقال مفيد، شكرًا للكاتب' };

test('a posted comment waits for review and nobody else sees it', async () => {
  const t = await testApp();
  const a = api(t);
  const res = await a.post('article-42', sara);
  assert.equal(res.status, 201);
  assert.equal(res.body.comment.status, 'pending');
  assert.equal(res.body.comment.body, sara.body);
  assert.equal(res.body.comment.author.name, 'سارة');
  assert.equal(typeof res.body.editToken, 'string');
  const page = await a.list('article-42');
  assert.equal(page.status, 200);
  assert.deepEqual(page.body.comments, []);
  assert.equal(page.body.thread.count, 0);
  await t.close();
});

test('the author still sees their pending comment through the receipt, and only theirs', async () => {
  const t = await testApp();
  const a = api(t);
  const mine = await a.post('article-42', sara);
  const other = await a.post('article-42', { author: { name: 'Karim' }, body: 'Salam' });
  const seen = await a.mine('article-42', [mine.body.editToken, 'forged.receipt', `${other.body.comment.id}.AAAA`]);
  assert.equal(seen.status, 200);
  assert.deepEqual(seen.body.comments.map((c: any) => [c.id, c.status]), [[mine.body.comment.id, 'pending']]);
  // A receipt for another thread shows nothing here.
  const elsewhere = await a.mine('article-43', [mine.body.editToken]);
  assert.deepEqual(elsewhere.body.comments, []);
  await t.close();
});

test('an approved comment shows in the thread with the public shape only', async () => {
  const t = await testApp();
  const a = api(t);
  const posted = await a.post('article-42', { author: { name: 'سارة', email: 'sara@example.ma' }, body: 'رأيي' });
  assert.equal((await a.moderate(posted.body.comment.id, 'approve')).status, 200);
  const page = await a.list('article-42');
  assert.equal(page.body.comments.length, 1);
  const c = page.body.comments[0];
  assert.deepEqual(Object.keys(c).sort(), ['author', 'body', 'createdAt', 'dislikes', 'editedAt', 'id', 'likes', 'parentId']);
  assert.deepEqual(c.author, { name: 'سارة', verified: false });
  assert.equal(page.body.thread.count, 1);
  const raw = JSON.stringify(page.body);
  assert.ok(!raw.includes('sara@example.ma') && !raw.includes('203.0.113.7'), 'no email or IP in a public answer');
  await t.close();
});

test('post-moderated sites publish at once', async () => {
  const t = await testApp({ moderation: 'post' });
  const a = api(t);
  const res = await a.post('article-42', sara);
  assert.equal(res.body.comment.status, 'approved');
  assert.equal((await a.list('article-42')).body.comments.length, 1);
  await t.close();
});

test('a comment with more links than allowed waits for review even on a post-moderated site', async () => {
  const t = await testApp({ moderation: 'post', maxLinks: 1 });
  const a = api(t);
  const res = await a.post('article-42', { author: { name: 'Spam' }, body: 'https://a.example http://b.example www.c.example' });
  assert.equal(res.body.comment.status, 'pending');
  const queue = await a.queue();
  assert.deepEqual(queue.body.comments[0].reasons, [{ code: 'links', detail: '3' }]);
  await t.close();
});

test('threads start only from a registered origin', async () => {
  const t = await testApp();
  const a = api(t);
  const fromCurl = await a.post('new-article', sara, { origin: null });
  assert.equal(fromCurl.status, 404);
  assert.equal(fromCurl.body.error.code, 'thread_not_found');
  assert.equal(await t.store.getThread(SITE, 'new-article'), null);
  const fromPage = await a.post('new-article', { ...sara, thread: { title: 'عنوان المقال', url: `${ORIGIN}/news/1` } });
  assert.equal(fromPage.status, 201);
  const thread = await t.store.getThread(SITE, 'new-article');
  assert.equal(thread?.title, 'عنوان المقال');
  assert.equal(thread?.url, `${ORIGIN}/news/1`);
  // Once it exists, a client without an Origin (a server, curl) may post to it.
  assert.equal((await a.post('new-article', sara, { origin: null })).status, 201);
  await t.close();
});

test('thread keys may be paths with slashes and Arabic letters', async () => {
  const t = await testApp({ moderation: 'post' });
  const a = api(t);
  const key = '/ar/سياسة/2026/11/article-42';
  assert.equal((await a.post(key, sara)).status, 201);
  const page = await a.list(key);
  assert.equal(page.body.thread.key, key);
  assert.equal(page.body.comments.length, 1);
  await t.close();
});

test('pages of newest comments come through a cursor, without gaps or repeats', async () => {
  const t = await testApp();
  const a = api(t);
  const ids = await seedApproved(t, 'big', 45);
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page: any = await a.list('big', `limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(page.status, 200);
    seen.push(...page.body.comments.map((c: any) => c.id));
    cursor = page.body.nextCursor;
    pages++;
  } while (cursor);
  assert.equal(pages, 3);
  assert.deepEqual(seen, [...ids].reverse());
  assert.equal((await a.list('big', 'limit=1')).body.thread.count, 45);
  await t.close();
});

test('oldest-first and popular sorts page through the same comments', async () => {
  const t = await testApp();
  const a = api(t);
  const ids = await seedApproved(t, 'sorted', 7);
  const all = async (sort: string) => {
    const out: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await a.list('sorted', `sort=${sort}&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      out.push(...page.body.comments.map((c: any) => c.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    return out;
  };
  assert.deepEqual(await all('oldest'), ids);
  assert.deepEqual((await all('popular')).sort(), [...ids].sort());
  await t.close();
});

test('a cursor is tamper-evident and bound to its sort', async () => {
  const t = await testApp();
  const a = api(t);
  await seedApproved(t, 'big', 5);
  const first = await a.list('big', 'limit=2');
  const cursor = first.body.nextCursor as string;
  const [payload, sig] = cursor.split('.');
  const forged = Buffer.from(JSON.stringify({ t: 0, id: "x' OR 1=1 --", o: 'thread:newest' })).toString('base64url');
  for (const bad of [`${forged}.${sig}`, `${payload}.AAAAAAAAAAAAAAAA`, 'garbage']) {
    const res = await a.list('big', `cursor=${encodeURIComponent(bad)}`);
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'bad_request');
  }
  assert.equal((await a.list('big', `sort=oldest&cursor=${encodeURIComponent(cursor)}`)).status, 400);
  await t.close();
});

test('replies come with their parent, oldest first, and a reply to a reply joins the same root', async () => {
  const t = await testApp({ moderation: 'post' });
  const a = api(t);
  const parent = (await a.post('t', sara)).body.comment;
  const r1 = (await a.post('t', { author: { name: 'Karim' }, body: 'Je suis d’accord', parentId: parent.id })).body.comment;
  t.clock.now += 5;
  const r2 = (await a.post('t', { author: { name: 'Omar' }, body: 'واش بصح؟', parentId: r1.id })).body.comment;
  const page = await a.list('t');
  assert.deepEqual(page.body.comments.map((c: any) => [c.id, c.parentId]), [[parent.id, null], [r1.id, parent.id], [r2.id, r1.id]]);
  const stored = await t.store.getComment(r2.id);
  assert.equal(stored?.rootId, parent.id);
  await t.close();
});

test('a reply to a comment of another thread, or to a pending one, is refused', async () => {
  const t = await testApp();
  const a = api(t);
  const pending = (await a.post('t', sara)).body.comment;
  const res = await a.post('t', { ...sara, parentId: pending.id });
  assert.equal(res.status, 422);
  assert.deepEqual(res.body.error.issues.map((i: any) => i.path), [['parentId']]);
  await t.close();
});

test('the same Idempotency-Key answers with the first comment instead of a second one', async () => {
  const t = await testApp();
  const a = api(t);
  const headers = { 'idempotency-key': 'draft-7f3a' };
  const first = await a.post('t', sara, { headers });
  const again = await a.post('t', sara, { headers });
  assert.equal(again.status, 201);
  assert.equal(again.body.comment.id, first.body.comment.id);
  assert.equal(again.body.editToken, first.body.editToken);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  assert.equal((await a.queue()).body.counts.pending, 1);
  await t.close();
});

test('an Idempotency-Key belongs to its reader: another reader with the same key posts their own comment, and no reader can take an importer’s key', async () => {
  const t = await testApp();
  const a = api(t);
  const key = 'import:wordpress:42';
  const mine = await a.post('t', sara, { headers: { 'idempotency-key': key, 'taliq-reader': 'reader-key-aaaaaaaaaaaa' } });
  const theirs = await a.post('t', sara, { headers: { 'idempotency-key': key, 'taliq-reader': 'reader-key-bbbbbbbbbbbb' } });
  assert.equal(theirs.status, 201);
  assert.notEqual(theirs.body.comment.id, mine.body.comment.id);
  assert.equal(theirs.headers.get('idempotent-replayed'), null);
  // The importer's own key is still free: an import of comment 42 is stored, not taken for the reader's.
  const thread = (await t.store.getThread(SITE, 't'))!;
  const imported = await t.store.insertComment({
    id: 'imported-42', siteId: SITE, threadId: thread.id, parentId: null, rootId: null, authorName: 'WP', authorEmail: null,
    readerId: null, ipHash: null, verified: false, body: 'من ووردبريس', status: 'approved', reasons: [], flagged: false,
    createdAt: t.clock.now, idempotencyKey: key, searchText: 'wp',
  });
  assert.equal(imported.created, true);
  await t.close();
});

test('the author edits and deletes within the edit window, and not after', async () => {
  const t = await testApp({ moderation: 'post', editWindowSeconds: 60 });
  const a = api(t);
  const posted = (await a.post('t', sara)).body;
  const auth = { headers: { authorization: `Bearer ${posted.editToken}` } };
  const edited = await a.call('PATCH', `/comments/${posted.comment.id}`, { body: 'رأيي بعد التعديل' }, auth);
  assert.equal(edited.status, 200);
  assert.equal(edited.body.comment.body, 'رأيي بعد التعديل');
  const listed = (await a.list('t')).body.comments[0];
  assert.equal(listed.body, 'رأيي بعد التعديل');
  assert.ok(listed.editedAt);

  const wrong = await a.call('PATCH', `/comments/${posted.comment.id}`, { body: 'x' }, { headers: { authorization: 'Bearer nope.nope' } });
  assert.equal(wrong.status, 403);
  const none = await a.call('PATCH', `/comments/${posted.comment.id}`, { body: 'x' });
  assert.equal(none.status, 401);

  t.clock.now += 61_000;
  const late = await a.call('PATCH', `/comments/${posted.comment.id}`, { body: 'x' }, auth);
  assert.equal(late.status, 403);
  assert.equal(late.body.error.code, 'edit_window_closed');
  assert.equal((await a.list('t')).body.comments[0].body, 'رأيي بعد التعديل');
  t.clock.now -= 61_000;

  const del = await a.call('DELETE', `/comments/${posted.comment.id}`, undefined, auth);
  assert.equal(del.status, 204);
  assert.deepEqual((await a.list('t')).body.comments, []);
  await t.close();
});

test('a closed thread takes no new comments', async () => {
  const t = await testApp({ closeAfterDays: 2 });
  const a = api(t);
  assert.equal((await a.post('t', sara)).status, 201);
  t.clock.now += 3 * 24 * 3600 * 1000;
  const res = await a.post('t', sara);
  assert.equal(res.status, 403);
  assert.equal(res.body.error.code, 'thread_closed');
  assert.equal((await a.list('t')).body.thread.closed, true);
  await t.close();
});

test('counts for many threads come in one request', async () => {
  const t = await testApp();
  const a = api(t);
  await seedApproved(t, 'a', 3);
  await seedApproved(t, 'b', 1);
  await a.post('b', sara); // pending: not counted
  const res = await a.call('GET', `/sites/${SITE}/counts?threads=a,b,unknown`);
  assert.equal(res.status, 200);
  assert.deepEqual(res.body.counts, { a: 3, b: 1, unknown: 0 });
  await t.close();
});

test('counts answer for every thread key asked, __proto__ and constructor too', async () => {
  const t = await testApp();
  const a = api(t);
  await seedApproved(t, '__proto__', 2);
  const res = await a.call('GET', `/sites/${SITE}/counts?threads=__proto__,constructor,toString`);
  assert.equal(res.status, 200);
  assert.deepEqual(JSON.parse(JSON.stringify(res.body.counts)), JSON.parse('{"__proto__": 2, "constructor": 0, "toString": 0}'));
  await t.close();
});

test('the health check answers when the store answers', async () => {
  const t = await testApp();
  const res = await t.app.request('/healthz');
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { ok: true, store: t.engine });
  await t.close();
});
