/**
 * The operator routes (routes/operator.ts), which the CLI uses to administer a deployment over
 * HTTP: who may call them, how bad input is refused (and leaves the store as it was), tokens,
 * privacy requests, a site's export, and imports sent in batches.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IMPORT_BATCH_MAX, LIMITS } from '../../packages/shared/src/index.js';
import { createModeratorToken } from '../../packages/server/src/moderators.js';
import { exportSite } from '../../packages/server/src/importers/export.js';
import { importBatches, wireComment } from '../../packages/server/src/cli/import-batches.js';
import type { ImportComment, ImportData } from '../../packages/server/src/importers/types.js';
import { ADMIN_TOKEN, api, SITE, testApp, type TestApp } from '../support/app.js';

const as = (token: string | null) => ({ origin: null, headers: token ? { authorization: `Bearer ${token}` } : ({} as Record<string, string>) });
const admin = as(ADMIN_TOKEN);

const thread = { key: '/2024/05/budget/', title: 'الميزانية', url: 'https://akhbar.example.ma/2024/05/budget/', closed: false };
const comment = (sourceId: string, parentSourceId: string | null = null, extra: Partial<ReturnType<typeof wireComment>> = {}) => ({
  sourceId, threadKey: thread.key, parentSourceId, authorName: 'أحمد', authorEmail: 'ahmed@example.ma',
  body: `تعليق ${sourceId}`, createdAt: '2024-05-01T10:00:00.000Z', status: 'approved', ...extra,
});
const batch = (comments: unknown[], extra: Record<string, unknown> = {}) => ({ source: 'disqus', threads: [thread], comments, ...extra });

/** A second site with its own token, for the cross-site cases. */
async function otherSite(t: TestApp) {
  await t.store.createSite('other', (await t.store.getSite(SITE))!.settings);
  return (await createModeratorToken({ store: t.store, now: Date.now }, 'other', 'other')).token;
}

