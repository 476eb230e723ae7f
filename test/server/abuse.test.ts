import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { api, ORIGIN, SITE, SQLITE_ONLY, testApp } from '../support/app.js';
import { clientIpFrom, limitSubject } from '../../packages/server/src/abuse/client-ip.js';
import { MemoryRateLimiter, RedisRateLimiter } from '../../packages/server/src/abuse/rate-limiter.js';
import { DEFAULT_SETTINGS } from '../../packages/shared/src/index.js';

const reader = (key: string) => ({ headers: { 'taliq-reader': key.padEnd(22, 'x') } });
const say = (body: string) => ({ author: { name: 'قارئ' }, body });
const tight = { ...DEFAULT_SETTINGS.limits, posts: { perReader: 2, perIp: 3, windowSeconds: 60 } };

test('posting past the per-reader limit is a 429 with Retry-After, and the window passes', async () => {
  const t = await testApp({ moderation: 'post', limits: tight });
  const a = api(t);
  assert.equal((await a.post('t', say('1'), reader('one'))).status, 201);
  assert.equal((await a.post('t', say('2'), reader('one'))).status, 201);
  const third = await a.post('t', say('3'), reader('one'));
  assert.equal(third.status, 429);
  assert.equal(third.body.error.code, 'rate_limited');
  assert.equal(third.headers.get('retry-after'), '60');
  assert.equal((await a.list('t')).body.comments.length, 2, 'the refused comment is not stored');
  t.clock.now += 61_000;
  assert.equal((await a.post('t', say('4'), reader('one'))).status, 201);
  await t.close();
});

test('new reader keys from one address still meet the per-IP limit', async () => {
  const t = await testApp({ moderation: 'post', limits: tight });
  const a = api(t);
  const statuses = [];
  for (const key of ['k1', 'k2', 'k3', 'k4']) statuses.push((await a.post('t', say(key), reader(key))).status);
  assert.deepEqual(statuses, [201, 201, 201, 429]);
  await t.close();
});

test('votes and reports have their own limits', async () => {
  const t = await testApp({
    moderation: 'post',
    limits: { posts: tight.posts, votes: { perReader: 3, perIp: 100, windowSeconds: 60 }, reports: { perReader: 1, perIp: 100, windowSeconds: 3600 } },
  });
  const a = api(t);
  const id = (await a.post('t', say('x'))).body.comment.id;
  const votes = [];
  for (const v of [1, -1, 0, 1]) votes.push((await a.call('PUT', `/comments/${id}/vote`, { value: v }, reader('v'))).status);
  assert.deepEqual(votes, [200, 200, 200, 429]);
  assert.equal((await a.call('POST', `/comments/${id}/reports`, { reason: 'spam' }, reader('r'))).status, 202);
  const second = await a.call('POST', `/comments/${id}/reports`, { reason: 'spam' }, reader('r'));
  assert.equal(second.status, 429);
  assert.equal(second.headers.get('retry-after'), '3600');
  await t.close();
});

test('limits are a site setting', async () => {
  const t = await testApp();
  const a = api(t);
  const res = await a.call('PATCH', `/admin/sites/${SITE}`, { limits: { ...tight, votes: { perReader: 0, perIp: 1, windowSeconds: 60 } } }, a.mod());
  assert.equal(res.status, 422);
  assert.equal((await a.call('PATCH', `/admin/sites/${SITE}`, { limits: tight }, a.mod())).body.settings.limits.posts.perReader, 2);
  await t.close();
});

test('a forged X-Forwarded-For never escapes a limit: only trusted hops are believed', () => {
  // No proxy in front: the header is the client's own words.
  assert.equal(clientIpFrom('198.51.100.9', '1.2.3.4', 0), '198.51.100.9');
  // One proxy: it appended the address it saw; anything left of that was sent by the client.
  assert.equal(clientIpFrom('10.0.0.2', '1.2.3.4, 198.51.100.9', 1), '198.51.100.9');
  assert.equal(clientIpFrom('10.0.0.2', '198.51.100.9', 1), '198.51.100.9');
  // Two proxies (CDN then nginx).
  assert.equal(clientIpFrom('10.0.0.2', 'forged, 198.51.100.9, 203.0.113.5', 2), '198.51.100.9');
  assert.equal(clientIpFrom('10.0.0.2', undefined, 1), '10.0.0.2');
});

