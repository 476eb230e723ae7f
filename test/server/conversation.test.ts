import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, ORIGIN, SECRET, SITE, seedApproved, testApp } from '../support/app.js';
import { createApp } from '../../packages/server/src/app.js';
import { signSsoToken } from '../../packages/server/src/sso.js';

const reader = (key: string) => ({ headers: { 'taliq-reader': key.padEnd(22, 'x') } });
const say = (body: string, name = 'قارئ') => ({ author: { name }, body });

test('one vote per reader: like, change to dislike, take back', async () => {
  const t = await testApp({ moderation: 'post' });
  const a = api(t);
  const id = (await a.post('t', say('رأي'))).body.comment.id;
  const vote = (value: number, key = 'voter-one') => a.call('PUT', `/comments/${id}/vote`, { value }, reader(key));
  assert.deepEqual((await vote(1)).body, { likes: 1, dislikes: 0, value: 1 });
  assert.deepEqual((await vote(1)).body, { likes: 1, dislikes: 0, value: 1 }, 'the same vote twice counts once');
  assert.deepEqual((await vote(1, 'voter-two')).body, { likes: 2, dislikes: 0, value: 1 });
  assert.deepEqual((await vote(-1)).body, { likes: 1, dislikes: 1, value: -1 });
  assert.deepEqual((await vote(0)).body, { likes: 1, dislikes: 0, value: 0 });
  const listed = (await a.list('t')).body.comments[0];
  assert.deepEqual([listed.likes, listed.dislikes], [1, 0]);
  assert.equal((await vote(2)).status, 422);
  assert.equal((await a.call('PUT', '/comments/nope/vote', { value: 1 }, reader('x'))).status, 404);
  await t.close();
});

test('popular puts voted comments first, but a fresh comment can beat an old one with a few votes', async () => {
  const t = await testApp({ moderation: 'post' });
  const a = api(t);
  const [old, quiet, liked] = await seedApproved(t, 't', 3);
  for (const key of ['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10']) await a.call('PUT', `/comments/${liked}/vote`, { value: 1 }, reader(key));
  for (const key of ['r1', 'r2']) await a.call('PUT', `/comments/${old}/vote`, { value: 1 }, reader(key));
  const order = async () => (await a.list('t', 'sort=popular')).body.comments.map((c: any) => c.id);
  assert.deepEqual(await order(), [liked, old, quiet]);
  // A day later, a new comment with two likes outranks the one with ten.
  t.clock.now += 24 * 3600 * 1000;
  const fresh = (await a.post('t', say('جديد'))).body.comment.id;
  for (const key of ['r1', 'r2']) await a.call('PUT', `/comments/${fresh}/vote`, { value: 1 }, reader(key));
  assert.equal((await order())[0], fresh);
  await t.close();
});

test('a signed-in reader posts as a verified author under the publisher’s name; a forged token is refused', async () => {
  const t = await testApp({ moderation: 'post' });
  const a = api(t);
  const { ssoSecret } = (await a.call('GET', `/admin/sites/${SITE}`, undefined, a.mod())).body;
  const token = await signSsoToken(ssoSecret, { sub: 'user-42', name: 'سارة العلوي', exp: Math.floor(t.clock.now / 1000) + 3600 });
  const res = await a.post('t', say('من حسابي', 'اسم آخر'), { headers: { 'taliq-token': token } });
  assert.equal(res.status, 201);
  assert.deepEqual(res.body.comment.author, { name: 'سارة العلوي', verified: true });
  assert.deepEqual((await a.list('t')).body.comments[0].author, { name: 'سارة العلوي', verified: true });

  const forged = await signSsoToken('ssosec_not-the-secret', { sub: 'user-42', name: 'x' });
  assert.equal((await a.post('t', say('x'), { headers: { 'taliq-token': forged } })).status, 401);
  const expired = await signSsoToken(ssoSecret, { sub: 'user-42', name: 'x', exp: Math.floor(t.clock.now / 1000) - 3600 });
  assert.equal((await a.post('t', say('x'), { headers: { 'taliq-token': expired } })).status, 401);
  const none = token.split('.').slice(0, 2).join('.') + '.';
  assert.equal((await a.post('t', say('x'), { headers: { 'taliq-token': none } })).status, 401);
  assert.equal((await a.list('t')).body.comments.length, 1);

  // The same reader on another device is the same identity: one vote.
  const id = res.body.comment.id;
  await a.call('PUT', `/comments/${id}/vote`, { value: 1 }, { headers: { 'taliq-token': token, 'taliq-reader': 'phone-device-key-00000' } });
  const again = await a.call('PUT', `/comments/${id}/vote`, { value: 1 }, { headers: { 'taliq-token': token, 'taliq-reader': 'laptop-device-key-0000' } });
  assert.deepEqual(again.body, { likes: 1, dislikes: 0, value: 1 });
  await t.close();
});

