import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createHmac } from 'node:crypto';
import { api, LOOPBACK_HOOK_HOSTS, ORIGIN, SECRET, SITE, testApp } from '../support/app.js';
import { createApp } from '../../packages/server/src/app.js';

const reader = (key: string) => ({ headers: { 'taliq-reader': key.padEnd(22, 'x') } });
const say = (body: string, name = 'قارئ') => ({ author: { name }, body });

test('a banned word sends the comment to spam with the word recorded, whatever the spelling', async () => {
  const t = await testApp({ moderation: 'post', bannedWords: ['حمار'] });
  const a = api(t);
  const res = await a.post('t', say('انت حمـــار كبير'));
  assert.equal(res.status, 201);
  assert.equal(res.body.comment.status, 'pending', 'the author is not told it is spam');
  const spam = await a.queue('status=spam');
  assert.deepEqual(spam.body.comments[0].reasons, [{ code: 'banned_word', detail: 'حمار' }]);
  assert.deepEqual((await a.list('t')).body.comments, []);
  await t.close();
});

test('a suspect word holds the comment in pending and flags it', async () => {
  const t = await testApp({ moderation: 'post', suspectWords: ['*كازينو*'] });
  const a = api(t);
  const res = await a.post('t', say('أفضل الكازينوهات هنا'));
  assert.equal(res.body.comment.status, 'pending');
  const q = await a.queue('status=flagged');
  assert.equal(q.body.comments.length, 1);
  assert.deepEqual(q.body.comments[0].reasons, [{ code: 'suspect_word', detail: '*كازينو*' }]);
  assert.equal(q.body.counts.pending, 1);
  assert.equal(q.body.counts.flagged, 1);
  assert.equal(q.body.comments[0].flagged, true);
  assert.equal((await a.queue('status=pending')).body.comments[0].flagged, true, 'the pending queue shows the flag too');
  await t.close();
});

test('reports put a comment in the flagged queue at the threshold, one report per reader', async () => {
  const t = await testApp({ moderation: 'post', reportThreshold: 2 });
  const a = api(t);
  const id = (await a.post('t', say('رأي مثير للجدل'))).body.comment.id;
  const report = (key: string) => a.call('POST', `/comments/${id}/reports`, { reason: 'abuse', note: 'سب وشتم' }, reader(key));
  assert.equal((await report('reader-one')).status, 202);
  assert.equal((await report('reader-one')).status, 202, 'a repeated report is accepted but not counted');
  assert.equal((await a.queue('status=flagged')).body.comments.length, 0);
  assert.equal((await report('reader-two')).status, 202);
  const flagged = await a.queue('status=flagged');
  assert.equal(flagged.body.comments.length, 1);
  assert.equal(flagged.body.comments[0].reports, 2);
  assert.deepEqual(flagged.body.comments[0].reasons, [{ code: 'reports', detail: '2' }]);
  // Still visible until a moderator decides; the decision clears the flag.
  assert.equal((await a.list('t')).body.comments.length, 1);
  await a.moderate(id, 'reject');
  assert.equal((await a.queue('status=flagged')).body.comments.length, 0);
  const bad = await a.call('POST', `/comments/${id}/reports`, { reason: 'spam' });
  assert.equal(bad.status, 404, 'a rejected comment cannot be reported');
  const badReason = await a.call('POST', `/comments/nope/reports`, { reason: 'because' });
  assert.equal(badReason.status, 422);
  await t.close();
});

test('a banned reader cannot post; a ban can expire and be lifted', async () => {
  const t = await testApp({ moderation: 'post' });
  const a = api(t);
  const first = await a.post('t', say('أول تعليق'), reader('troll-key'));
  const readerId = (await a.queue('status=approved')).body.comments[0].author.readerId;
  const ban = await a.call('POST', `/admin/sites/${SITE}/bans`, { readerId, reason: 'سب متكرر', expiresAt: new Date(t.clock.now + 3600_000).toISOString() }, a.mod());
  assert.equal(ban.status, 201);
  const refused = await a.post('t', say('تعليق آخر'), reader('troll-key'));
  assert.equal(refused.status, 403);
  assert.equal(refused.body.error.code, 'forbidden');
  // The ban takes the reader, not the carrier address their neighbours share.
  assert.equal((await a.post('t', say('جار على نفس العنوان'), reader('fresh-key'))).status, 201);
  t.clock.now += 3600_001;
  assert.equal((await a.post('t', say('بعد انتهاء الحظر'), reader('troll-key'))).status, 201);
  const again = await a.call('POST', `/admin/sites/${SITE}/bans`, { readerId }, a.mod());
  assert.equal((await a.post('t', say('x'), reader('troll-key'))).status, 403);
  assert.equal((await a.call('DELETE', `/admin/sites/${SITE}/bans/${again.body.ban.id}`, undefined, a.mod())).status, 204);
  assert.equal((await a.post('t', say('بعد رفع الحظر'), reader('troll-key'))).status, 201);
  const bans = await a.call('GET', `/admin/sites/${SITE}/bans`, undefined, a.mod());
  assert.equal(bans.body.bans.length, 2);
  assert.ok(first.body.comment.id);
  await t.close();
});