test('operator routes: no token is 401, a site’s token gets 403 off its own site whatever it sends, and nothing changes', async () => {
  const t = await testApp();
  const a = api(t);
  const otherToken = await otherSite(t);
  const [otherTokenRow] = await t.store.listTokens('other');
  const before = await t.tables();

  const routes: [string, string, unknown][] = [
    ['POST', '/admin/tokens', { site: SITE }],
    ['GET', '/admin/tokens', undefined],
    ['DELETE', `/admin/tokens/${otherTokenRow.id}`, undefined],
    ['POST', '/admin/privacy/export', { email: 'sara@example.ma' }],
    ['POST', '/admin/privacy/erase', { email: 'sara@example.ma' }],
    ['GET', `/admin/sites/${SITE}/export`, undefined],
    ['POST', `/admin/sites/${SITE}/import`, batch([comment('1')])],
  ];
  for (const [method, path, body] of routes) {
    for (const token of [null, 'tq_not-a-token']) {
      const res = await a.call(method, path, body, as(token));
      assert.equal(res.status, 401, `${method} ${path} with ${token ?? 'no token'}`);
      assert.equal(res.body.error.code, 'unauthorized');
    }
  }

  // t.modToken is akhbar's: every route below is about another site, or about every site.
  const refused: [string, string, unknown][] = [
    ['POST', '/admin/privacy/export', { email: 'sara@example.ma' }],
    ['POST', '/admin/privacy/erase', { email: 'sara@example.ma' }],
    ['POST', '/admin/privacy/erase', 'not json'],
    ['POST', '/admin/tokens', { admin: true }],
    ['POST', '/admin/tokens', { site: 'other' }],
    ['POST', '/admin/tokens', { site: 'other', label: 'x'.repeat(5000), extra: 1 }],
    ['POST', '/admin/tokens', '{"site": '],
    ['POST', '/admin/tokens', {}],
    ['GET', '/admin/tokens?site=other', undefined],
    ['GET', '/admin/tokens?site=NOT%20A%20SITE', undefined],
    ['DELETE', `/admin/tokens/${otherTokenRow.id}`, undefined],
    ['GET', '/admin/sites/other/export', undefined],
    ['POST', '/admin/sites/other/import', batch([comment('1')])],
    ['POST', '/admin/sites/other/import', { not: 'a batch' }],
    ['POST', '/admin/sites/other/import', '<xml/>'],
  ];
  for (const [method, path, body] of refused) {
    const res = await a.call(method, path, body, as(t.modToken));
    assert.equal(res.status, 403, `${method} ${path} ${JSON.stringify(body)?.slice(0, 40)}: ${JSON.stringify(res.body)}`);
    assert.equal(res.body.error.code, 'forbidden');
  }
  // And from a browser on another origin, even an admin token is refused.
  const foreign = await a.call('GET', '/admin/tokens', undefined, { origin: 'https://evil.example', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  assert.equal(foreign.status, 403);
  assert.equal(foreign.body.error.code, 'origin_not_allowed');

  assert.deepEqual(await t.tables(), before, 'no refused request changed the store');
  assert.equal((await a.call('GET', '/admin/tokens', undefined, as(otherToken))).status, 200);
  await t.close();
});

test('a site’s token manages its own site: its tokens, its export, its imports', async () => {
  const t = await testApp();
  const a = api(t);
  await otherSite(t);
  const own = as(t.modToken);

  const created = await a.call('POST', '/admin/tokens', { site: SITE, label: 'desk' }, own);
  assert.equal(created.status, 201);
  assert.equal(created.body.siteId, SITE);
  const listed = await a.call('GET', '/admin/tokens', undefined, own);
  assert.equal(listed.status, 200);
  // Only this site's tokens: not the other site's.
  assert.deepEqual(listed.body.tokens.map((x: any) => x.siteId), [SITE, SITE]);
  assert.equal((await a.call('DELETE', `/admin/tokens/${created.body.id}`, undefined, own)).status, 204);

  assert.equal((await a.call('POST', `/admin/sites/${SITE}/import`, batch([comment('1')]), own)).status, 200);
  const exported = await a.call('GET', `/admin/sites/${SITE}/export`, undefined, own);
  assert.equal(exported.status, 200);
  assert.equal(exported.body.comments.length, 1);
  await t.close();
});

test('operator routes refuse bad input with the JSON envelope, never a 500, and change nothing', async () => {
  const t = await testApp();
  const a = api(t);
  const before = await t.tables();
  const huge = 'ب'.repeat(4 * LIMITS.bodyMax);
  const many = Array.from({ length: IMPORT_BATCH_MAX + 1 }, (_, i) => comment(String(i)));
  const cases: [string, string, unknown, number, string][] = [
    ['POST', '/admin/tokens', {}, 422, 'validation_failed'],
    ['POST', '/admin/tokens', { site: SITE, admin: true }, 422, 'validation_failed'],
    ['POST', '/admin/tokens', { admin: false }, 422, 'validation_failed'],
    ['POST', '/admin/tokens', { site: SITE, extra: 1 }, 422, 'validation_failed'],
    ['POST', '/admin/tokens', { site: SITE, label: '' }, 422, 'validation_failed'],
    ['POST', '/admin/tokens', { site: 'missing' }, 404, 'site_not_found'],
    ['POST', '/admin/tokens', '{"site": ', 400, 'bad_request'],
    ['GET', '/admin/tokens?site=NOT%20A%20SITE', undefined, 400, 'validation_failed'],
    ['GET', '/admin/tokens?color=red', undefined, 400, 'validation_failed'],
    ['DELETE', '/admin/tokens/nope', undefined, 404, 'not_found'],
    ['DELETE', '/admin/tokens/..%2F..', undefined, 400, 'validation_failed'],
    ['POST', '/admin/privacy/export', { email: 'not an email' }, 422, 'validation_failed'],
    ['POST', '/admin/privacy/erase', {}, 422, 'validation_failed'],
    ['POST', '/admin/privacy/erase', { email: 'sara@example.ma', all: true }, 422, 'validation_failed'],
    ['GET', '/admin/sites/missing/export', undefined, 404, 'site_not_found'],
    ['POST', '/admin/sites/missing/import', batch([comment('1')]), 404, 'site_not_found'],
    ['POST', `/admin/sites/${SITE}/import`, { source: 'disqus', threads: [thread], comments: [] }, 422, 'validation_failed'],
    ['POST', `/admin/sites/${SITE}/import`, batch([comment('1')], { source: 'isso' }), 422, 'validation_failed'],
    ['POST', `/admin/sites/${SITE}/import`, { source: 'disqus', threads: [], comments: [comment('1')] }, 422, 'validation_failed'],
    ['POST', `/admin/sites/${SITE}/import`, batch([comment('1', null, { threadKey: '/elsewhere/' })]), 422, 'validation_failed'],
    ['POST', `/admin/sites/${SITE}/import`, batch([comment('1'), comment('1')]), 422, 'validation_failed'],
    ['POST', `/admin/sites/${SITE}/import`, batch([comment('1', null, { body: huge })]), 413, 'payload_too_large'],
    ['POST', `/admin/sites/${SITE}/import`, batch([comment('1', null, { body: 'ب'.repeat(LIMITS.bodyMax + 1) })]), 422, 'validation_failed'],
    ['POST', `/admin/sites/${SITE}/import`, batch([comment('1', null, { body: '\u200F ' })]), 422, 'validation_failed'],
    ['POST', `/admin/sites/${SITE}/import`, batch([comment('1', null, { createdAt: 'yesterday' })]), 422, 'validation_failed'],
    ['POST', `/admin/sites/${SITE}/import`, batch([comment('1', null, { status: 'featured' } as any)]), 422, 'validation_failed'],
    ['POST', `/admin/sites/${SITE}/import`, batch([comment('1', null, { authorEmail: 'not-an-email' })]), 422, 'validation_failed'],
    ['POST', `/admin/sites/${SITE}/import`, batch([comment('1', null, { authorName: '' })]), 422, 'validation_failed'],
    ['POST', `/admin/sites/${SITE}/import`, batch([comment('1', null, { sourceId: 'a\u0000b' })]), 422, 'validation_failed'],
    ['POST', `/admin/sites/${SITE}/import`, batch([comment('1', null, { readerId: 'x' } as any)]), 422, 'validation_failed'],
    ['POST', `/admin/sites/${SITE}/import`, batch([comment('1', null, { sourceId: 'a\ud800b' })], { source: 'taliq' }), 422, 'validation_failed'],
    ['POST', `/admin/sites/${SITE}/import`, batch([comment('1')], { parents: { p: 'not/an id' } }), 422, 'validation_failed'],
    ['POST', `/admin/sites/${SITE}/import`, { ...batch([comment('1')]), threads: [{ ...thread, url: 'javascript:alert(1)' }] }, 422, 'validation_failed'],
    ['POST', `/admin/sites/${SITE}/import`, { ...batch(many.slice(0, 3)), comments: many.map((c) => ({ ...c, body: 'ب' })) }, 422, 'validation_failed'],
    ['POST', `/admin/sites/${SITE}/import`, 'not json', 400, 'bad_request'],
  ];
  for (const [method, path, body, status, code] of cases) {
    const res = await a.call(method, path, body, admin);
    assert.equal(res.status, status, `${method} ${path} ${JSON.stringify(body)?.slice(0, 80)}: ${JSON.stringify(res.body)?.slice(0, 300)}`);
    assert.equal(res.body.error.code, code);
    if (code === 'validation_failed') assert.ok(res.body.error.issues.length > 0);
  }
  const plain = await t.app.request('/api/v1/admin/tokens', { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'text/plain' }, body: '{"site":"akhbar"}' });
  assert.equal(plain.status, 415);
  assert.deepEqual(await t.tables(), before, 'no refused request changed the store');
  await t.close();
});

test('tokens over the API: shown once, stored hashed, listed without secrets, revoked to 401, audited', async () => {
  const t = await testApp();
  const a = api(t);
  const created = await a.call('POST', '/admin/tokens', { site: SITE, label: 'مكتب التحرير' }, admin);
  assert.equal(created.status, 201);
  assert.equal(created.headers.get('cache-control'), 'no-store');
  const { id, token } = created.body;
  assert.match(token, /^tq_[A-Za-z0-9_-]{30,}$/);
  assert.deepEqual({ ...created.body, id: 'x', token: 'x', createdAt: 'x' }, { id: 'x', token: 'x', siteId: SITE, role: 'owner', label: 'مكتب التحرير', createdAt: 'x', revokedAt: null }, 'owner when no role is asked for');

  const queue = () => a.call('GET', `/admin/sites/${SITE}/comments`, undefined, as(token));
  assert.equal((await queue()).status, 200, 'the new token works');
  const { moderator_tokens: rows } = await t.tables();
  assert.ok(!JSON.stringify(rows).includes(token), 'only its hash is stored');

  const listed = await a.call('GET', `/admin/tokens?site=${SITE}`, undefined, admin);
  assert.ok(!JSON.stringify(listed.body).includes(token));
  const mine = listed.body.tokens.find((x: any) => x.id === id);
  assert.deepEqual(Object.keys(mine).sort(), ['createdAt', 'id', 'label', 'revokedAt', 'role', 'siteId']);

  const adminToken = await a.call('POST', '/admin/tokens', { admin: true }, admin);
  assert.equal(adminToken.body.siteId, null);
  const all = await a.call('GET', '/admin/tokens', undefined, as(adminToken.body.token));
  assert.deepEqual(all.body.tokens.map((x: any) => x.siteId).sort(), [SITE, SITE, null].sort());

  assert.equal((await a.call('DELETE', `/admin/tokens/${id}`, undefined, admin)).status, 204);
  assert.equal((await queue()).status, 401, 'a revoked token opens nothing');
  const again = await a.call('DELETE', `/admin/tokens/${id}`, undefined, admin);
  assert.equal(again.status, 404);
  assert.equal((await a.call('GET', `/admin/tokens?site=${SITE}`, undefined, admin)).body.tokens.find((x: any) => x.id === id).revokedAt !== null, true);

  const audit = await a.call('GET', `/admin/sites/${SITE}/audit`, undefined, admin);
  assert.deepEqual(audit.body.entries.map((e: any) => [e.action, e.target, e.actor]), [['token.revoke', id, 'env'], ['token.create', id, 'env']]);
  await t.close();
});

test('privacy requests over the API: a reader’s comments as JSON, then erased and audited', async () => {
  const t = await testApp();
  const a = api(t);
  for (const [email, body] of [['Sara@Example.ma', 'رأيي الأول'], ['other@example.ma', 'لست سارة']]) {
    assert.equal((await a.post('t', { author: { name: 'سارة', email }, body })).status, 201);
  }
  const exported = await a.call('POST', '/admin/privacy/export', { email: 'sara@example.ma' }, admin);
  assert.equal(exported.status, 200);
  assert.equal(exported.headers.get('cache-control'), 'no-store');
  assert.deepEqual(exported.body.comments.map((c: any) => [c.site, c.thread, c.body]), [[SITE, 't', 'رأيي الأول']]);

  const erased = await a.call('POST', '/admin/privacy/erase', { email: 'sara@example.ma' }, admin);
  assert.deepEqual([erased.status, erased.body], [200, { erased: 1 }]);
  assert.deepEqual((await a.call('POST', '/admin/privacy/export', { email: 'sara@example.ma' }, admin)).body.comments, []);
  const { comments } = await t.tables();
  assert.ok(!/sara@example\.ma|رأيي/i.test(JSON.stringify(comments)));
  const audit = await a.call('GET', `/admin/sites/${SITE}/audit`, undefined, admin);
  assert.deepEqual([audit.body.entries[0].action, audit.body.entries[0].after], ['privacy.erase', { comments: 1 }]);
  await t.close();
});

test('imports in batches: replies find parents of earlier batches, a re-sent batch adds nothing, a parent of another site is ignored', async () => {
  const t = await testApp();
  const a = api(t);
  const first = await a.call('POST', `/admin/sites/${SITE}/import`, batch([comment('1'), comment('2', '1')]), admin);
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.deepEqual({ ...first.body, ids: Object.keys(first.body.ids) }, { threads: 1, comments: 2, existing: 0, skipped: 0, ids: ['1', '2'] });

  // The reply of a later batch names its parent by the id the first batch answered.
  const second = await a.call('POST', `/admin/sites/${SITE}/import`, batch([comment('3', '2')], { parents: { 2: first.body.ids['2'] } }), admin);
  assert.equal(second.body.comments, 1);
  const [reply] = await t.store.getComments([second.body.ids['3']]);
  assert.equal(reply.parentId, first.body.ids['2']);
  assert.equal(reply.rootId, first.body.ids['1'], 'the root is the top-level ancestor, read from the store');

  const resent = await a.call('POST', `/admin/sites/${SITE}/import`, batch([comment('1'), comment('2', '1')]), admin);
  assert.deepEqual([resent.body.comments, resent.body.existing, resent.body.ids], [0, 2, first.body.ids]);

  // A parent id from another site: the reply becomes top-level rather than cross sites.
  await otherSite(t);
  const elsewhere = await a.call('POST', '/admin/sites/other/import', batch([comment('9', 'p')], { parents: { p: first.body.ids['1'] } }), admin);
  const [top] = await t.store.getComments([elsewhere.body.ids['9']]);
  assert.deepEqual([top.siteId, top.parentId, top.rootId], ['other', null, null]);

  // The thread's mode comes along (a Taliq export), and every batch is in the audit log.
  await a.call('POST', `/admin/sites/${SITE}/import`, { source: 'taliq', threads: [{ ...thread, key: '/pre/', mode: 'pre' }], comments: [comment('x', null, { threadKey: '/pre/' })] }, admin);
  assert.equal((await t.store.getThread(SITE, '/pre/'))!.mode, 'pre');
  const audit = await a.call('GET', `/admin/sites/${SITE}/audit`, undefined, admin);
  assert.deepEqual(audit.body.entries.map((e: any) => e.action), ['import', 'import', 'import', 'import']);
  await t.close();
});

test('the export over the API is the CLI’s export', async () => {
  const t = await testApp();
  const a = api(t);
  await a.call('POST', `/admin/sites/${SITE}/import`, batch([comment('1'), comment('2', '1', { status: 'spam' })]), admin);
  const res = await a.call('GET', `/admin/sites/${SITE}/export`, undefined, admin);
  assert.equal(res.status, 200);
  const local = await exportSite(t.store, SITE);
  assert.deepEqual({ ...res.body, exportedAt: null }, { ...local, exportedAt: null });
  assert.equal(res.body.comments[1].author.email, 'ahmed@example.ma');
  await t.close();
});

test('the CLI cuts an import into batches within the item and byte limits, parents first', () => {
  const comments: ImportComment[] = [];
  // Long Arabic bodies (about 10 KB each in UTF-8) and many short ones, over 3 threads, with replies.
  for (let i = 0; i < 250; i++) {
    comments.push({
      sourceId: `c${i}`, threadKey: `/t${i % 3}/`, parentSourceId: i >= 3 ? `c${i - 3}` : null, authorName: 'قارئ', authorEmail: null,
      body: i % 50 === 0 ? 'ب'.repeat(LIMITS.bodyMax) : `تعليق ${i}`, createdAt: Date.UTC(2024, 0, 1, 0, i), status: 'approved',
    });
  }
  const data: ImportData = { source: 'disqus', threads: [0, 1, 2].map((i) => ({ key: `/t${i}/`, title: null, url: null, closed: false })), comments, skipped: [] };
  const batches = importBatches(data);
  assert.ok(batches.length >= 3);
  assert.deepEqual(batches.flatMap((b) => b.comments), comments, 'every comment once, in order');
  const seen = new Set<string>();
  for (const b of batches) {
    assert.ok(b.comments.length <= IMPORT_BATCH_MAX && b.threads.length <= IMPORT_BATCH_MAX);
    const body = JSON.stringify({ source: 'disqus', threads: b.threads, comments: b.comments.map(wireComment), parents: Object.fromEntries(b.outside.map((s) => [s, 'x'.repeat(40)])) });
    assert.ok(new TextEncoder().encode(body).length < LIMITS.requestBodyMax, `a batch of ${body.length} characters`);
    const here = new Set(b.comments.map((c) => c.sourceId));
    for (const c of b.comments) {
      assert.ok(b.threads.some((x) => x.key === c.threadKey));
      if (c.parentSourceId) assert.ok(here.has(c.parentSourceId) ? !b.outside.includes(c.parentSourceId) : b.outside.includes(c.parentSourceId) && seen.has(c.parentSourceId));
    }
    for (const id of here) seen.add(id);
  }
});