test('the thread as HTML is escaped, links are nofollow anchors, and JSON-LD describes each comment', async () => {
  const t = await testApp({ moderation: 'post' });
  const a = api(t);
  await a.post('t', { ...say('</script><script>alert(1)</script> انظر https://example.ma/x?a=1&b=2 و javascript:alert(2)', '<b>مراد</b>'), thread: { title: 'مقال', url: `${ORIGIN}/42` } });
  const res = await t.app.request(`/api/v1/sites/${SITE}/threads/t/comments.html`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/html/);
  const html = await res.text();
  assert.ok(!html.includes('<script>alert'), 'no script from a comment');
  assert.ok(!html.includes('<b>مراد'), 'names are text');
  assert.match(html, /&lt;b&gt;مراد&lt;\/b&gt;/);
  assert.match(html, /<a href="https:\/\/example\.ma\/x\?a=1&amp;b=2" rel="nofollow ugc noopener" target="_blank">/);
  assert.ok(!/href="javascript/.test(html));
  const ld = JSON.parse(html.match(/<script type="application\/ld\+json">(.*?)<\/script>/s)![1]);
  assert.equal(ld['@context'], 'https://schema.org');
  assert.equal(ld['@graph'][0]['@type'], 'Comment');
  assert.equal(ld['@graph'][0].author.name, '<b>مراد</b>');
  assert.match(ld['@graph'][0]['@id'], new RegExp(`^${ORIGIN}/42#taliq-`));
  assert.equal((html.match(/<\/script>/g) ?? []).length, 1, 'the JSON-LD cannot be closed early');
  await t.close();
});

/** Server-sent events from a streaming response, read as they come. */
function eventReader(res: Response) {
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let buf = '';
  const queue: { id?: string; event?: string; data?: any }[] = [];
  return {
    async next(count = 1) {
      while (queue.length < count) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += dec.decode(value, { stream: true });
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const e: Record<string, any> = {};
          for (const line of block.split('\n')) {
            const m = line.match(/^(\w+): ?(.*)$/);
            if (m) e[m[1]] = m[1] === 'data' ? JSON.parse(m[2]) : m[2];
          }
          if (e.event && e.event !== 'ready') queue.push(e);
        }
      }
      return queue.splice(0, count);
    },
    close: () => reader.cancel(),
  };
}

test('the event stream sends approvals, edits and removals, and resumes after the last event seen', async () => {
  const t = await testApp({ moderation: 'post', editWindowSeconds: 600 });
  const app = createApp({ store: t.store, secret: SECRET, eventPollMs: 20, clientIp: () => '203.0.113.7' });
  const a = api(t);
  const open = (headers: Record<string, string> = {}) => app.request(`/api/v1/sites/${SITE}/threads/t/events`, { headers: { origin: ORIGIN, ...headers } });
  await a.call('PATCH', `/admin/sites/${SITE}`, { moderation: 'pre' }, a.mod());
  const first = (await a.post('t', say('الأول'))).body;
  const res = await open();
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
  assert.equal(res.headers.get('access-control-allow-origin'), ORIGIN);
  const live = eventReader(res);
  await a.moderate(first.comment.id, 'approve');
  const [approved] = await live.next();
  assert.deepEqual([approved.event, approved.data.id, approved.data.body], ['comment.approved', first.comment.id, 'الأول']);
  assert.ok(!('status' in approved.data) && !('readerId' in approved.data.author), 'the public shape only');

  await a.call('PATCH', `/admin/sites/${SITE}`, { moderation: 'post' }, a.mod());
  await a.call('PATCH', `/comments/${first.comment.id}`, { body: 'الأول بعد التعديل' }, { headers: { authorization: `Bearer ${first.editToken}` } });
  const [edited] = await live.next();
  assert.deepEqual([edited.event, edited.data.body], ['comment.edited', 'الأول بعد التعديل']);

  await a.moderate(first.comment.id, 'reject');
  const [removed] = await live.next();
  assert.deepEqual([removed.event, removed.data], ['comment.removed', { id: first.comment.id }]);
  await live.close();

  // Missed while away: resumed from Last-Event-ID, or ?after= for a fresh EventSource.
  const second = (await a.post('t', say('الثاني'))).body.comment.id;
  const again = eventReader(await open({ 'last-event-id': edited.id! }));
  const resumed = await again.next(2);
  await again.close();
  assert.deepEqual(resumed.map((e) => [e.event, e.data.id]), [['comment.removed', first.comment.id], ['comment.approved', second]]);
  const fresh = eventReader(await app.request(`/api/v1/sites/${SITE}/threads/t/events?after=${removed.id}`));
  const viaQuery = await fresh.next();
  await fresh.close();
  assert.equal(viaQuery[0].data.id, second);
  assert.equal((await app.request(`/api/v1/sites/${SITE}/threads/t/events?after=abc`)).status, 400);
  await new Promise((r) => setTimeout(r, 50)); // let the closed streams notice
  await t.close();
});

test('the list tells the widget how long the edit window is', async () => {
  const t = await testApp({ editWindowSeconds: 120 });
  assert.equal((await api(t).list('t')).body.thread.editWindowSeconds, 120);
  await t.close();
});