test('a shadow-banned reader still sees their own comment; nobody else does', async () => {
  const t = await testApp({ moderation: 'post' });
  const a = api(t);
  await a.post('t', say('أول تعليق'), reader('shadow-key'));
  const readerId = (await a.queue('status=approved')).body.comments[0].author.readerId;
  await a.call('POST', `/admin/sites/${SITE}/bans`, { readerId, shadow: true }, a.mod());
  const posted = await a.post('t', say('لن يراه أحد'), reader('shadow-key'));
  assert.equal(posted.status, 201);
  const mine = await a.mine('t', [posted.body.editToken]);
  assert.equal(mine.body.comments[0].body, 'لن يراه أحد');
  assert.deepEqual((await a.list('t')).body.comments.map((c: any) => c.body), ['أول تعليق']);
  const spam = await a.queue('status=spam');
  assert.deepEqual(spam.body.comments[0].reasons, [{ code: 'banned_reader' }]);
  await t.close();
});

test('a reader whose last comments were approved may skip pre-moderation; one mostly rejected goes back to it', async () => {
  const t = await testApp({ moderation: 'pre', trustAfter: 2 });
  const a = api(t);
  for (const body of ['واحد', 'اثنان']) {
    const id = (await a.post('t', say(body), reader('good-reader'))).body.comment.id;
    await a.moderate(id, 'approve');
    t.clock.now += 1;
  }
  assert.equal((await a.post('t', say('ثلاثة'), reader('good-reader'))).body.comment.status, 'approved');
  assert.equal((await a.post('t', say('قارئ جديد'), reader('new-reader'))).body.comment.status, 'pending');

  const post = await testApp({ moderation: 'post' });
  const b = api(post);
  for (const body of ['a', 'b', 'c']) {
    const id = (await b.post('t', say(body), reader('bad-reader'))).body.comment.id;
    await b.moderate(id, 'reject');
    post.clock.now += 1;
  }
  const held = await b.post('t', say('d'), reader('bad-reader'));
  assert.equal(held.body.comment.status, 'pending');
  const q = await b.queue();
  assert.equal(q.body.comments[0].reasons[0].code, 'spam_signal');
  await t.close();
  await post.close();
});

test('per-thread modes override the site: pre, post and closed', async () => {
  const t = await testApp({ moderation: 'pre' });
  const a = api(t);
  await a.post('t', say('first'));
  const mode = (m: string) => a.call('PATCH', `/admin/sites/${SITE}/threads/t`, { mode: m }, a.mod());
  assert.equal((await mode('post')).status, 200);
  assert.equal((await a.post('t', say('published at once'))).body.comment.status, 'approved');
  await mode('closed');
  const closed = await a.post('t', say('too late'));
  assert.equal(closed.status, 403);
  assert.equal(closed.body.error.code, 'thread_closed');
  await mode('open');
  assert.equal((await a.post('t', say('site rule again'))).body.comment.status, 'pending');
  assert.equal((await mode('sometimes')).status, 422);
  assert.equal((await a.call('PATCH', `/admin/sites/${SITE}/threads/unknown`, { mode: 'post' }, a.mod())).status, 404);
  await t.close();
});

