/**
 * Replies per page are bounded: a thread page carries at most 50 replies of each top-level
 * comment, says how many more there are, and …/comments/{id}/replies pages through the rest;
 * comments.html links them (replies.html).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, SITE, testApp, type TestApp } from '../support/app.js';

const T0 = 1_700_000_000_000;

/** A thread with top-level comments holding `counts[i]` approved replies each (a pending one beside), straight into the store. */
async function seed(t: TestApp, key: string, counts: number[]) {
  const thread = await t.store.ensureThread(SITE, key, { title: 'مقال', url: 'https://akhbar.example.ma/a' });
  const base = { siteId: SITE, threadId: thread.id, authorEmail: null, readerId: null, verified: false, reasons: [], idempotencyKey: null, flagged: false, ipHash: null, searchText: '' };
  const roots: { id: string; replies: string[] }[] = [];
  let at = T0;
  for (const [i, n] of counts.entries()) {
    const id = `${key}-top${i}`;
    await t.store.insertComment({ ...base, id, parentId: null, rootId: null, authorName: `قارئ ${i}`, body: `تعليق ${i}`, status: 'approved', createdAt: (at += 1000) });
    const replies: string[] = [];
    for (let r = 0; r < n; r++) {
      const rid = `${id}r${String(r).padStart(3, '0')}`;
      // Every fifth answers the reply before it.
      await t.store.insertComment({ ...base, id: rid, parentId: r % 5 === 4 ? replies[r - 1] : id, rootId: id, authorName: `مجيب ${r}`, body: `ردّ ${r}`, status: 'approved', createdAt: (at += 1) });
      replies.push(rid);
    }
    await t.store.insertComment({ ...base, id: `${id}pending`, parentId: id, rootId: id, authorName: 'منتظر', body: 'قيد المراجعة', status: 'pending', createdAt: (at += 1) });
    roots.push({ id, replies });
  }
  return roots;
}

test('a thread page lists 50 replies of each top-level comment and says how many more; the replies route pages through the rest, no gaps, no repeats', async () => {
  const t = await testApp({ moderation: 'post' });
  try {
    const a = api(t);
    const [big, small, none] = await seed(t, 'busy', [120, 3, 0]);
    const page = await a.list('busy', 'sort=oldest');
    assert.equal(page.status, 200);
    const byId = new Map(page.body.comments.map((c: any) => [c.id, c]));
    const under = (root: string) => page.body.comments.filter((c: any) => c.parentId && (c.parentId === root || c.id.startsWith(root))).map((c: any) => c.id);
    assert.deepEqual(under(big.id), big.replies.slice(0, 50), 'the first 50, oldest first');
    assert.deepEqual(under(small.id), small.replies);
    assert.equal((byId.get(big.id) as any).moreReplies.count, 70);
    assert.equal((byId.get(small.id) as any).moreReplies, undefined, 'all its replies are on the page');
    assert.equal((byId.get(none.id) as any).moreReplies, undefined);
    assert.equal(page.body.thread.count, 3 + 120 + 3, 'the count is the whole thread\'s');

    const seen: string[] = [...under(big.id)];
    const counts: number[] = [];
    let cursor: string | undefined = (byId.get(big.id) as any).moreReplies.cursor;
    while (cursor) {
      const more = await a.call('GET', `/sites/${SITE}/threads/busy/comments/${big.id}/replies?cursor=${encodeURIComponent(cursor)}`);
      assert.equal(more.status, 200);
      assert.equal(more.headers.get('access-control-allow-origin'), 'https://akhbar.example.ma', 'readable by the site\'s pages');
      assert.ok(more.body.comments.length <= 50);
      assert.ok(more.body.comments.every((c: any) => c.author && !('email' in c.author) && !('rootId' in c)), 'the public shape');
      seen.push(...more.body.comments.map((c: any) => c.id));
      counts.push(more.body.moreReplies?.count ?? 0);
      cursor = more.body.moreReplies?.cursor;
    }
    assert.deepEqual(seen, big.replies, 'every approved reply once, in order; the pending one never');
    assert.deepEqual(counts, [20, 0]);
    // Without a cursor: from the first reply.
    const first = await a.call('GET', `/sites/${SITE}/threads/busy/comments/${big.id}/replies`);
    assert.deepEqual(first.body.comments.map((c: any) => c.id), big.replies.slice(0, 50));
    assert.equal(first.body.moreReplies.count, 70);
  } finally {
    await t.close();
  }
});