test('IPv6 addresses are limited per /64, IPv4 per address', () => {
  assert.equal(limitSubject('2001:db8:abcd:12:1:2:3:4'), '2001:db8:abcd:12::/64');
  assert.equal(limitSubject('2001:db8:abcd:12::99'), '2001:db8:abcd:12::/64');
  assert.equal(limitSubject('2001:DB8:ABCD:0012:ffff::1'), '2001:db8:abcd:12::/64');
  assert.equal(limitSubject('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(limitSubject('::ffff:203.0.113.7'), '203.0.113.7');
  assert.equal(limitSubject('203.0.113.7'), '203.0.113.7');
});

test('readers of one IPv6 /64 share the per-IP limit', async () => {
  const t = await testApp({ moderation: 'post', limits: tight });
  const { createApp } = await import('../../packages/server/src/app.js');
  let ip = '';
  const app = createApp({ store: t.store, secret: 'x'.repeat(32), clientIp: () => ip });
  const post = (addr: string) => {
    ip = addr;
    return app.request(`/api/v1/sites/${SITE}/threads/t/comments`, { method: 'POST', headers: { 'content-type': 'application/json', 'taliq-reader': randomUUID().replace(/-/g, '') }, body: JSON.stringify(say(addr)) });
  };
  await t.store.ensureThread(SITE, 't', { title: null, url: null });
  const statuses = [];
  for (const addr of ['2001:db8:1:2::a', '2001:db8:1:2::b', '2001:db8:1:2:ffff::c', '2001:db8:1:2::d', '2001:db8:1:3::a']) statuses.push((await post(addr)).status);
  assert.deepEqual(statuses, [201, 201, 201, 429, 201]);
  await t.close();
});

test('the honeypot sends a comment to spam; a form sent too fast or with a forged token waits for review', async () => {
  const t = await testApp({ moderation: 'post' });
  const a = api(t);
  const bot = await a.post('t', { ...say('رابح'), website: 'http://spam.example' });
  assert.equal(bot.status, 201);
  assert.equal(bot.body.comment.status, 'pending', 'the bot is not told');
  assert.deepEqual((await a.queue('status=spam')).body.comments[0].reasons, [{ code: 'spam_signal', detail: 'honeypot' }]);

  const { formToken } = (await a.list('t')).body;
  const fast = await a.post('t', say('سريع جدا'), { headers: { 'taliq-form': formToken } });
  assert.equal(fast.body.comment.status, 'pending');
  const forged = await a.post('t', say('مزور'), { headers: { 'taliq-form': 'eyJ0IjoxfQ.AAAAAAAAAAAAAAAA' } });
  assert.equal(forged.body.comment.status, 'pending');
  t.clock.now += 10_000;
  const human = await a.post('t', say('كتبت بتأن'), { headers: { 'taliq-form': formToken } });
  assert.equal(human.body.comment.status, 'approved');
  const reasons = (await a.queue()).body.comments.map((c: any) => c.reasons[0].detail).sort();
  assert.deepEqual(reasons, ['fast', 'form']);
  await t.close();
});

test('the same long text posted again in a thread waits for review; short common replies do not', async () => {
  const t = await testApp({ moderation: 'post' });
  const a = api(t);
  const text = 'اشتري الآن أرخص هاتف في المغرب عبر موقعنا';
  assert.equal((await a.post('t', say(text), reader('a'))).body.comment.status, 'approved');
  const again = await a.post('t', say(`${text}!!`.replace('هاتف', 'هـــاتف')), reader('b'));
  assert.equal(again.body.comment.status, 'pending');
  assert.deepEqual((await a.queue()).body.comments[0].reasons, [{ code: 'spam_signal', detail: 'duplicate' }]);
  for (const k of ['c', 'd']) assert.equal((await a.post('t', say('شكرا'), reader(k))).body.comment.status, 'approved');
  assert.equal((await a.post('other', say(text), reader('e'))).body.comment.status, 'approved', 'per thread');
  await t.close();
});

test('a site under attack asks for a proof of work: solved once, bound to the site, single use', async () => {
  const t = await testApp({ moderation: 'post', proofOfWork: true });
  const a = api(t);
  assert.equal((await a.list('t')).body.thread.proofOfWork, true);
  assert.equal((await a.post('t', say('بدون حل'))).status, 403);
  const ch = (await a.call('GET', `/sites/${SITE}/challenge`)).body;
  assert.equal(ch.algorithm, 'SHA-256');
  let number = 0;
  while (createHash('sha256').update(ch.salt + number).digest('hex') !== ch.challenge) number++;
  const solution = Buffer.from(JSON.stringify({ ...ch, number })).toString('base64');
  const wrong = Buffer.from(JSON.stringify({ ...ch, number: number + 1 })).toString('base64');
  assert.equal((await a.post('t', say('حل خاطئ'), { headers: { 'taliq-pow': wrong } })).status, 403);
  assert.equal((await a.post('t', say('حل صحيح'), { headers: { 'taliq-pow': solution } })).status, 201);
  assert.equal((await a.post('t', say('إعادة الحل'), { headers: { 'taliq-pow': solution } })).status, 403, 'single use');
  // Bound to its site, and expiring.
  await t.store.createSite('other', { ...(await t.store.getSite(SITE))!.settings });
  const other = (await a.call('GET', `/sites/other/challenge`)).body;
  number = 0;
  while (createHash('sha256').update(other.salt + number).digest('hex') !== other.challenge) number++;
  const foreign = Buffer.from(JSON.stringify({ ...other, number })).toString('base64');
  assert.equal((await a.post('t', say('تحدي موقع آخر'), { headers: { 'taliq-pow': foreign } })).status, 403);
  const late = (await a.call('GET', `/sites/${SITE}/challenge`)).body;
  number = 0;
  while (createHash('sha256').update(late.salt + number).digest('hex') !== late.challenge) number++;
  t.clock.now += 11 * 60_000;
  assert.equal((await a.post('t', say('متأخر'), { headers: { 'taliq-pow': Buffer.from(JSON.stringify({ ...late, number })).toString('base64') } })).status, 403);
  await t.close();
});

test('the in-memory limiter counts per key and forgets expired windows', async () => {
  let now = 0;
  const l = new MemoryRateLimiter(() => now);
  assert.deepEqual(await l.hit('a', 1, 1000), { allowed: true, retryAfterMs: 0 });
  assert.deepEqual(await l.hit('a', 1, 1000), { allowed: false, retryAfterMs: 1000 });
  assert.equal((await l.hit('b', 1, 1000)).allowed, true);
  now = 1000;
  assert.equal((await l.hit('a', 1, 1000)).allowed, true);
});

test('the Redis limiter shares one limit between API instances', { skip: !process.env.REDIS_URL && 'REDIS_URL is not set: the Redis limiter is not tested' }, async () => {
  const { Redis } = await import('ioredis');
  const one = new RedisRateLimiter(new Redis(process.env.REDIS_URL!));
  const two = new RedisRateLimiter(new Redis(process.env.REDIS_URL!));
  const key = `test:${randomUUID()}`;
  assert.equal((await one.hit(key, 2, 60_000)).allowed, true);
  assert.equal((await two.hit(key, 2, 60_000)).allowed, true);
  const third = await one.hit(key, 2, 60_000);
  assert.equal(third.allowed, false);
  assert.ok(third.retryAfterMs > 55_000 && third.retryAfterMs <= 60_000);
  await one.close();
  await two.close();
});

/** Solves a challenge as the widget does: the number whose SHA-256 with the salt is the challenge. */
function solve(ch: { salt: string; challenge: string }, tamper = (p: object) => p) {
  let number = 0;
  while (createHash('sha256').update(ch.salt + number).digest('hex') !== ch.challenge) number++;
  return Buffer.from(JSON.stringify(tamper({ ...ch, number }))).toString('base64');
}

test('refused posts (ban, closed thread, unknown origin, bad proof of work) do not use up the address a neighbour shares', async () => {
  const t = await testApp({ moderation: 'post', limits: tight });
  const a = api(t);
  assert.equal((await a.post('t', say('قبل الحظر'), reader('banned'))).status, 201);
  const readerId = (await a.queue('status=approved')).body.comments[0].author.readerId;
  assert.equal((await a.call('POST', `/admin/sites/${SITE}/bans`, { readerId }, a.mod())).status, 201);
  await a.post('closed', say('أول'), reader('opener'));
  assert.equal((await a.call('PATCH', `/admin/sites/${SITE}/threads/closed`, { mode: 'closed' }, a.mod())).status, 200);
  // The address has spent 2 of its 3 posts; each refusal below would have spent one more.
  for (let i = 0; i < 5; i++) {
    assert.equal((await a.post('t', say(`محظور ${i}`), reader('banned'))).status, 403);
    assert.equal((await a.post('closed', say(`مغلق ${i}`), reader(`late${i}`))).body.error.code, 'thread_closed');
    assert.equal((await a.post(`new${i}`, say('من موقع آخر'), { ...reader(`x${i}`), origin: null })).body.error.code, 'thread_not_found');
  }
  await a.call('PATCH', `/admin/sites/${SITE}`, { proofOfWork: true }, a.mod());
  for (let i = 0; i < 5; i++) {
    const ch = (await a.call('GET', `/sites/${SITE}/challenge`)).body;
    const wrong = solve(ch, (p: any) => ({ ...p, number: p.number + 1 }));
    assert.equal((await a.post('t', say(`حل خاطئ ${i}`), { headers: { ...reader('bot').headers, 'taliq-pow': wrong } })).status, 403);
    assert.equal((await a.post('t', say(`بلا حل ${i}`), reader('bot'))).status, 403);
  }
  const ch = (await a.call('GET', `/sites/${SITE}/challenge`)).body;
  const neighbour = await a.post('t', say('جار على نفس العنوان'), { headers: { ...reader('neighbour').headers, 'taliq-pow': solve(ch) } });
  assert.equal(neighbour.status, 201, 'the neighbour still posts');
  // The counter does count what it should: the next accepted post is the address's fourth.
  const ch2 = (await a.call('GET', `/sites/${SITE}/challenge`)).body;
  assert.equal((await a.post('t', say('الرابع'), { headers: { ...reader('other').headers, 'taliq-pow': solve(ch2) } })).status, 429);
  await t.close();
});

test('a ban covers the network only when asked (ip: true), IPv6 per /64, and says so', async () => {
  const t = await testApp({ moderation: 'post' });
  const { createApp } = await import('../../packages/server/src/app.js');
  let ip = '2001:db8:5:6::a';
  const app = createApp({ store: t.store, secret: 'x'.repeat(32), adminToken: 'admin-token-for-tests-0123456789abcdef', now: () => t.clock.now, clientIp: () => ip });
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await app.request(`/api/v1${path}`, { method, headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  const admin = { authorization: 'Bearer admin-token-for-tests-0123456789abcdef' };
  const post = (key: string, from: string) => {
    ip = from;
    return call('POST', `/sites/${SITE}/threads/t/comments`, say(`من ${key}`), { 'taliq-reader': key.padEnd(22, 'x') });
  };
  await t.store.ensureThread(SITE, 't', { title: null, url: null });
  assert.equal((await post('troll', '2001:db8:5:6::a')).status, 201);
  const readerId = (await call('GET', `/admin/sites/${SITE}/comments?status=approved`, undefined, admin)).body.comments[0].author.readerId;

  const plain = await call('POST', `/admin/sites/${SITE}/bans`, { readerId }, admin);
  assert.equal(plain.body.ban.ip, false, 'the reader only, by default');
  assert.equal((await post('troll', '2001:db8:5:6::a')).status, 403);
  assert.equal((await post('neighbour', '2001:db8:5:6::a')).status, 201, 'a neighbour on the same address still posts');
  await call('DELETE', `/admin/sites/${SITE}/bans/${plain.body.ban.id}`, undefined, admin);

  const wide = await call('POST', `/admin/sites/${SITE}/bans`, { readerId, ip: true }, admin);
  assert.equal(wide.status, 201);
  assert.equal(wide.body.ban.ip, true);
  assert.equal((await post('fresh-key', '2001:db8:5:6:1234::9')).status, 403, 'a new key and a new address in the same /64');
  assert.equal((await post('elsewhere', '2001:db8:5:7::a')).status, 201, 'the next /64 is another network');
  const bans = (await call('GET', `/admin/sites/${SITE}/bans`, undefined, admin)).body.bans;
  assert.deepEqual(bans.map((b: any) => b.ip), [true, false]);

  // Nothing known to cover: the moderator is told rather than given a ban that covers less than asked.
  const unknownReader = await call('POST', `/admin/sites/${SITE}/bans`, { readerId: 'nobody-wrote-this-id', ip: true }, admin);
  assert.equal(unknownReader.status, 422);
  assert.deepEqual(unknownReader.body.error.issues.map((i: any) => i.path), [['ip']]);
  await t.close();
});

test('the daily purge forgets the address of a lifted or expired ban; a ban in force keeps covering it', async () => {
  const t = await testApp({ moderation: 'post' });
  const a = api(t);
  await a.post('t', say('أول'), reader('troll'));
  const readerId = (await a.queue('status=approved')).body.comments[0].author.readerId;
  const lifted = (await a.call('POST', `/admin/sites/${SITE}/bans`, { readerId, ip: true }, a.mod())).body.ban;
  await a.call('DELETE', `/admin/sites/${SITE}/bans/${lifted.id}`, undefined, a.mod());
  await a.call('POST', `/admin/sites/${SITE}/bans`, { readerId, ip: true, expiresAt: new Date(t.clock.now + 60_000).toISOString() }, a.mod());
  await a.call('POST', `/admin/sites/${SITE}/bans`, { readerId, ip: true }, a.mod());
  t.clock.now += 120_000;
  await t.app.work.purgeIpHashes();
  const hashes = (await t.store.listBans(SITE)).map((b) => [b.ipHash !== null, b.coversIp]);
  assert.deepEqual(hashes, [[true, true], [false, true], [false, true]], 'newest first: in force, expired, lifted');
  assert.equal((await a.post('t', say('جار'), reader('neighbour'))).status, 403, 'the ban in force still covers the address');
  await t.close();
});

test('edits are limited per reader and per address; a refused edit counts nothing', async () => {
  const t = await testApp({ moderation: 'post', limits: { ...tight, posts: DEFAULT_SETTINGS.limits.posts, edits: { perReader: 2, perIp: 3, windowSeconds: 600 } } });
  const a = api(t);
  const mine = await a.post('t', say('نص أول'), reader('author'));
  const edit = (body: string, key = 'author', token = mine.body.editToken) =>
    a.call('PATCH', `/comments/${mine.body.comment.id}`, { body }, { headers: { ...reader(key).headers, authorization: `Bearer ${token}` } });
  const other = await a.post('t', say('نص آخر'), reader('author'));
  for (let i = 0; i < 4; i++) assert.equal((await edit(`مزور ${i}`, 'author', other.body.editToken)).status, 403, 'a token for another comment');
  assert.equal((await edit('تعديل 1')).status, 200);
  assert.equal((await edit('تعديل 2')).status, 200);
  const third = await edit('تعديل 3');
  assert.equal(third.status, 429);
  assert.equal(third.body.error.code, 'rate_limited');
  assert.equal(third.headers.get('retry-after'), '600');
  assert.equal((await a.list('t')).body.comments.find((c: any) => c.id === mine.body.comment.id).body, 'تعديل 2', 'the refused edit changed nothing');
  // Another reader key from the same address: the address's third edit passes, its fourth does not.
  assert.equal((await edit('تعديل من مفتاح آخر', 'author-2')).status, 200);
  assert.equal((await edit('تعديل رابع', 'author-3')).status, 429);
  t.clock.now += 601_000;
  assert.equal((await edit('بعد النافذة')).status, 200);
  await t.close();
});

test('votes and reports: the per-address limit is looser than the per-reader one, and both answer 429 with Retry-After', async () => {
  const t = await testApp({
    moderation: 'post',
    limits: { posts: DEFAULT_SETTINGS.limits.posts, votes: { perReader: 2, perIp: 5, windowSeconds: 60 }, reports: { perReader: 1, perIp: 3, windowSeconds: 3600 } },
  });
  const a = api(t);
  const ids: string[] = [];
  for (let i = 0; i < 6; i++) ids.push((await a.post('t', say(`تعليق ${i}`), reader(`w${i}`))).body.comment.id);
  const vote = (key: string, id: string) => a.call('PUT', `/comments/${id}/vote`, { value: 1 }, reader(key));
  assert.deepEqual([(await vote('v1', ids[0])).status, (await vote('v1', ids[1])).status, (await vote('v1', ids[2])).status], [200, 200, 429]);
  // Neighbours on the address still vote, until the address's own (looser) limit.
  const neighbours = [];
  for (const key of ['v2', 'v3', 'v4', 'v5']) neighbours.push((await vote(key, ids[3])).status);
  assert.deepEqual(neighbours, [200, 200, 200, 429]);
  const refused = await vote('v6', ids[4]);
  assert.equal(refused.body.error.code, 'rate_limited');
  assert.ok(Number(refused.headers.get('retry-after')) > 0);

  const report = (key: string, id: string) => a.call('POST', `/comments/${id}/reports`, { reason: 'abuse' }, reader(key));
  assert.deepEqual([(await report('r1', ids[0])).status, (await report('r1', ids[1])).status], [202, 429]);
  assert.deepEqual([(await report('r2', ids[1])).status, (await report('r3', ids[2])).status, (await report('r4', ids[3])).status], [202, 202, 429]);
  assert.equal((await report('r5', ids[4])).headers.get('retry-after'), '3600');
  // A report on a comment that is not there is refused before anything is counted.
  assert.equal((await report('r6', 'no-such-comment-00')).status, 404);
  await t.close();
});

test('a proof of work binds its salt: moving a digit between salt and number is refused', async () => {
  const t = await testApp({ moderation: 'post', proofOfWork: true });
  const a = api(t);
  const settings = (await t.store.getSite(SITE))!.settings;
  await t.store.createSite('news1', settings);
  await t.store.createSite('news12', settings);
  // Same hash input, other split: "…site=news1" + 23 is "…site=news12" + 3.
  let ch: any, number = 0;
  do {
    ch = (await a.call('GET', `/sites/news1/challenge`)).body;
    number = 0;
    while (createHash('sha256').update(ch.salt + number).digest('hex') !== ch.challenge) number++;
  } while (number < 10 || String(number)[1] === '0');
  const digits = String(number);
  const moved = { ...ch, salt: ch.salt + digits[0], number: Number(digits.slice(1)) };
  assert.equal(createHash('sha256').update(moved.salt + moved.number).digest('hex'), ch.challenge, 'the hash alone cannot tell them apart');
  const send = (site: string, pow: object) =>
    a.call('POST', `/sites/${site}/threads/t/comments`, say('حل منقول'), { headers: { 'taliq-pow': Buffer.from(JSON.stringify(pow)).toString('base64') } });
  assert.equal((await send('news12', moved)).status, 403, 'a news1 challenge does not pass on news12');
  assert.equal((await send('news1', moved)).status, 403, 'nor on its own site with another salt');
  assert.equal((await send('news1', { ...ch, number })).status, 201, 'the answer as issued passes');
  await t.close();
});

test('readers without a reader key do not share one Idempotency-Key bucket per address, and no key reaches an importer’s', async () => {
  const t = await testApp({ moderation: 'post' });
  const a = api(t);
  t.clock.now += 1000;
  const formA = (await a.list('t')).body.formToken;
  t.clock.now += 1000;
  const formB = (await a.list('t')).body.formToken;
  assert.notEqual(formA, formB);
  t.clock.now += 10_000;
  const key = { 'idempotency-key': 'draft-1' };
  // Two readers behind one carrier address, neither sending Taliq-Reader, pick the same key.
  const first = await a.post('t', say('رأيي'), { headers: { ...key, 'taliq-form': formA } });
  const retry = await a.post('t', say('رأيي'), { headers: { ...key, 'taliq-form': formA } });
  assert.equal(retry.headers.get('idempotent-replayed'), 'true', 'the same page retrying gets its comment back');
  assert.equal(retry.body.comment.id, first.body.comment.id);
  const neighbour = await a.post('t', say('رأيي'), { headers: { ...key, 'taliq-form': formB } });
  assert.equal(neighbour.status, 201);
  assert.notEqual(neighbour.body.comment.id, first.body.comment.id, 'the neighbour gets their own comment');
  assert.notEqual(neighbour.body.editToken, first.body.editToken, 'and never the first one’s edit token');
  assert.equal(neighbour.headers.get('idempotent-replayed'), null);

  // A reader with a key of their own: only theirs, whatever the key says.
  const keyed = await a.post('t', say('مفتاحي'), { headers: { ...key, ...reader('own').headers } });
  assert.notEqual(keyed.body.comment.id, first.body.comment.id);
  const readerId = (await a.queue('status=approved')).body.comments.find((c: any) => c.id === keyed.body.comment.id).author.readerId;
  const forged = await a.post('t', say('مفتاحي'), { headers: { 'idempotency-key': `r:${readerId}:draft-1`, ...reader('thief').headers } });
  assert.notEqual(forged.body.comment.id, keyed.body.comment.id, 'a key spelled like another reader’s stored key is only that');

  // The importers' namespace: a comment imported as wordpress 42 cannot be had by a reader's key.
  const thread = (await t.store.getThread(SITE, 't'))!;
  await t.store.insertComment({
    id: 'imported-42', siteId: SITE, threadId: thread.id, parentId: null, rootId: null, authorName: 'WP', authorEmail: null,
    readerId: null, ipHash: null, verified: false, body: 'من ووردبريس', status: 'approved', reasons: [], flagged: false,
    createdAt: t.clock.now, idempotencyKey: 'import:wordpress:42', searchText: 'wp',
  });
  for (const headers of [{}, reader('r').headers, { 'taliq-form': formA }] as Record<string, string>[]) {
    const res = await a.post('t', say('من ووردبريس'), { headers: { ...headers, 'idempotency-key': 'import:wordpress:42' } });
    assert.equal(res.status, 201);
    assert.notEqual(res.body.comment.id, 'imported-42');
  }
  await t.close();
});

test('a new thread takes its URL only from the site’s registered origins; the comment is kept either way', async () => {
  const t = await testApp({ moderation: 'post' });
  const a = api(t);
  const first = (key: string, url: string) => a.post(key, { ...say('أول تعليق'), thread: { title: 'عنوان', url } });
  for (const [key, url] of [
    ['elsewhere', 'https://evil.example/phishing'],
    ['lookalike', 'https://akhbar.example.ma.evil.example/42'],
    ['userinfo', 'https://akhbar.example.ma@evil.example/42'],
    ['other-scheme', 'http://akhbar.example.ma/42'],
  ]) {
    const res = await first(key, url);
    assert.equal(res.status, 201, key);
    const thread = (await a.list(key)).body.thread;
    assert.equal(thread.url, null, `${key}: the URL is dropped`);
    assert.equal(thread.title, 'عنوان');
    assert.equal(thread.count, 1, `${key}: the comment is kept`);
  }
  await first('own', `${ORIGIN}/news/42?utm=x`);
  assert.equal((await a.list('own')).body.thread.url, `${ORIGIN}/news/42?utm=x`);
  // Checked on the URL itself: a registered Origin header does not vouch for where the URL points.
  assert.equal((await a.list('elsewhere')).body.thread.url, null);
  await t.close();
});

test('bans made before ip existed keep the address they covered, and say so, after the upgrade (SQLite)', SQLITE_ONLY, async () => {
  const { default: Database } = await import('better-sqlite3');
  const { tempDir } = await import('../support/temp-dir.js');
  const { migrations } = await import('../../packages/server/src/store/migrations.js');
  const { splitStatements } = await import('../../packages/server/src/store/migrate.js');
  const { openSqliteStore } = await import('../../packages/server/src/store/sqlite.js');
  const tmp = tempDir('taliq-bans-upgrade-');
  const path = `${tmp.path}/taliq.db`;
  try {
    // A database as the version before this migration left it, with two bans.
    const db = new Database(path);
    db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
    const before = migrations.findIndex((m) => m.name === '0008_ban_networks');
    assert.ok(before > 0);
    for (const [i, m] of migrations.slice(0, before).entries()) {
      for (const sql of splitStatements(m.sqlite)) db.exec(sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(i + 1, 0);
    }
    db.prepare('INSERT INTO sites (id, settings, created_at) VALUES (?, ?, ?)').run(SITE, JSON.stringify(DEFAULT_SETTINGS), 0);
    const ban = db.prepare('INSERT INTO bans (id, site_id, reader_id, ip_hash, shadow, reason, expires_at, created_at, created_by, lifted_at) VALUES (?, ?, ?, ?, 0, NULL, NULL, ?, ?, NULL)');
    ban.run('with-address', SITE, 'reader-a', 'hash-a', 1, 'env');
    ban.run('reader-only', SITE, 'reader-b', null, 2, 'env');
    db.close();

    const store = await openSqliteStore(path);
    try {
      const bans = Object.fromEntries((await store.listBans(SITE)).map((b) => [b.id, [b.ipHash, b.coversIp]]));
      assert.deepEqual(bans, { 'with-address': ['hash-a', true], 'reader-only': [null, false] });
      assert.equal((await store.activeBan(SITE, 'a-neighbour', 'hash-a', 10))?.id, 'with-address', 'it still covers the address');
    } finally {
      await store.close();
    }
  } finally {
    tmp.remove();
  }
});