test('the removal register keeps the text as it was, who removed it and why, as CSV for a date range', async () => {
  const t = await testApp({ moderation: 'post', editWindowSeconds: 600 });
  const a = api(t);
  const rejected = (await a.post('t', say('=HYPERLINK("http://evil")', 'مراد, "الغاضب"'))).body.comment;
  await a.moderate(rejected.id, 'reject');
  const mine = (await a.post('t', say('سأحذفه'))).body;
  await a.call('DELETE', `/comments/${mine.comment.id}`, undefined, { headers: { authorization: `Bearer ${mine.editToken}` } });
  const today = new Date(t.clock.now).toISOString().slice(0, 10);
  const res = await t.app.request(`/api/v1/admin/sites/${SITE}/removals.csv?from=${today}&to=${today}`, { headers: { authorization: `Bearer ${t.modToken}` } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/csv/);
  // Response.text() would drop the byte-order mark that spreadsheets need.
  const csv = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer());
  assert.ok(csv.startsWith('\uFEFFremoved_at,status,reason_codes'));
  const lines = csv.trim().split('\r\n');
  assert.equal(lines.length, 3);
  assert.match(lines[1], /,rejected,,/);
  assert.match(lines[1], /"مراد, ""الغاضب"""/);
  assert.match(lines[1], /'=HYPERLINK/, 'formulas are neutralized');
  const [token] = await t.store.listTokens(SITE);
  assert.match(lines[1], new RegExp(`,${token.id},`));
  assert.match(lines[2], /,deleted,.*,author,.*سأحذفه/);
  const yesterday = new Date(t.clock.now - 86400_000).toISOString().slice(0, 10);
  const none = await (await t.app.request(`/api/v1/admin/sites/${SITE}/removals.csv?to=${yesterday}`, { headers: { authorization: `Bearer ${t.modToken}` } })).text();
  assert.equal(none.trim().split('\r\n').length, 1);
  assert.equal((await t.app.request(`/api/v1/admin/sites/${SITE}/removals.csv?from=yesterday`, { headers: { authorization: `Bearer ${t.modToken}` } })).status, 400);
  await t.close();
});

test('a comment its author deleted cannot be brought back by a moderator', async () => {
  const t = await testApp({ moderation: 'post' });
  const a = api(t);
  const { comment, editToken } = (await a.post('t', say('x'))).body;
  await a.call('DELETE', `/comments/${comment.id}`, undefined, { headers: { authorization: `Bearer ${editToken}` } });
  for (const action of ['approve', 'restore']) assert.equal((await a.moderate(comment.id, action)).status, 409);
  assert.deepEqual((await a.list('t')).body.comments, []);
  await t.close();
});

test('an approved comment edited on a pre-moderated site waits for review again', async () => {
  const t = await testApp({ moderation: 'pre', bannedWords: ['حمار'] });
  const a = api(t);
  const { comment, editToken } = (await a.post('t', say('رأي مهذب'))).body;
  await a.moderate(comment.id, 'approve');
  const auth = { headers: { authorization: `Bearer ${editToken}` } };
  const edited = await a.call('PATCH', `/comments/${comment.id}`, { body: 'رأي فيه حمار' }, auth);
  assert.equal(edited.body.comment.status, 'pending');
  assert.deepEqual((await a.list('t')).body.comments, []);
  assert.equal((await a.queue('status=spam')).body.comments[0].id, comment.id);
  await t.close();
});

test('replies of a removed comment are neither shown nor counted', async () => {
  const t = await testApp({ moderation: 'post' });
  const a = api(t);
  const root = (await a.post('t', say('أصل'))).body.comment.id;
  await a.post('t', { ...say('رد'), parentId: root });
  assert.equal((await a.list('t')).body.thread.count, 2);
  await a.moderate(root, 'reject');
  const page = await a.list('t');
  assert.deepEqual([page.body.comments.length, page.body.thread.count], [0, 0]);
  assert.deepEqual((await a.call('GET', `/sites/${SITE}/counts?threads=t`)).body.counts, { t: 0 });
  await t.close();
});

test('the moderator sees the parent of a reply, and /me says who a token is', async () => {
  const t = await testApp({ moderation: 'post' });
  const a = api(t);
  const root = (await a.post('t', say('السؤال', 'سارة'))).body.comment.id;
  await a.call('PATCH', `/admin/sites/${SITE}`, { moderation: 'pre' }, a.mod());
  await a.post('t', { ...say('الجواب'), parentId: root });
  const q = await a.queue();
  assert.deepEqual(q.body.comments[0].parent, { id: root, author: { name: 'سارة' }, body: 'السؤال' });
  const me = await a.call('GET', '/admin/me', undefined, a.mod());
  assert.deepEqual(me.body.sites, [SITE]);
  assert.equal(me.body.siteId, SITE);
  await t.close();
});

test('an Idempotency-Key reused for a different comment is a conflict', async () => {
  const t = await testApp();
  const a = api(t);
  const headers = { 'idempotency-key': 'k-1' };
  assert.equal((await a.post('t', say('one'), { headers })).status, 201);
  const other = await a.post('t', say('two'), { headers });
  assert.equal(other.status, 409);
  assert.equal((await a.queue()).body.comments.length, 1);
  await t.close();
});

test('the webhook announces pending and flagged comments, signed, retried, without holding up posting', async () => {
  const received: { body: string; signature: string; event: string }[] = [];
  let failFirst = 1;
  let hang = false;
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d)).on('end', () => {
      if (hang) return; // never answers
      if (failFirst-- > 0) return res.writeHead(500).end();
      received.push({ body, signature: String(req.headers['taliq-signature']), event: String(req.headers['taliq-event']) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const hook = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;

  const t = await testApp({ webhookUrl: hook, suspectWords: ['قمار'] });
  const pending: Promise<unknown>[] = [];
  const stop = new AbortController();
  const app = createApp({
    store: t.store, secret: SECRET, clientIp: () => '198.51.100.1', defer: (p) => pending.push(p), webhookRetryDelays: [10, 10], allowedHookHosts: LOOPBACK_HOOK_HOSTS,
    fetch: (url, init) => fetch(url, { ...init, signal: AbortSignal.any([init!.signal!, stop.signal]) }),
  });
  const post = (body: string) => app.request(`/api/v1/sites/${SITE}/threads/t/comments`, { method: 'POST', headers: { origin: ORIGIN, 'content-type': 'application/json' }, body: JSON.stringify(say(body)) });

  assert.equal((await post('تعليق ينتظر')).status, 201);
  assert.equal((await post('عن القمار')).status, 201);
  await Promise.all(pending);
  // The first attempt of one failed; its retry is due 10 ms later, sent by the next drain (the
  // runtime's timer or cron trigger), so the order may differ.
  for (let i = 0; received.length < 2 && i < 200; i++) {
    await new Promise((r) => setTimeout(r, 5));
    await app.work.drainWebhooks();
  }
  assert.deepEqual(received.map((r) => r.event).sort(), ['comment.flagged', 'comment.pending']);
  const settings = await (await app.request(`/api/v1/admin/sites/${SITE}`, { headers: { authorization: `Bearer ${t.modToken}` } })).json();
  for (const r of received) {
    const [, ts, sig] = r.signature.match(/^t=(\d+),v1=([0-9a-f]{64})$/)!;
    assert.equal(sig, createHmac('sha256', settings.webhookSecret).update(`${ts}.${r.body}`).digest('hex'));
    const payload = JSON.parse(r.body);
    assert.equal(payload.site, SITE);
    assert.ok(!('ipHash' in payload.comment.author));
  }

  // A receiver that never answers does not hold up the 201.
  hang = true;
  pending.length = 0;
  const started = Date.now();
  assert.equal((await post('والآن؟')).status, 201);
  assert.ok(Date.now() - started < 2000);
  stop.abort();
  await Promise.all(pending);
  receiver.closeAllConnections();
  receiver.close();
  await t.close();
});

test('an author cannot undo a moderator’s decision or a reader’s report by editing', async () => {
  const t = await testApp({ moderation: 'post', editWindowSeconds: 600, reportThreshold: 1 });
  const a = api(t);
  const rejected = (await a.post('t', say('رأي أول'))).body;
  await a.moderate(rejected.comment.id, 'reject');
  const edit = (p: any, body: string) => a.call('PATCH', `/comments/${p.comment.id}`, { body }, { headers: { authorization: `Bearer ${p.editToken}` } });
  const res = await edit(rejected, 'رأي معدل');
  assert.equal(res.status, 409);
  assert.deepEqual((await a.list('t')).body.comments, []);
  assert.equal((await t.store.getComment(rejected.comment.id))!.body, 'رأي أول');

  const honeypot = (await a.post('t', { ...say('رابط'), website: 'x' })).body;
  assert.equal((await edit(honeypot, 'نص بريء')).status, 409, 'spam stays spam');

  const reported = (await a.post('t', say('رأي سيبلغ عنه'))).body;
  await a.call('POST', `/comments/${reported.comment.id}/reports`, { reason: 'abuse' });
  await edit(reported, 'رأي بعد البلاغ');
  assert.equal((await a.queue('status=flagged')).body.comments[0]?.id, reported.comment.id, 'still flagged');

  await a.call('PATCH', `/admin/sites/${SITE}`, { moderation: 'pre' }, a.mod());
  const pending = (await a.post('t', say('ينتظر'))).body;
  await a.call('PATCH', `/admin/sites/${SITE}`, { moderation: 'post' }, a.mod());
  assert.equal((await edit(pending, 'ينتظر بعد التعديل')).body.comment.status, 'pending', 'an edit does not skip the queue');
  await t.close();
});

test('when the rate limiter cannot be reached, readers can still post', async () => {
  const t = await testApp({ moderation: 'post' });
  const { createApp } = await import('../../packages/server/src/app.js');
  const app = createApp({ store: t.store, secret: SECRET, limiter: { hit: async () => { throw new Error('ECONNREFUSED'); } } });
  const res = await app.request(`/api/v1/sites/${SITE}/threads/t/comments`, { method: 'POST', headers: { 'content-type': 'application/json', origin: ORIGIN }, body: JSON.stringify(say('رغم كل شيء')) });
  assert.equal(res.status, 201);
  await t.close();
});