test('the replies route refuses what is not an approved top-level comment of the thread, and cursors of another comment, with the error envelope', async () => {
  const t = await testApp({ moderation: 'post' });
  try {
    const a = api(t);
    const [big, other] = await seed(t, 'busy', [60, 60]);
    await seed(t, 'elsewhere', [1]);
    const path = (id: string, q = '') => `/sites/${SITE}/threads/busy/comments/${id}/replies${q}`;
    const page = await a.list('busy', 'sort=oldest');
    const cursorOf = (id: string) => page.body.comments.find((c: any) => c.id === id).moreReplies.cursor;
    const cases: [string, number, string][] = [
      [path('no-such-comment'), 404, 'comment_not_found'],
      [path(big.replies[0]), 404, 'comment_not_found'],
      [path(`${big.id}pending`), 404, 'comment_not_found'],
      [path('elsewhere-top0'), 404, 'comment_not_found'],
      [`/sites/${SITE}/threads/nosuchthread/comments/${big.id}/replies`, 404, 'comment_not_found'],
      [`/sites/nosuchsite/threads/busy/comments/${big.id}/replies`, 404, 'site_not_found'],
      [path(big.id, `?cursor=${encodeURIComponent(cursorOf(other.id))}`), 400, 'bad_request'],
      [path(big.id, '?cursor=forged'), 400, 'bad_request'],
      [path(big.id, '?cursor=x&limit=5'), 400, 'validation_failed'],
      [path('bad id!'), 400, 'validation_failed'],
    ];
    for (const [p, status, code] of cases) {
      const res = await a.call('GET', p);
      assert.equal(res.status, status, p);
      assert.equal(res.body.error.code, code, p);
    }
    await t.store.setStatus([big.id], 'rejected');
    assert.equal((await a.call('GET', path(big.id))).status, 404, 'a removed comment\'s replies are not shown');
  } finally {
    await t.close();
  }
});

test('comments.html links the replies past the bound; the link shows the next ones, and links the rest', async () => {
  const t = await testApp({ moderation: 'post' });
  try {
    const [big, small] = await seed(t, 'busy', [110, 2]);
    const html = await (await t.app.request(`/api/v1/sites/${SITE}/threads/busy/comments.html`)).text();
    assert.equal(html.match(/<article /g)?.length, 2 + 50 + 2);
    const links = [...html.matchAll(/<a href="([^"]+)" rel="next" lang="ar">المزيد من الردود \((\d+)\)<\/a>/g)];
    assert.equal(links.length, 1, 'one link, under the comment with more');
    assert.equal(links[0][2], '60');
    const href = links[0][1].replace(/&amp;/g, '&');
    assert.ok(href.startsWith(`http://localhost/api/v1/sites/${SITE}/threads/busy/comments/${big.id}/replies.html?cursor=`), 'absolute: it is shown inside the publisher\'s page');
    assert.ok(!html.includes(`comments/${small.id}/replies`));

    const next = await t.app.request(href.replace('http://localhost', ''));
    assert.equal(next.status, 200);
    assert.equal(next.headers.get('content-type'), 'text/html; charset=UTF-8');
    assert.match(next.headers.get('content-security-policy') ?? '', /frame-ancestors https:\/\/akhbar\.example\.ma/);
    assert.equal(next.headers.get('x-content-type-options'), 'nosniff');
    const body = await next.text();
    const ids = [...body.matchAll(/<article id="taliq-([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(ids, [big.id, ...big.replies.slice(50, 100)], 'the comment, then its next 50 replies');
    const rest = [...body.matchAll(/<a href="([^"]+)" rel="next" lang="ar">المزيد من الردود \((\d+)\)<\/a>/g)];
    assert.equal(rest[0][2], '10');
    const last = await (await t.app.request(rest[0][1].replace(/&amp;/g, '&').replace('http://localhost', ''))).text();
    assert.deepEqual([...last.matchAll(/<article id="taliq-([^"]+)"/g)].map((m) => m[1]), [big.id, ...big.replies.slice(100)]);
    assert.ok(!last.includes('rel="next"'), 'no link past the last reply');
  } finally {
    await t.close();
  }
});
