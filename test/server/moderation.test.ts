import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_TOKEN, api, SITE, testApp } from '../support/app.js';
import { createModeratorToken } from '../../packages/server/src/moderators.js';

const sara = { author: { name: 'سارة', email: 'sara@example.ma' }, body: 'رأيي في المقال' };

test('moderation routes need a valid token: none is 401, another site’s is 403', async () => {
  const t = await testApp();
  const a = api(t);
  await t.store.createSite('other', (await t.store.getSite(SITE))!.settings);
  const { token: otherToken } = await createModeratorToken({ store: t.store, now: Date.now }, 'other', null);
  const none = await a.call('GET', `/admin/sites/${SITE}/comments`, undefined, { origin: null });
  assert.equal(none.status, 401);
  assert.equal(none.body.error.code, 'unauthorized');
  const wrong = await a.queue('status=pending', { headers: { authorization: 'Bearer tq_not-a-token' } });
  assert.equal(wrong.status, 401);
  const other = await a.queue('status=pending', { headers: { authorization: `Bearer ${otherToken}` } });
  assert.equal(other.status, 403);
  assert.equal(other.body.error.code, 'forbidden');
  const admin = await a.queue('status=pending', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  assert.equal(admin.status, 200);
  await t.close();
});

test('a revoked token no longer opens anything', async () => {
  const t = await testApp();
  const a = api(t);
  assert.equal((await a.queue()).status, 200);
  const [token] = await t.store.listTokens(SITE);
  await t.store.revokeToken(token.id, Date.now());
  assert.equal((await a.queue()).status, 401);
  await t.close();
});

test('tokens are stored as hashes only', async () => {
  const t = await testApp();
  const { moderator_tokens: rows } = await t.tables();
  assert.equal(rows.length, 1);
  assert.ok(!JSON.stringify(rows).includes(t.modToken));
  await t.close();
});

test('the pending queue shows each comment with its thread, reasons and the author’s email, newest first', async () => {
  const t = await testApp();
  const a = api(t);
  await a.post('article-42', { ...sara, thread: { title: 'الانتخابات المقبلة', url: 'https://akhbar.example.ma/42' } });
  t.clock.now += 1;
  await a.post('article-42', { author: { name: 'Karim' }, body: 'Bon article' });
  const q = await a.queue();
  assert.equal(q.status, 200);
  assert.deepEqual(q.body.comments.map((c: any) => c.author.name), ['Karim', 'سارة']);
  const c = q.body.comments[1];
  assert.equal(c.status, 'pending');
  assert.deepEqual(c.reasons, [{ code: 'premoderation' }]);
  assert.deepEqual(c.thread, { key: 'article-42', title: 'الانتخابات المقبلة', url: 'https://akhbar.example.ma/42' });
  assert.equal(c.author.email, 'sara@example.ma');
  assert.equal(typeof c.author.readerId, 'string');
  assert.deepEqual(q.body.counts, { pending: 2, approved: 0, rejected: 0, spam: 0, flagged: 0 });
  await t.close();
});

test('approve, reject, spam and restore move a comment between queues, and the thread follows', async () => {
  const t = await testApp();
  const a = api(t);
  const id = (await a.post('t', sara)).body.comment.id;
  const visible = async () => (await a.list('t')).body.comments.length;
  const steps: [string, string, number][] = [
    ['approve', 'approved', 1],
    ['reject', 'rejected', 0],
    ['restore', 'pending', 0],
    ['spam', 'spam', 0],
    ['approve', 'approved', 1],
  ];
  for (const [action, status, shown] of steps) {
    const res = await a.moderate(id, action);
    assert.equal(res.status, 200, action);
    assert.equal(res.body.comment.status, status);
    assert.equal(await visible(), shown, action);
    assert.equal((await a.queue(`status=${status}`)).body.comments[0]?.id, id);
  }
  await t.close();
});

test('bulk actions are all or nothing across sites', async () => {
  const t = await testApp();
  const a = api(t);
  const ids = [];
  for (let i = 0; i < 3; i++) ids.push((await a.post('t', { author: { name: `قارئ ${i}` }, body: `تعليق ${i}` })).body.comment.id);
  const ok = await a.bulk(ids, 'approve');
  assert.equal(ok.status, 200);
  assert.equal((await a.list('t')).body.comments.length, 3);

  await t.store.createSite('other', { ...(await t.store.getSite(SITE))!.settings, origins: ['https://other.example'] });
  const foreign = (await api(t).call('POST', '/sites/other/threads/x/comments', sara, { origin: 'https://other.example' })).body.comment.id;
  const mixed = await a.bulk([ids[0], foreign], 'reject');
  assert.equal(mixed.status, 403);
  assert.equal((await a.list('t')).body.comments.length, 3, 'nothing changed');
  const missing = await a.bulk([ids[0], 'nope'], 'reject');
  assert.equal(missing.status, 404);
  assert.equal((await a.list('t')).body.comments.length, 3, 'nothing changed');
  await t.close();
});

test('search finds comments by text and by author name, and the queue pages by cursor', async () => {
  const t = await testApp();
  const a = api(t);
  for (let i = 0; i < 5; i++) {
    t.clock.now += 1;
    await a.post('t', { author: { name: i === 3 ? 'Youssef' : `قارئ ${i}` }, body: i === 1 ? 'الحكومة والبرلمان' : `تعليق ${i}` });
  }
  assert.deepEqual((await a.queue('status=pending&q=البرلمان')).body.comments.map((c: any) => c.body), ['الحكومة والبرلمان']);
  assert.deepEqual((await a.queue('status=pending&q=youssef')).body.comments.map((c: any) => c.author.name), ['Youssef']);
  assert.equal((await a.queue('status=pending&q=100%25')).body.comments.length, 0);
  const p1 = await a.queue('status=pending&limit=3');
  assert.equal(p1.body.comments.length, 3);
  const p2 = await a.queue(`status=pending&limit=3&cursor=${encodeURIComponent(p1.body.nextCursor)}`);
  assert.equal(p2.body.comments.length, 2);
  assert.equal(p2.body.nextCursor, null);
  await t.close();
});

test('settings are read and patched, origins kept as bare origins, bad settings refused', async () => {
  const t = await testApp();
  const a = api(t);
  const got = await a.call('GET', `/admin/sites/${SITE}`, undefined, a.mod());
  assert.equal(got.body.settings.moderation, 'pre');
  const patched = await a.call('PATCH', `/admin/sites/${SITE}`, { moderation: 'post', origins: ['https://akhbar.example.ma/path/', 'http://localhost:3000'] }, a.mod());
  assert.equal(patched.status, 200);
  assert.equal(patched.body.settings.moderation, 'post');
  assert.deepEqual(patched.body.settings.origins, ['https://akhbar.example.ma', 'http://localhost:3000']);
  for (const bad of [{ moderation: 'none' }, { maxLinks: -1 }, { origins: ['ftp://x.example'] }, { unknown: 1 }]) {
    const res = await a.call('PATCH', `/admin/sites/${SITE}`, bad, a.mod());
    assert.equal(res.status, 422, JSON.stringify(bad));
  }
  assert.equal((await t.store.getSite(SITE))!.settings.moderation, 'post');
  await t.close();
});

test('every action and settings change is in the audit log, newest first', async () => {
  const t = await testApp();
  const a = api(t);
  const id = (await a.post('t', sara)).body.comment.id;
  await a.moderate(id, 'approve');
  await a.call('PATCH', `/admin/sites/${SITE}`, { maxLinks: 5 }, a.mod());
  const log = await a.call('GET', `/admin/sites/${SITE}/audit`, undefined, a.mod());
  assert.equal(log.status, 200);
  const [settings, approve] = log.body.entries;
  assert.equal(settings.action, 'site.settings');
  assert.deepEqual([settings.before, settings.after], [{ maxLinks: 2 }, { maxLinks: 5 }]);
  assert.equal(approve.action, 'comment.approve');
  assert.equal(approve.target, id);
  assert.deepEqual([approve.before, approve.after], [{ status: 'pending' }, { status: 'approved' }]);
  const [token] = await t.store.listTokens(SITE);
  assert.equal(approve.actor, token.id);
  await t.close();
});

test('only an admin token creates sites', async () => {
  const t = await testApp();
  const a = api(t);
  const byMod = await a.call('POST', '/admin/sites', { id: 'new-site', settings: { origins: ['https://new.example'] } }, a.mod());
  assert.equal(byMod.status, 403);
  const byAdmin = await a.call('POST', '/admin/sites', { id: 'new-site', settings: { origins: ['https://new.example'] } }, a.mod({ headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }));
  assert.equal(byAdmin.status, 201);
  const again = await a.call('POST', '/admin/sites', { id: 'new-site' }, a.mod({ headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }));
  assert.equal(again.status, 409);
  assert.equal(again.body.error.code, 'conflict');
  await t.close();
});
