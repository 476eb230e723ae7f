/**
 * The Store contract: one suite, every engine (as Hono runs one router suite against every
 * router). A runner (store-sqlite.test.ts, store-postgres.test.ts, store-d1.test.ts) calls
 * `storeContract(name, open)`; `open` gives a fresh, migrated, empty database for each case, a
 * way to open a second store on it (a second API instance), and a close that removes it.
 *
 * The doc comments of store/store.ts are the contract; store/sqlite.ts was the reference where
 * they leave a detail open. Times are fixed numbers, never the wall clock, except where the
 * store itself stamps one (setStatus): those are checked against a window read around the call.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SETTINGS, type SiteSettings } from '../../packages/shared/src/index.js';
import type { Status } from '../../packages/shared/src/limits.js';
import { StoreError } from '../../packages/server/src/store/driver.js';
import type { Ban, NewStoredComment, StatusChange, Store, StoredComment, Thread, ThreadPage } from '../../packages/server/src/store/store.js';

export interface ContractBacking {
  /** A store on a fresh, empty database. */
  store: Store;
  /** Another store on the same database, as a second API instance opens it; closed by close(). */
  another(): Promise<Store>;
  /** Closes every store opened here and removes the database. */
  close(): Promise<void>;
}

export type OpenBacking = () => Promise<ContractBacking>;

/** The store with a close() that may be called again (a case may close a store itself). */
export function closingOnce(store: Store): Store {
  let closed: Promise<void> | undefined;
  return new Proxy(store, {
    get(target, key) {
      if (key === 'close') return () => (closed ??= target.close());
      const v = Reflect.get(target, key, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

const SITE = 'akhbar';
const OTHER = 'other';
/** 2023-11-14: every time in this suite is an offset from here. */
const T0 = 1_700_000_000_000;
const SETTINGS: SiteSettings = { ...DEFAULT_SETTINGS, origins: ['https://akhbar.example.ma'] };

/** Who moderates in these cases; `audit` on, as the moderation routes ask. */
const MOD: StatusChange = { actor: 'tok_mod', reason: null, audit: true };
const setStatus = (s: Store, ids: string[], status: Status, by?: StatusChange) => s.setStatus(ids, status, by);

interface Case {
  /** The store on the fresh database, with SITE created. */
  s: Store;
  /** Another store on the same database (a second API instance). */
  another(): Promise<Store>;
  thread(key?: string, siteId?: string): Promise<Thread>;
  /** A comment as the routes would build it; ids are `c-0001`, `c-0002`… in creation order. */
  make(threadId: number, over?: Partial<NewStoredComment>): NewStoredComment;
  /** make() then insertComment(), answering the stored comment. */
  post(threadId: number, over?: Partial<NewStoredComment>, s?: Store): Promise<StoredComment>;
}

export function storeContract(name: string, open: OpenBacking) {
  /** A case on a fresh database, closed (and removed) after, whatever happened. */
  const it = (title: string, fn: (c: Case) => Promise<void>) =>
    test(title, async () => {
      const backing = await open();
      try {
        const s = backing.store;
        await s.createSite(SITE, SETTINGS);
        let seq = 0;
        const make = (threadId: number, over: Partial<NewStoredComment> = {}): NewStoredComment => {
          const n = ++seq;
          const body = over.body ?? `تعليق رقم ${n}`;
          return {
            id: `c-${String(n).padStart(4, '0')}`, siteId: SITE, threadId, parentId: null, rootId: null,
            authorName: 'قارئ', authorEmail: null, readerId: `reader-${n}`, verified: false, body,
            status: 'approved', reasons: [], createdAt: T0 + n * 1000, flagged: false, ipHash: null,
            idempotencyKey: null, searchText: `قارئ ${body}`, bodyHash: null, ...over,
          };
        };
        await fn({
          s,
          another: backing.another,
          thread: (key = 'article-1', siteId = SITE) => s.ensureThread(siteId, key, { title: `مقال ${key}`, url: `https://akhbar.example.ma/${key}` }),
          make,
          post: async (threadId, over, on = s) => (await on.insertComment(make(threadId, over))).comment,
        });
      } finally {
        await backing.close();
      }
    });

  describe(`Store contract: ${name}`, () => {
    // ---- meta, ping, close -------------------------------------------------------------------

    it('getMeta answers null for an unknown key; initMeta keeps the first value', async ({ s }) => {
      assert.equal(await s.getMeta('secret'), null);
      assert.equal(await s.initMeta('secret', 'first'), 'first');
      assert.equal(await s.initMeta('secret', 'second'), 'first', 'initMeta answers the stored value');
      assert.equal(await s.getMeta('secret'), 'first');
    });

    it('ping answers; what was written before close is there for the next store on the database', async ({ s, another, thread, post }) => {
      await s.ping();
      const th = await thread();
      const c = await post(th.id);
      await s.initMeta('k', 'v');
      const b = await another();
      await s.close();
      assert.equal((await b.getComment(c.id))?.body, c.body);
      assert.equal(await b.getMeta('k'), 'v');
      await b.ping();
    });

    // ---- sites ----------------------------------------------------------------------------------

    it('createSite answers the site; getSite reads it back; unknown sites are null', async ({ s }) => {
      const site = await s.createSite('jarida', SETTINGS);
      assert.equal(site.id, 'jarida');
      assert.deepEqual(site.settings, SETTINGS);
      assert.equal(typeof site.createdAt, 'number');
      assert.deepEqual(await s.getSite('jarida'), site);
      assert.equal(await s.getSite('nope'), null);
    });

    it('createSite with a taken id fails with a StoreError of kind conflict, and keeps the first settings', async ({ s }) => {
      await assert.rejects(s.createSite(SITE, { ...SETTINGS, maxLinks: 9 }), (e: unknown) => {
        assert.ok(e instanceof StoreError, `a StoreError, not ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
        assert.equal(e.kind, 'conflict');
        return true;
      });
      assert.equal((await s.getSite(SITE))!.settings.maxLinks, SETTINGS.maxLinks);
    });

    it('listSites lists every site by id', async ({ s }) => {
      await s.createSite('zaman', SETTINGS);
      await s.createSite('bayan', SETTINGS);
      assert.deepEqual((await s.listSites()).map((x) => x.id), [SITE, 'bayan', 'zaman']);
    });

    it('site settings round-trip; settings stored without newer keys are read with the defaults merged in', async ({ s }) => {
      const changed: SiteSettings = { ...SETTINGS, moderation: 'post', bannedWords: ['كلمة'], reportThreshold: 7, closeAfterDays: 30, limits: { ...SETTINGS.limits, posts: { perReader: 1, perIp: 2, windowSeconds: 3 } } };
      const updated = await s.updateSiteSettings(SITE, changed);
      assert.deepEqual(updated.settings, changed);
      assert.deepEqual((await s.getSite(SITE))!.settings, changed);
      // A site stored before `proofOfWork` and `trustAfter` existed.
      const { proofOfWork: _p, trustAfter: _t, ...old } = SETTINGS;
      await s.createSite('old', old as SiteSettings);
      assert.deepEqual((await s.getSite('old'))!.settings, { ...DEFAULT_SETTINGS, ...old });
      assert.deepEqual((await s.listSites()).find((x) => x.id === 'old')!.settings, { ...DEFAULT_SETTINGS, ...old });
    });

    // ---- site secrets ---------------------------------------------------------------------------

    it('a new site gets random secrets of each kind, its own; unknown sites have none', async ({ s }) => {
      await s.createSite('jarida', SETTINGS);
      const secrets = [];
      for (const site of [SITE, 'jarida']) {
        for (const kind of ['sso', 'webhook'] as const) {
          const got = (await s.getSiteSecret(site, kind))!;
          assert.deepEqual({ ...got, secret: '' }, { siteId: site, kind, secret: '', previous: null, previousUntil: null, rotatedAt: null });
          assert.match(got.secret, kind === 'sso' ? /^ssosec_[A-Za-z0-9_-]{32}$/ : /^whsec_[A-Za-z0-9_-]{32}$/);
          secrets.push(got.secret);
        }
      }
      assert.equal(new Set(secrets).size, 4, 'no two sites or kinds share a secret');
      assert.equal(await s.getSiteSecret('nope', 'sso'), null);
    });

    it('createSite with a taken id keeps the first site’s secrets', async ({ s }) => {
      const before = await s.getSiteSecret(SITE, 'sso');
      await assert.rejects(s.createSite(SITE, SETTINGS));
      assert.deepEqual(await s.getSiteSecret(SITE, 'sso'), before);
    });

    it('initSiteSecret answers the stored secret and keeps it; for an unknown site it stores nothing', async ({ s }) => {
      const stored = (await s.getSiteSecret(SITE, 'webhook'))!;
      assert.deepEqual(await s.initSiteSecret(SITE, 'webhook', 'whsec_other'), stored);
      assert.equal(await s.initSiteSecret('later', 'webhook', 'whsec_early'), null);
      await s.createSite('later', SETTINGS);
      assert.notEqual((await s.getSiteSecret('later', 'webhook'))!.secret, 'whsec_early', 'the new site has its own random secret');
    });

    it('rotateSiteSecret makes the new secret current and keeps the old one until the given time; nothing else changes', async ({ s }) => {
      await s.createSite('jarida', SETTINGS);
      const untouched = [await s.getSiteSecret(SITE, 'webhook'), await s.getSiteSecret('jarida', 'sso'), await s.getSiteSecret('jarida', 'webhook')];
      const first = (await s.getSiteSecret(SITE, 'sso'))!.secret;
      const rotated = await s.rotateSiteSecret(SITE, 'sso', { secret: 'ssosec_two', initial: 'ssosec_unused', at: T0, previousUntil: T0 + 1000 });
      assert.deepEqual(rotated, { siteId: SITE, kind: 'sso', secret: 'ssosec_two', previous: first, previousUntil: T0 + 1000, rotatedAt: T0 });
      assert.deepEqual(await s.getSiteSecret(SITE, 'sso'), rotated);
      assert.deepEqual([await s.getSiteSecret(SITE, 'webhook'), await s.getSiteSecret('jarida', 'sso'), await s.getSiteSecret('jarida', 'webhook')], untouched);
      // Again: the one replaced now is the second, and the first verifies no more anywhere.
      const again = await s.rotateSiteSecret(SITE, 'sso', { secret: 'ssosec_three', initial: 'ssosec_unused', at: T0 + 5, previousUntil: T0 + 5 });
      assert.deepEqual(again, { siteId: SITE, kind: 'sso', secret: 'ssosec_three', previous: 'ssosec_two', previousUntil: T0 + 5, rotatedAt: T0 + 5 });
      assert.equal(await s.rotateSiteSecret('nope', 'sso', { secret: 'ssosec_x', initial: 'ssosec_y', at: T0, previousUntil: T0 }), null);
      assert.equal(await s.getSiteSecret('nope', 'sso'), null);
    });

    it('two rotations at once from two instances both take effect: each replaces the other or the original', async ({ s, another }) => {
      const b = await another();
      const original = (await s.getSiteSecret(SITE, 'webhook'))!.secret;
      await Promise.all([
        s.rotateSiteSecret(SITE, 'webhook', { secret: 'whsec_a', initial: 'whsec_i', at: T0, previousUntil: T0 + 9 }),
        b.rotateSiteSecret(SITE, 'webhook', { secret: 'whsec_b', initial: 'whsec_i', at: T0, previousUntil: T0 + 9 }),
      ]);
      const end = (await s.getSiteSecret(SITE, 'webhook'))!;
      assert.ok(['whsec_a', 'whsec_b'].includes(end.secret), end.secret);
      assert.equal(end.previous, end.secret === 'whsec_a' ? 'whsec_b' : 'whsec_a', `the later rotation replaced the earlier one, not ${original}`);
    });

    // ---- threads --------------------------------------------------------------------------------

    it('ensureThread creates a thread once; getThread and getThreadById read it; unknown ones are null', async ({ s }) => {
      assert.equal(await s.getThread(SITE, 'a'), null);
      const th = await s.ensureThread(SITE, 'a', { title: 'العنوان', url: 'https://akhbar.example.ma/a' });
      assert.equal(th.siteId, SITE);
      assert.equal(th.key, 'a');
      assert.equal(th.title, 'العنوان');
      assert.equal(th.url, 'https://akhbar.example.ma/a');
      assert.equal(th.mode, 'open');
      assert.equal(th.closed, false);
      assert.equal(typeof th.id, 'number');
      assert.equal(typeof th.createdAt, 'number');
      const again = await s.ensureThread(SITE, 'a', { title: 'آخر', url: null });
      assert.deepEqual(again, th, 'the thread that exists, unchanged');
      assert.deepEqual(await s.getThread(SITE, 'a'), th);
      assert.deepEqual(await s.getThreadById(th.id), th);
      assert.equal(await s.getThreadById(th.id + 1000), null);
      await s.createSite(OTHER, SETTINGS);
      const elsewhere = await s.ensureThread(OTHER, 'a', { title: null, url: null });
      assert.notEqual(elsewhere.id, th.id, 'thread keys are per site');
      assert.equal(elsewhere.title, null);
    });

    it('setThreadMode sets the mode, and closed follows mode closed', async ({ s, thread }) => {
      const th = await thread();
      for (const mode of ['pre', 'closed', 'post', 'open'] as const) {
        await s.setThreadMode(th.id, mode);
        const read = (await s.getThreadById(th.id))!;
        assert.equal(read.mode, mode);
        assert.equal(read.closed, mode === 'closed', `closed for ${mode}`);
        assert.deepEqual(await s.getThread(SITE, th.key), read);
      }
    });

    // ---- comments ---------------------------------------------------------------------------------

    it('insertComment stores every field and answers what getComment reads', async ({ s, thread, make }) => {
      const th = await thread();
      const input = make(th.id, {
        authorEmail: 'sara@example.ma', verified: true, status: 'pending', reasons: [{ code: 'links', detail: '3' }, { code: 'premoderation' }],
        flagged: true, ipHash: 'ip-hash-1', idempotencyKey: 'k1', bodyHash: 'h1', body: 'نص "مقتبس" \'و\' سطر\nثانٍ 😀',
      });
      const r = await s.insertComment(input);
      assert.equal(r.created, true);
      const { idempotencyKey: _k, searchText: _s, bodyHash: _h, ...stored } = input;
      const expected: StoredComment = { ...stored, editedAt: null, likes: 0, dislikes: 0, reports: 0 };
      assert.deepEqual(r.comment, expected);
      assert.deepEqual(await s.getComment(input.id), expected);
    });

    it('insertComment with newThread creates the thread in the same write (input.threadId ignored)', async ({ s, make }) => {
      const r = await s.insertComment(make(0), { siteId: SITE, key: 'new-article', title: 'جديد', url: 'https://akhbar.example.ma/new' });
      assert.equal(r.created, true);
      const th = await s.getThread(SITE, 'new-article');
      assert.ok(th, 'the thread exists');
      assert.equal(th.title, 'جديد');
      assert.equal(r.comment.threadId, th.id);
      assert.equal((await s.getComment(r.comment.id))!.threadId, th.id);
      // An existing thread is reused.
      const second = await s.insertComment(make(0), { siteId: SITE, key: 'new-article', title: 'غير هذا', url: null });
      assert.equal(second.comment.threadId, th.id);
      assert.equal((await s.getThread(SITE, 'new-article'))!.title, 'جديد');
      assert.equal(await s.countApproved(th.id), 2);
    });

    it('a replayed idempotency key answers the first comment, created=false, and leaves no extra thread', async ({ s, thread, make }) => {
      const th = await thread();
      const first = await s.insertComment(make(th.id, { idempotencyKey: 'same-key' }));
      const replay = await s.insertComment(make(0, { idempotencyKey: 'same-key', body: 'غير' }), { siteId: SITE, key: 'never-made', title: null, url: null });
      assert.equal(replay.created, false);
      assert.deepEqual(replay.comment, first.comment);
      assert.equal(await s.getThread(SITE, 'never-made'), null, 'no thread for a refused comment');
      assert.equal(await s.countApproved(th.id), 1);
      assert.deepEqual((await s.exportSite(SITE)).comments.map((c) => c.id), [first.comment.id]);
      // A refused first comment with newThread leaves no thread either (a replay of a replay).
      const again = await s.insertComment(make(0, { idempotencyKey: 'same-key' }), { siteId: SITE, key: 'never-made-2', title: null, url: null });
      assert.equal(again.created, false);
      assert.equal(await s.getThread(SITE, 'never-made-2'), null);
    });

    it('idempotency keys are scoped per site', async ({ s, thread, make }) => {
      await s.createSite(OTHER, SETTINGS);
      const a = await thread('x');
      const b = await thread('x', OTHER);
      const first = await s.insertComment(make(a.id, { idempotencyKey: 'k' }));
      const second = await s.insertComment(make(b.id, { idempotencyKey: 'k', siteId: OTHER }));
      assert.equal(second.created, true);
      assert.notEqual(second.comment.id, first.comment.id);
      assert.equal((await s.getComment(second.comment.id))!.siteId, OTHER);
      const replay = await s.insertComment(make(b.id, { idempotencyKey: 'k', siteId: OTHER }));
      assert.equal(replay.created, false);
      assert.equal(replay.comment.id, second.comment.id);
    });

    it('comments without an idempotency key are never taken for a replay', async ({ s, thread, make }) => {
      const th = await thread();
      const a = await s.insertComment(make(th.id));
      const b = await s.insertComment(make(th.id));
      assert.equal(b.created, true);
      assert.notEqual(a.comment.id, b.comment.id);
    });

    it('getComment and getComments: unknown ids are left out, an empty list answers an empty list', async ({ s, thread, post }) => {
      const th = await thread();
      const a = await post(th.id);
      const b = await post(th.id, { status: 'pending' });
      assert.equal(await s.getComment('c-nope'), null);
      assert.deepEqual(await s.getComments([]), []);
      assert.deepEqual(await s.getComments(['c-nope']), []);
      // Ids no stored comment can have (PostgreSQL's JSON refuses both): left out, not an error.
      assert.deepEqual(await s.getComments(['a\u0000b', 'a\ud800b', '\udc00']), []);
      const got = await s.getComments([b.id, 'c-nope', a.id]);
      assert.deepEqual(got.sort((x, y) => (x.id < y.id ? -1 : 1)), [a, b]);
    });

    // ---- listing --------------------------------------------------------------------------------

    it('listThread newest/oldest: order by time, ties broken by id; only approved top-level comments', async ({ s, thread, post }) => {
      const th = await thread();
      const at = T0 + 50_000;
      // Inserted out of id order, all at one time.
      const b = await post(th.id, { id: 'tie-b', createdAt: at });
      const c = await post(th.id, { id: 'tie-c', createdAt: at });
      const a = await post(th.id, { id: 'tie-a', createdAt: at });
      const older = await post(th.id, { createdAt: at - 1 });
      const newer = await post(th.id, { createdAt: at + 1 });
      for (const status of ['pending', 'rejected', 'spam', 'deleted'] as const) await post(th.id, { status, createdAt: at });
      const ids = async (sort: 'newest' | 'oldest' | 'popular') => (await s.listThread(th.id, sort, 50, null)).top.map((x) => x.id);
      assert.deepEqual(await ids('newest'), [newer.id, c.id, b.id, a.id, older.id]);
      assert.deepEqual(await ids('oldest'), [older.id, a.id, b.id, c.id, newer.id]);
      // No votes: the score is the age's, so popular is newest-first, ties broken by id too.
      assert.deepEqual(await ids('popular'), [newer.id, c.id, b.id, a.id, older.id]);
    });

    it('listThread answers the public fields of each comment', async ({ s, thread, post }) => {
      const th = await thread();
      const c = await post(th.id, { verified: true, authorEmail: 'x@example.ma' });
      const page = await s.listThread(th.id, 'newest', 10, null);
      assert.deepEqual(page.top, [{ id: c.id, parentId: null, rootId: null, authorName: c.authorName, verified: true, body: c.body, createdAt: c.createdAt, editedAt: null, likes: 0, dislikes: 0 }]);
      assert.deepEqual(page.replies, []);
      assert.equal(page.next, null);
      assert.deepEqual(await s.listThread(th.id + 999, 'newest', 10, null), { top: [], replies: [], next: null, moreReplies: {} });
    });

    it('listThread pages with a cursor in every order: no duplicates, no gaps, no empty last page', async ({ s, thread, post }) => {
      const th = await thread();
      const top: StoredComment[] = [];
      // 24 approved top-level comments, three at each time, ids not in time order; pending ones between.
      for (let i = 0; i < 24; i++) {
        top.push(await post(th.id, { id: `p-${String((i * 7) % 24).padStart(2, '0')}`, createdAt: T0 + Math.floor(i / 3) * 1000 }));
        if (i % 5 === 0) await post(th.id, { status: 'pending', createdAt: T0 + Math.floor(i / 3) * 1000 });
      }
      // Replies to some of them (a reply of a reply too); one pending reply, never listed.
      const replies: StoredComment[] = [];
      for (const [i, root] of [top[0], top[5], top[13], top[23]].entries()) {
        const r = await post(th.id, { parentId: root.id, rootId: root.id, createdAt: T0 + 100_000 + i });
        replies.push(r, await post(th.id, { parentId: r.id, rootId: root.id, createdAt: T0 + 90_000 + i }));
      }
      await post(th.id, { parentId: top[0].id, rootId: top[0].id, status: 'pending' });
      // Votes for popular: 4, 3 and 2 net likes, and one comment with 2 net dislikes.
      const votes: [StoredComment, number, number][] = [[top[2], 4, 0], [top[20], 3, 0], [top[11], 3, 1], [top[7], 0, 2]];
      for (const [c, up, down] of votes) {
        for (let v = 0; v < up + down; v++) await s.vote(c.id, `voter-${v}`, v < up ? 1 : -1, T0 + 200_000);
      }

      const byTime = (dir: 1 | -1) => (x: StoredComment, y: StoredComment) => dir * (x.createdAt - y.createdAt || (x.id < y.id ? -1 : 1));
      const newest = [...top].sort(byTime(-1)).map((c) => c.id);
      const expected = {
        newest,
        oldest: [...top].sort(byTime(1)).map((c) => c.id),
        popular: [top[2].id, top[20].id, top[11].id, ...newest.filter((id) => ![top[2], top[20], top[11], top[7]].some((c) => c.id === id)), top[7].id],
      };
      for (const sort of ['newest', 'oldest', 'popular'] as const) {
        const whole = await s.listThread(th.id, sort, 100, null);
        assert.deepEqual(whole.top.map((c) => c.id), expected[sort], `${sort}: one page`);
        const seen: string[] = [];
        const pages: ThreadPage[] = [];
        let page = await s.listThread(th.id, sort, 4, null);
        for (;;) {
          pages.push(page);
          assert.ok(pages.length <= 6, `${sort}: at most 6 pages of 4`);
          seen.push(...page.top.map((c) => c.id));
          // The replies of a page are those of its top-level comments, oldest first.
          const expectedReplies = replies.filter((r) => page.top.some((t) => t.id === r.rootId))
            .sort(byTime(1)).map((r) => r.id);
          assert.deepEqual(page.replies.map((r) => r.id), expectedReplies, `${sort}: replies of page ${pages.length}`);
          if (!page.next) break;
          page = await s.listThread(th.id, sort, 4, page.next);
        }
        assert.deepEqual(seen, expected[sort], `${sort}: pages in order, none twice, none missing`);
        assert.deepEqual(pages.map((p) => p.top.length), [4, 4, 4, 4, 4, 4], `${sort}: six full pages, the last without a next cursor`);
      }
    });

    it('listThread groups the approved replies under their roots, oldest first, replies of replies included', async ({ s, thread, post }) => {
      const th = await thread();
      const a = await post(th.id, { createdAt: T0 + 10_000 });
      const b = await post(th.id, { createdAt: T0 + 20_000 });
      const a2 = await post(th.id, { parentId: a.id, rootId: a.id, createdAt: T0 + 40_000 });
      const a1 = await post(th.id, { parentId: a.id, rootId: a.id, createdAt: T0 + 30_000 });
      const a1x = await post(th.id, { parentId: a1.id, rootId: a.id, createdAt: T0 + 35_000 });
      await post(th.id, { parentId: a.id, rootId: a.id, status: 'pending', createdAt: T0 + 36_000 });
      await post(th.id, { parentId: a.id, rootId: a.id, status: 'rejected', createdAt: T0 + 37_000 });
      const b1 = await post(th.id, { parentId: b.id, rootId: b.id, createdAt: T0 + 31_000 });
      const page = await s.listThread(th.id, 'oldest', 10, null);
      assert.deepEqual(page.top.map((c) => c.id), [a.id, b.id], 'replies are not top-level comments');
      assert.deepEqual(page.replies.map((c) => c.id), [a1.id, b1.id, a1x.id, a2.id]);
      assert.deepEqual(page.replies.map((c) => [c.parentId, c.rootId]), [[a.id, a.id], [b.id, b.id], [a1.id, a.id], [a.id, a.id]]);
      // Only the replies of the page's own top-level comments.
      const first = await s.listThread(th.id, 'oldest', 1, null);
      assert.deepEqual(first.replies.map((c) => c.id), [a1.id, a1x.id, a2.id]);
    });

    it('listThread gives at most repliesPer replies of each top-level comment and says how many are left; listReplies pages through them', async ({ s, thread, post }) => {
      const th = await thread();
      const a = await post(th.id, { createdAt: T0 });
      const b = await post(th.id, { createdAt: T0 + 1 });
      const c = await post(th.id, { createdAt: T0 + 2 });
      // a: 7 approved replies (three at one time, ids out of order), a pending one and a rejected one between; b: 3; c: none.
      const ra: StoredComment[] = [];
      for (const [i, id] of ['ra-5', 'ra-1', 'ra-3', 'ra-0', 'ra-2', 'ra-4', 'ra-6'].entries()) {
        ra.push(await post(th.id, { id, parentId: i % 3 ? a.id : ra[0]?.id ?? a.id, rootId: a.id, createdAt: T0 + 100 + Math.min(i, 3) }));
        if (i === 2) for (const status of ['pending', 'rejected'] as const) await post(th.id, { parentId: a.id, rootId: a.id, status, createdAt: T0 + 101 });
      }
      const rb = [];
      for (let i = 0; i < 3; i++) rb.push(await post(th.id, { parentId: b.id, rootId: b.id, createdAt: T0 + 200 + i }));
      const inOrder = [...ra].sort((x, y) => x.createdAt - y.createdAt || (x.id < y.id ? -1 : 1)).map((r) => r.id);

      const page = await s.listThread(th.id, 'oldest', 10, null, 3);
      assert.deepEqual(page.top.map((x) => x.id), [a.id, b.id, c.id]);
      assert.deepEqual(page.replies.filter((r) => r.rootId === a.id).map((r) => r.id), inOrder.slice(0, 3), 'the first three of a, oldest first');
      assert.deepEqual(page.replies.filter((r) => r.rootId === b.id).map((r) => r.id), rb.map((r) => r.id), 'all three of b');
      assert.deepEqual(page.moreReplies, { [a.id]: 4 }, 'a has four more; b and c none');
      assert.deepEqual((await s.listThread(th.id, 'oldest', 10, null)).moreReplies, {}, 'the default bound (50) leaves none out here');

      // The rest of a, two at a time from the last one shown: no gaps, no duplicates, the count going down.
      let after = { t: ra.find((r) => r.id === inOrder[2])!.createdAt, id: inOrder[2] };
      const seen: string[] = [];
      const mores: number[] = [];
      for (;;) {
        const more = await s.listReplies(a.id, after, 2);
        seen.push(...more.replies.map((r) => r.id));
        mores.push(more.more);
        if (!more.next) break;
        assert.equal(more.next.id, more.replies[more.replies.length - 1].id);
        after = more.next;
      }
      assert.deepEqual(seen, inOrder.slice(3));
      assert.deepEqual(mores, [2, 0]);
      const all = await s.listReplies(a.id, null, 100);
      assert.deepEqual(all.replies.map((r) => r.id), inOrder, 'approved replies only, replies of replies included');
      assert.deepEqual([all.next, all.more], [null, 0]);
      assert.deepEqual(await s.listReplies(c.id, null, 10), { replies: [], next: null, more: 0 });
      assert.deepEqual(await s.listReplies('no-such-comment', null, 10), { replies: [], next: null, more: 0 });
    });

    it('popular order follows votes: more net likes rank above an equal-age comment, net dislikes below', async ({ s, thread, post }) => {
      const th = await thread();
      const at = T0 + 5_000;
      const plain = await post(th.id, { createdAt: at });
      const liked = await post(th.id, { createdAt: at });
      const loved = await post(th.id, { createdAt: at });
      const disliked = await post(th.id, { createdAt: at });
      const ids = async () => (await s.listThread(th.id, 'popular', 10, null)).top.map((c) => c.id);
      assert.deepEqual(await ids(), [disliked.id, loved.id, liked.id, plain.id], 'no votes: ties broken by id');
      for (const r of ['r1', 'r2']) await s.vote(liked.id, r, 1, at + 1);
      for (const r of ['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10']) await s.vote(loved.id, r, 1, at + 1);
      for (const r of ['r1', 'r2', 'r3']) await s.vote(disliked.id, r, -1, at + 1);
      assert.deepEqual(await ids(), [loved.id, liked.id, plain.id, disliked.id]);
      // Taking votes back moves the comment back.
      for (const r of ['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10']) await s.vote(loved.id, r, 0, at + 2);
      assert.deepEqual(await ids(), [liked.id, loved.id, plain.id, disliked.id]);
    });

    it('countApproved counts approved comments and replies, not replies under a removed root', async ({ s, thread, post }) => {
      const th = await thread();
      assert.equal(await s.countApproved(th.id), 0);
      const a = await post(th.id);
      const b = await post(th.id);
      await post(th.id, { parentId: a.id, rootId: a.id });
      const b1 = await post(th.id, { parentId: b.id, rootId: b.id });
      await post(th.id, { parentId: b1.id, rootId: b.id });
      await post(th.id, { status: 'pending' });
      await post(th.id, { parentId: a.id, rootId: a.id, status: 'pending' });
      assert.equal(await s.countApproved(th.id), 5);
      await setStatus(s, [b.id], 'rejected', MOD);
      assert.equal(await s.countApproved(th.id), 2, 'b and its two replies are gone');
      const other = await thread('other');
      await post(other.id);
      assert.equal(await s.countApproved(th.id), 2, 'per thread');
    });

    // ---- edits and the event log --------------------------------------------------------------------

    it('updateComment stores the patch and logs edited, removed or approved as the status moves', async ({ s, thread, post }) => {
      const th = await thread();
      const c = await post(th.id);
      const p = await post(th.id, { status: 'pending' });
      const base = (await s.lastEventId(th.id));
      const patch = (status: Status, at: number, flagged = false) => ({ body: `نص ${at}`, searchText: `نص ${at}`, editedAt: at, status, reasons: status === 'pending' ? [{ code: 'premoderation' as const }] : [], flagged });
      await s.updateComment(c.id, patch('approved', T0 + 1));
      const read = (await s.getComment(c.id))!;
      assert.equal(read.body, `نص ${T0 + 1}`);
      assert.equal(read.editedAt, T0 + 1);
      assert.equal(read.status, 'approved');
      await s.updateComment(c.id, patch('pending', T0 + 2, true)); // an approved comment edited on a pre-moderated site
      assert.deepEqual((await s.getComment(c.id))!.reasons, [{ code: 'premoderation' }]);
      assert.equal((await s.getComment(c.id))!.flagged, true);
      await s.updateComment(c.id, patch('pending', T0 + 3)); // pending to pending: nothing public changed
      await s.updateComment(c.id, patch('approved', T0 + 4));
      await s.updateComment(p.id, patch('pending', T0 + 5));
      const events = await s.listEvents(th.id, base, 100);
      assert.deepEqual(events.map((e) => [e.type, e.commentId, e.at]), [
        ['comment.edited', c.id, T0 + 1],
        ['comment.removed', c.id, T0 + 2],
        ['comment.approved', c.id, T0 + 4],
      ]);
    });

    it('insertComment logs comment.approved for an approved comment only; listEvents pages with after and limit', async ({ s, thread, post }) => {
      const th = await thread();
      const other = await thread('other');
      assert.equal(await s.lastEventId(th.id), 0);
      assert.deepEqual(await s.listEvents(th.id, 0, 10), []);
      const a = await post(th.id);
      await post(th.id, { status: 'pending' });
      await post(other.id);
      const b = await post(th.id);
      const c = await post(th.id);
      const events = await s.listEvents(th.id, 0, 10);
      assert.deepEqual(events.map((e) => [e.type, e.commentId, e.at]), [a, b, c].map((x) => ['comment.approved', x.id, x.createdAt]));
      const ids = events.map((e) => e.id);
      assert.deepEqual(ids, [...ids].sort((x, y) => x - y), 'ids increase');
      assert.equal(new Set(ids).size, 3);
      assert.equal(await s.lastEventId(th.id), ids[2]);
      assert.deepEqual((await s.listEvents(th.id, ids[0], 10)).map((e) => e.id), ids.slice(1));
      assert.deepEqual((await s.listEvents(th.id, 0, 2)).map((e) => e.id), ids.slice(0, 2));
      assert.deepEqual(await s.listEvents(th.id, ids[2], 10), []);
      assert.equal((await s.listEvents(other.id, 0, 10)).length, 1, 'per thread');
    });

    // ---- reader facts -------------------------------------------------------------------------------

    it('readerHistory answers the statuses of the reader’s decided comments on the site, newest first', async ({ s, thread, post }) => {
      await s.createSite(OTHER, SETTINGS);
      const th = await thread();
      const elsewhere = await thread('x', OTHER);
      const me = { readerId: 'me' };
      await post(th.id, { ...me, status: 'approved', createdAt: T0 + 1 });
      await post(th.id, { ...me, status: 'rejected', createdAt: T0 + 2 });
      await post(th.id, { ...me, status: 'pending', createdAt: T0 + 3 });
      await post(th.id, { ...me, status: 'spam', createdAt: T0 + 4 });
      await post(th.id, { ...me, status: 'deleted', createdAt: T0 + 5 });
      await post(th.id, { ...me, status: 'approved', createdAt: T0 + 6 });
      await post(th.id, { readerId: 'someone', status: 'spam', createdAt: T0 + 7 });
      await post(elsewhere.id, { ...me, siteId: OTHER, status: 'spam', createdAt: T0 + 8 });
      assert.deepEqual(await s.readerHistory(SITE, 'me', 10), ['approved', 'spam', 'rejected', 'approved']);
      assert.deepEqual(await s.readerHistory(SITE, 'me', 2), ['approved', 'spam']);
      assert.deepEqual(await s.readerHistory(SITE, 'nobody', 10), []);
    });

    it('hasDuplicate finds a body hash in the thread since a time, not in deleted comments or other threads', async ({ s, thread, post }) => {
      const th = await thread();
      const other = await thread('other');
      await post(th.id, { bodyHash: 'h', createdAt: T0 + 10_000, status: 'pending' });
      await post(th.id, { bodyHash: 'gone', createdAt: T0 + 10_000, status: 'deleted' });
      await post(other.id, { bodyHash: 'there', createdAt: T0 + 10_000 });
      assert.equal(await s.hasDuplicate(th.id, 'h', T0 + 10_000), true, 'since is inclusive');
      assert.equal(await s.hasDuplicate(th.id, 'h', T0), true);
      assert.equal(await s.hasDuplicate(th.id, 'h', T0 + 10_001), false, 'older than since');
      assert.equal(await s.hasDuplicate(th.id, 'gone', T0), false, 'deleted');
      assert.equal(await s.hasDuplicate(th.id, 'there', T0), false, 'another thread');
      assert.equal(await s.hasDuplicate(th.id, 'nope', T0), false);
    });

    it('lastCommentBy answers the reader’s most recent comment on the site, whatever its status', async ({ s, thread, post }) => {
      await s.createSite(OTHER, SETTINGS);
      const th = await thread();
      const elsewhere = await thread('x', OTHER);
      assert.equal(await s.lastCommentBy(SITE, 'me'), null);
      await post(th.id, { readerId: 'me', createdAt: T0 + 3 });
      const last = await post(th.id, { readerId: 'me', createdAt: T0 + 5, status: 'pending' });
      await post(th.id, { readerId: 'me', createdAt: T0 + 4 });
      await post(elsewhere.id, { readerId: 'me', siteId: OTHER, createdAt: T0 + 9 });
      await post(th.id, { readerId: 'you', createdAt: T0 + 9 });
      assert.deepEqual(await s.lastCommentBy(SITE, 'me'), last);
    });

    // ---- votes ----------------------------------------------------------------------------------------

    it('vote sets, changes and with 0 takes back a reader’s vote; the counts are exact', async ({ s, thread, post }) => {
      const th = await thread();
      const c = await post(th.id);
      const other = await post(th.id);
      assert.deepEqual(await s.vote(c.id, 'r1', 1, T0 + 1), { likes: 1, dislikes: 0, value: 1 });
      assert.deepEqual(await s.vote(c.id, 'r1', 1, T0 + 2), { likes: 1, dislikes: 0, value: 1 }, 'the same vote twice counts once');
      assert.deepEqual(await s.vote(c.id, 'r2', -1, T0 + 3), { likes: 1, dislikes: 1, value: -1 });
      assert.deepEqual(await s.vote(c.id, 'r1', -1, T0 + 4), { likes: 0, dislikes: 2, value: -1 }, 'a changed mind');
      assert.deepEqual(await s.vote(c.id, 'r3', 1, T0 + 5), { likes: 1, dislikes: 2, value: 1 });
      assert.deepEqual(await s.vote(c.id, 'r2', 0, T0 + 6), { likes: 1, dislikes: 1, value: 0 }, 'taken back');
      assert.deepEqual(await s.vote(c.id, 'r2', 0, T0 + 7), { likes: 1, dislikes: 1, value: 0 }, 'taking back twice is harmless');
      assert.deepEqual(await s.vote(other.id, 'r1', 1, T0 + 8), { likes: 1, dislikes: 0, value: 1 }, 'votes are per comment');
      const read = (await s.getComment(c.id))!;
      assert.deepEqual([read.likes, read.dislikes], [1, 1]);
      const listed = (await s.listThread(th.id, 'oldest', 10, null)).top.find((x) => x.id === c.id)!;
      assert.deepEqual([listed.likes, listed.dislikes], [1, 1]);
    });

    // ---- reports --------------------------------------------------------------------------------------

    it('addReport counts each reader once and flags exactly once, on the report that reaches the threshold', async ({ s, thread, post }) => {
      const th = await thread();
      const c = await post(th.id, { reasons: [{ code: 'links', detail: '3' }] });
      const report = (readerId: string, i: number) => s.addReport({ commentId: c.id, readerId, reason: 'abuse', note: i === 0 ? 'ملاحظة' : null, at: T0 + i }, 3);
      assert.deepEqual(await report('r1', 0), { created: true, reports: 1, newlyFlagged: false });
      assert.deepEqual(await report('r1', 1), { created: false, reports: 1, newlyFlagged: false }, 'one reader, one report');
      assert.deepEqual(await report('r2', 2), { created: true, reports: 2, newlyFlagged: false });
      assert.deepEqual(await report('r3', 3), { created: true, reports: 3, newlyFlagged: true });
      assert.deepEqual(await report('r4', 4), { created: true, reports: 4, newlyFlagged: false }, 'flagged once');
      assert.deepEqual(await report('r3', 5), { created: false, reports: 4, newlyFlagged: false });
      const read = (await s.getComment(c.id))!;
      assert.equal(read.reports, 4);
      assert.equal(read.flagged, true);
      assert.deepEqual(read.reasons, [{ code: 'links', detail: '3' }, { code: 'reports', detail: '3' }]);
      assert.equal(read.status, 'approved', 'a flag does not change the status');
    });

    it('addReport on a pending comment flags it; on a rejected one it counts but does not flag', async ({ s, thread, post }) => {
      const th = await thread();
      const pending = await post(th.id, { status: 'pending' });
      const rejected = await post(th.id, { status: 'rejected' });
      assert.equal((await s.addReport({ commentId: pending.id, readerId: 'r1', reason: 'spam', note: null, at: T0 }, 1)).newlyFlagged, true);
      const r = await s.addReport({ commentId: rejected.id, readerId: 'r1', reason: 'spam', note: null, at: T0 }, 1);
      assert.deepEqual(r, { created: true, reports: 1, newlyFlagged: false });
      assert.equal((await s.getComment(rejected.id))!.flagged, false);
    });

    // ---- bans -----------------------------------------------------------------------------------------

    const ban = (over: Partial<Ban>): Ban => ({
      id: 'ban-1', siteId: SITE, readerId: 'bad', ipHash: null, coversIp: false, shadow: false, reason: null,
      expiresAt: null, createdAt: T0, createdBy: 'tok_mod', liftedAt: null, ...over,
    });

    it('createBan and listBans: every field, newest first, per site', async ({ s }) => {
      await s.createSite(OTHER, SETTINGS);
      const a = ban({ id: 'ban-a', createdAt: T0 + 1, reason: 'شتائم', ipHash: 'ip-1', coversIp: true, expiresAt: T0 + 86_400_000 });
      const b = ban({ id: 'ban-b', createdAt: T0 + 3, shadow: true, readerId: 'worse' });
      const c = ban({ id: 'ban-c', createdAt: T0 + 2, readerId: 'third' });
      for (const x of [a, b, c]) await s.createBan(x);
      await s.createBan(ban({ id: 'ban-o', siteId: OTHER }));
      assert.deepEqual(await s.listBans(SITE), [b, c, a]);
      assert.deepEqual((await s.listBans(OTHER)).map((x) => x.id), ['ban-o']);
    });

    it('liftBan lifts a ban once, on its own site only', async ({ s }) => {
      await s.createSite(OTHER, SETTINGS);
      await s.createBan(ban({}));
      assert.equal(await s.liftBan(OTHER, 'ban-1', T0 + 5), false, 'not a ban of that site');
      assert.equal(await s.liftBan(SITE, 'ban-nope', T0 + 5), false);
      assert.equal(await s.liftBan(SITE, 'ban-1', T0 + 5), true);
      assert.equal(await s.liftBan(SITE, 'ban-1', T0 + 6), false, 'lifted already');
      assert.equal((await s.listBans(SITE))[0].liftedAt, T0 + 5);
      assert.equal(await s.activeBan(SITE, 'bad', null, T0 + 10), null);
    });

    it('activeBan finds a ban in force by reader id or IP hash, until it expires', async ({ s }) => {
      await s.createSite(OTHER, SETTINGS);
      const b = ban({ ipHash: 'ip-1', expiresAt: T0 + 1000 });
      await s.createBan(b);
      assert.deepEqual(await s.activeBan(SITE, 'bad', null, T0 + 1), b, 'by reader id');
      assert.deepEqual(await s.activeBan(SITE, 'new-id', 'ip-1', T0 + 1), b, 'by IP hash');
      assert.deepEqual(await s.activeBan(SITE, null, 'ip-1', T0 + 1), b, 'by IP hash, no reader id');
      assert.equal(await s.activeBan(SITE, 'good', 'ip-2', T0 + 1), null);
      assert.equal(await s.activeBan(SITE, null, null, T0 + 1), null);
      assert.equal(await s.activeBan(OTHER, 'bad', 'ip-1', T0 + 1), null, 'per site');
      assert.deepEqual(await s.activeBan(SITE, 'bad', null, T0 + 999), b);
      assert.equal(await s.activeBan(SITE, 'bad', null, T0 + 1000), null, 'expired at expiresAt');
      assert.equal(await s.activeBan(SITE, 'bad', 'ip-1', T0 + 5000), null);
    });

    it('activeBan prefers a visible ban to a shadow ban', async ({ s }) => {
      const shadow = ban({ id: 'ban-s', shadow: true, createdAt: T0 });
      const visible = ban({ id: 'ban-v', shadow: false, createdAt: T0 + 1, ipHash: 'ip-1' });
      await s.createBan(shadow);
      assert.deepEqual(await s.activeBan(SITE, 'bad', null, T0 + 2), shadow, 'shadow bans count');
      await s.createBan(visible);
      assert.deepEqual(await s.activeBan(SITE, 'bad', 'ip-1', T0 + 2), visible);
      await s.liftBan(SITE, 'ban-v', T0 + 3);
      assert.deepEqual(await s.activeBan(SITE, 'bad', 'ip-1', T0 + 4), shadow);
    });

    // ---- status changes, removals, audit ------------------------------------------------------------

    it('setStatus answers the comments as they were, logs approved/removed events, and clears the flag', async ({ s, thread, post }) => {
      const th = await thread();
      const pending = await post(th.id, { status: 'pending', flagged: true });
      const approved = await post(th.id, { flagged: true });
      const spam = await post(th.id, { status: 'spam' });
      const base = await s.lastEventId(th.id);
      const before = await setStatus(s, [pending.id, spam.id], 'approved', MOD);
      assert.deepEqual(before.sort((x, y) => (x.id < y.id ? -1 : 1)), [pending, spam]);
      const after = (await s.getComment(pending.id))!;
      assert.equal(after.status, 'approved');
      assert.equal(after.flagged, false, 'a decision settles the reports');
      await setStatus(s, [approved.id], 'rejected', MOD);
      assert.equal((await s.getComment(approved.id))!.flagged, false);
      await setStatus(s, [approved.id], 'spam', MOD); // rejected to spam: no public change
      await setStatus(s, [pending.id], 'approved', MOD); // approved again: no event
      const events = await s.listEvents(th.id, base, 100);
      assert.deepEqual(events.map((e) => [e.type, e.commentId]).sort(), [
        ['comment.approved', pending.id], ['comment.approved', spam.id], ['comment.removed', approved.id],
      ].sort());
      assert.deepEqual(await setStatus(s, [], 'approved', MOD), []);
      assert.deepEqual(await setStatus(s, ['c-nope'], 'approved', MOD), []);
    });

    it('setStatus never touches a deleted comment', async ({ s, thread, post }) => {
      const th = await thread();
      const deleted = await post(th.id, { status: 'deleted' });
      const pending = await post(th.id, { status: 'pending' });
      const base = await s.lastEventId(th.id);
      await setStatus(s, [deleted.id, pending.id], 'approved', MOD);
      assert.equal((await s.getComment(deleted.id))!.status, 'deleted');
      assert.equal((await s.getComment(pending.id))!.status, 'approved');
      assert.deepEqual((await s.listEvents(th.id, base, 10)).map((e) => e.commentId), [pending.id]);
      await setStatus(s, [deleted.id], 'rejected', MOD);
      assert.equal((await s.getComment(deleted.id))!.status, 'deleted');
      assert.deepEqual(await s.listRemovals(SITE, 0, Number.MAX_SAFE_INTEGER), [], 'nothing removed');
    });

    it('setStatus with by.whole writes nothing, no status, audit, removal or event, when one comment is deleted or unknown', async ({ s, thread, post }) => {
      const th = await thread();
      const deleted = await post(th.id, { status: 'deleted' });
      const pending = await post(th.id, { status: 'pending' });
      const approved = await post(th.id);
      const base = await s.lastEventId(th.id);
      const WHOLE: StatusChange = { ...MOD, reason: 'إساءة', whole: true };
      await setStatus(s, [pending.id, deleted.id, approved.id], 'rejected', WHOLE);
      await setStatus(s, [approved.id, 'c-nope'], 'spam', WHOLE);
      assert.deepEqual(await s.getComments([deleted.id, pending.id, approved.id]), [deleted, pending, approved], 'every comment as it was');
      assert.deepEqual(await s.listAudit(SITE, 50, null), [], 'no audit entry');
      assert.deepEqual(await s.listRemovals(SITE, 0, Number.MAX_SAFE_INTEGER), [], 'no removal');
      assert.deepEqual(await s.listEvents(th.id, base, 10), [], 'no event');

      // Every one live: every one changes, each with its entry, its removal row and its event.
      await setStatus(s, [pending.id, approved.id], 'rejected', WHOLE);
      assert.deepEqual((await s.getComments([pending.id, approved.id])).map((c) => c.status), ['rejected', 'rejected']);
      assert.deepEqual((await s.listAudit(SITE, 50, null)).map((e) => [e.target, (e.before as { status: string }).status]).sort(),
        [[pending.id, 'pending'], [approved.id, 'approved']].sort());
      assert.deepEqual((await s.listRemovals(SITE, 0, Number.MAX_SAFE_INTEGER)).map((r) => [r.commentId, r.reason]).sort(),
        [[pending.id, 'إساءة'], [approved.id, 'إساءة']].sort());
      assert.deepEqual((await s.listEvents(th.id, base, 10)).map((e) => [e.type, e.commentId]), [['comment.removed', approved.id]]);
    });

    it('two instances: an author deleting a comment while a whole decision on it and others runs leaves that decision done for all or for none', async ({ s, another, thread, post }) => {
      const b = await another();
      const th = await thread();
      for (let round = 0; round < 5; round++) {
        const [x, y, z] = [await post(th.id), await post(th.id, { status: 'pending' }), await post(th.id)];
        await Promise.all([
          setStatus(s, [x.id, y.id, z.id], 'spam', { ...MOD, whole: true }),
          setStatus(b, [y.id], 'deleted', { actor: 'author' }),
        ]);
        const [ax, ay, az] = await s.getComments([x.id, y.id, z.id]);
        assert.equal(ay.status, 'deleted', `round ${round}: the author's deletion stands`);
        const decided = ax.status === 'spam';
        assert.deepEqual([ax.status, az.status], decided ? ['spam', 'spam'] : ['approved', 'approved'], `round ${round}: all or none`);
        const audit = (await s.listAudit(SITE, 100, null)).filter((e) => [x.id, y.id, z.id].includes(e.target!));
        assert.equal(audit.length, decided ? 3 : 0, `round ${round}: an audit entry per comment changed, none otherwise`);
        const removed = (await s.listRemovals(SITE, 0, Number.MAX_SAFE_INTEGER)).filter((r) => [x.id, z.id].includes(r.commentId));
        assert.equal(removed.length, decided ? 2 : 0, `round ${round}: removal rows follow the decision`);
      }
    });

    it('setStatus with by.audit writes one audit entry per comment, with its status before', async ({ s, thread, post }) => {
      const th = await thread();
      const a = await post(th.id, { status: 'pending' });
      const b = await post(th.id, { status: 'spam' });
      await setStatus(s, [a.id, b.id], 'approved', { actor: 'tok_x', reason: 'مراجعة', audit: true });
      const audit = await s.listAudit(SITE, 50, null);
      for (const c of [a, b]) {
        const entry = audit.find((e) => e.target === c.id);
        assert.ok(entry, `an audit entry for ${c.id}`);
        assert.equal(entry.actor, 'tok_x');
        assert.equal(entry.siteId, SITE);
        assert.equal((entry.before as { status?: string })?.status, c.status);
      }
      await setStatus(s, [a.id], 'rejected', { actor: 'tok_x', audit: false });
      assert.equal((await s.listAudit(SITE, 50, null)).length, audit.length, 'no entry without by.audit');
      await setStatus(s, [a.id], 'approved');
      assert.equal((await s.listAudit(SITE, 50, null)).length, audit.length, 'no entry without by');
    });

    it('setStatus registers a removal when the status becomes rejected, spam or deleted and was another', async ({ s, thread, post }) => {
      const th = await thread();
      const a = await post(th.id, { reasons: [{ code: 'links', detail: '5' }, { code: 'suspect_word' }], authorName: 'سارة', readerId: 'sara' });
      const b = await post(th.id, { status: 'pending' });
      const c = await post(th.id);
      const d = await post(th.id, { status: 'rejected' });
      const from = Date.now();
      await setStatus(s, [a.id], 'rejected', { actor: 'tok_x', reason: 'إساءة', audit: true });
      await setStatus(s, [b.id], 'spam', { actor: 'tok_y' });
      await setStatus(s, [c.id], 'deleted', { actor: 'author' });
      await setStatus(s, [d.id], 'rejected', { actor: 'tok_x' }); // no change: no removal
      await setStatus(s, [a.id], 'rejected', { actor: 'tok_x' }); // again: no second removal
      await setStatus(s, [b.id], 'approved', { actor: 'tok_x' }); // approval: no removal
      const to = Date.now() + 1;
      const removals = await s.listRemovals(SITE, from, to);
      assert.deepEqual(removals.map((r) => [r.commentId, r.status, r.moderator]).sort(), [[a.id, 'rejected', 'tok_x'], [b.id, 'spam', 'tok_y'], [c.id, 'deleted', 'author']].sort());
      const ra = removals.find((r) => r.commentId === a.id)!;
      assert.deepEqual(
        { ...ra, at: 0 },
        { siteId: SITE, commentId: a.id, status: 'rejected', threadKey: th.key, threadTitle: th.title, threadUrl: th.url, authorName: 'سارة', readerId: 'sara',
          body: a.body, codes: ['links', 'suspect_word'], reason: 'إساءة', moderator: 'tok_x', createdAt: a.createdAt, at: 0 },
      );
      assert.ok(ra.at >= from && ra.at < to, 'stamped at the change');
      assert.equal(removals.find((r) => r.commentId === b.id)!.reason, null);
    });

    it('listRemovals answers the removals of a site in [from, to), oldest first', async ({ s, thread, post }) => {
      await s.createSite(OTHER, SETTINGS);
      const th = await thread();
      const elsewhere = await thread('x', OTHER);
      const a = await post(th.id);
      const b = await post(th.id);
      const o = await post(elsewhere.id, { siteId: OTHER });
      const t1 = Date.now();
      await setStatus(s, [a.id], 'rejected', MOD);
      const t2 = Date.now();
      await setStatus(s, [b.id], 'spam', MOD);
      await setStatus(s, [o.id], 'spam', MOD);
      const t3 = Date.now() + 1;
      const all = await s.listRemovals(SITE, t1, t3);
      assert.deepEqual(all.map((r) => r.commentId), [a.id, b.id]);
      assert.ok(all[0].at <= all[1].at);
      assert.deepEqual(await s.listRemovals(SITE, 0, t1), [], 'before from');
      assert.deepEqual(await s.listRemovals(SITE, t3, t3 + 86_400_000), [], 'from is after');
      assert.deepEqual((await s.listRemovals(SITE, all[0].at, all[0].at)).length, 0, 'to is exclusive');
      assert.deepEqual((await s.listRemovals(SITE, all[0].at, all[0].at + 1)).map((r) => r.commentId)[0], a.id, 'from is inclusive');
      assert.ok(t2 >= all[0].at);
      assert.deepEqual((await s.listRemovals(OTHER, t1, t3)).map((r) => r.commentId), [o.id]);
    });

    // ---- moderation queue -----------------------------------------------------------------------------

    it('listQueue answers each status newest first; flagged answers flagged comments of any status', async ({ s, thread, post }) => {
      await s.createSite(OTHER, SETTINGS);
      const th = await thread();
      const elsewhere = await thread('x', OTHER);
      const made: Record<string, StoredComment[]> = { pending: [], approved: [], rejected: [], spam: [], flagged: [] };
      for (const [i, status] of (['pending', 'approved', 'rejected', 'spam', 'pending', 'approved', 'deleted', 'spam'] as const).entries()) {
        const c = await post(th.id, { status, flagged: [0, 3, 5].includes(i), createdAt: T0 + i });
        if (status !== 'deleted') made[status].unshift(c);
        if (c.flagged) made.flagged.unshift(c);
      }
      await post(elsewhere.id, { siteId: OTHER, status: 'pending', flagged: true });
      for (const status of ['pending', 'approved', 'rejected', 'spam', 'flagged'] as const) {
        const page = await s.listQueue(SITE, status, 50, null, null);
        assert.deepEqual(page.items, made[status], status);
        assert.equal(page.next, null);
      }
      assert.ok(made.flagged.some((c) => c.status === 'approved') && made.flagged.some((c) => c.status === 'pending'));
    });

    it('listQueue pages with a cursor: ties on time broken by id, no duplicates, no gaps', async ({ s, thread, post }) => {
      const th = await thread();
      const all: StoredComment[] = [];
      for (let i = 0; i < 11; i++) all.push(await post(th.id, { id: `q-${String((i * 5) % 11).padStart(2, '0')}`, status: 'pending', createdAt: T0 + Math.floor(i / 2) }));
      const expected = [...all].sort((x, y) => y.createdAt - x.createdAt || (x.id < y.id ? 1 : -1)).map((c) => c.id);
      const seen: string[] = [];
      let page = await s.listQueue(SITE, 'pending', 3, null, null);
      const sizes = [page.items.length];
      seen.push(...page.items.map((c) => c.id));
      while (page.next) {
        page = await s.listQueue(SITE, 'pending', 3, page.next, null);
        sizes.push(page.items.length);
        seen.push(...page.items.map((c) => c.id));
        assert.ok(sizes.length <= 4);
      }
      assert.deepEqual(seen, expected);
      assert.deepEqual(sizes, [3, 3, 3, 2]);
    });

    it('listQueue q matches the normalized search text; LIKE wildcards are taken literally', async ({ s, thread, post }) => {
      const th = await thread();
      const texts = ['سارة نسبة 100% مؤكدة', 'كريم نسبة 1000 شخص', 'ليلى 100 بالمئة', 'a_b', 'axb', 'back\\slash', 'backxslash', 'عربي مطبع'];
      const made: Record<string, string> = {};
      for (const [i, text] of texts.entries()) made[text] = (await post(th.id, { status: 'pending', searchText: text, body: `نص ${i}`, createdAt: T0 + i })).id;
      const find = async (q: string, status: 'pending' | 'approved' = 'pending') => (await s.listQueue(SITE, status, 50, null, q)).items.map((c) => c.id);
      assert.deepEqual(await find('100%'), [made['سارة نسبة 100% مؤكدة']]);
      assert.deepEqual(await find('a_b'), [made.a_b]);
      assert.deepEqual(await find('\\'), [made['back\\slash']]);
      assert.deepEqual(await find('%'), [made['سارة نسبة 100% مؤكدة']]);
      assert.deepEqual(await find('100'), [made['ليلى 100 بالمئة'], made['كريم نسبة 1000 شخص'], made['سارة نسبة 100% مؤكدة']]);
      assert.deepEqual(await find('مطبع'), [made['عربي مطبع']], 'a part of the text');
      assert.deepEqual(await find('نص 1'), [], 'the search text, not the body');
      assert.deepEqual(await find('100', 'approved'), [], 'within the status');
      // With a cursor too.
      const first = await s.listQueue(SITE, 'pending', 1, null, '100');
      assert.deepEqual(first.items.map((c) => c.id), [made['ليلى 100 بالمئة']]);
      const rest = await s.listQueue(SITE, 'pending', 5, first.next, '100');
      assert.deepEqual(rest.items.map((c) => c.id), [made['كريم نسبة 1000 شخص'], made['سارة نسبة 100% مؤكدة']]);
      assert.equal(rest.next, null);
    });

    it('queueCounts counts each status of the site, and flagged comments apart', async ({ s, thread, post }) => {
      await s.createSite(OTHER, SETTINGS);
      const th = await thread();
      assert.deepEqual(await s.queueCounts(SITE), { pending: 0, approved: 0, rejected: 0, spam: 0, flagged: 0 });
      for (const [status, flagged] of [['pending', true], ['pending', false], ['approved', true], ['approved', false], ['approved', false], ['spam', false], ['deleted', false]] as const) {
        await post(th.id, { status, flagged });
      }
      await post((await thread('x', OTHER)).id, { siteId: OTHER, status: 'rejected', flagged: true });
      assert.deepEqual(await s.queueCounts(SITE), { pending: 2, approved: 3, rejected: 0, spam: 1, flagged: 2 });
    });

    // ---- export, privacy ------------------------------------------------------------------------------

    it('exportSite answers every thread by id and every comment of the site, every status, oldest first', async ({ s, thread, post }) => {
      await s.createSite(OTHER, SETTINGS);
      const t1 = await thread('one');
      const t2 = await thread('two');
      const elsewhere = await thread('x', OTHER);
      const a = await post(t2.id, { createdAt: T0 + 3, status: 'deleted' });
      const b = await post(t1.id, { createdAt: T0 + 1, status: 'pending' });
      const c = await post(t1.id, { createdAt: T0 + 2, status: 'spam' });
      await post(elsewhere.id, { siteId: OTHER });
      const out = await s.exportSite(SITE);
      assert.deepEqual(out.threads, [t1, t2]);
      assert.deepEqual(out.comments, [b, c, a]);
      assert.deepEqual(await s.exportSite('nope'), { threads: [], comments: [] });
    });

    it('commentsByEmail finds the comments of an address on every site, ASCII case ignored', async ({ s, thread, post }) => {
      await s.createSite(OTHER, SETTINGS);
      const th = await thread();
      const elsewhere = await thread('x', OTHER);
      const a = await post(th.id, { authorEmail: 'Sara@Example.MA', createdAt: T0 + 1 });
      const b = await post(elsewhere.id, { siteId: OTHER, authorEmail: 'sara@example.ma', status: 'pending', createdAt: T0 + 2 });
      await post(th.id, { authorEmail: 'sara@example.com' });
      await post(th.id, { authorEmail: 'élodie@example.ma' });
      const found = await s.commentsByEmail('SARA@example.ma');
      assert.deepEqual(found, [{ ...a, threadKey: th.key }, { ...b, threadKey: 'x' }]);
      assert.deepEqual(await s.commentsByEmail('nobody@example.ma'), []);
      assert.equal((await s.commentsByEmail('ÉLODIE@example.ma')).length, 0, 'only ASCII letters fold');
      assert.equal((await s.commentsByEmail('élodie@EXAMPLE.MA')).length, 1);
    });

    it('eraseByEmail erases the author of each comment, deletes it, and logs the removal of approved ones', async ({ s, thread, post }) => {
      await s.createSite(OTHER, SETTINGS);
      const th = await thread();
      const elsewhere = await thread('x', OTHER);
      const mine = { authorEmail: 'sara@example.ma', authorName: 'سارة', readerId: 'sara', ipHash: 'ip-sara', bodyHash: 'h-sara', searchText: 'سارة سر' };
      const a = await post(th.id, { ...mine });
      const b = await post(th.id, { ...mine, authorEmail: 'SARA@example.ma', status: 'pending' });
      const c = await post(elsewhere.id, { ...mine, siteId: OTHER });
      const kept = await post(th.id, { authorEmail: 'karim@example.ma', searchText: 'كريم سر' });
      const base = await s.lastEventId(th.id);
      const erased = await s.eraseByEmail('Sara@Example.ma', T0 + 99);
      assert.deepEqual(erased.sort((x, y) => (x.id < y.id ? -1 : 1)), [{ id: a.id, siteId: SITE }, { id: b.id, siteId: SITE }, { id: c.id, siteId: OTHER }]);
      for (const x of [a, b, c]) {
        const read = (await s.getComment(x.id))!;
        assert.deepEqual(
          { authorName: read.authorName, authorEmail: read.authorEmail, body: read.body, readerId: read.readerId, ipHash: read.ipHash, status: read.status },
          { authorName: '', authorEmail: null, body: '', readerId: null, ipHash: null, status: 'deleted' },
        );
      }
      assert.deepEqual((await s.listEvents(th.id, base, 10)).map((e) => [e.type, e.commentId, e.at]), [['comment.removed', a.id, T0 + 99]]);
      assert.deepEqual((await s.listEvents(elsewhere.id, 0, 10)).map((e) => e.type), ['comment.approved', 'comment.removed']);
      assert.equal(await s.hasDuplicate(th.id, 'h-sara', 0), false);
      assert.deepEqual(await s.commentsByEmail('sara@example.ma'), []);
      assert.equal(await s.lastCommentBy(SITE, 'sara'), null);
      assert.deepEqual((await s.listQueue(SITE, 'pending', 10, null, 'سر')).items, []);
      assert.deepEqual((await s.listQueue(SITE, 'approved', 10, null, 'سر')).items.map((x) => x.id), [kept.id]);
      assert.equal((await s.getComment(kept.id))!.authorEmail, 'karim@example.ma');
      assert.deepEqual(await s.eraseByEmail('sara@example.ma', T0 + 100), []);
    });

    it('purgeIpHashes forgets the IP hashes of comments older than a time, and answers how many', async ({ s, thread, post }) => {
      const th = await thread();
      const old1 = await post(th.id, { ipHash: 'ip-1', createdAt: T0 + 1 });
      await post(th.id, { ipHash: null, createdAt: T0 + 2 });
      const edge = await post(th.id, { ipHash: 'ip-3', createdAt: T0 + 10 });
      const fresh = await post(th.id, { ipHash: 'ip-4', createdAt: T0 + 11 });
      await s.createBan(ban({ ipHash: 'ip-1', coversIp: true }));
      assert.equal(await s.purgeIpHashes(T0 + 10, T0 + 20), 1);
      assert.equal((await s.getComment(old1.id))!.ipHash, null);
      assert.equal((await s.getComment(edge.id))!.ipHash, 'ip-3', 'not older than before');
      assert.equal((await s.getComment(fresh.id))!.ipHash, 'ip-4');
      assert.equal(await s.purgeIpHashes(T0 + 10, T0 + 20), 0);
      assert.equal((await s.listBans(SITE))[0].ipHash, 'ip-1', 'a ban in force keeps its own copy');
    });

    it('purgeIpHashes forgets the address of bans lifted or expired, and keeps that they covered one', async ({ s }) => {
      await s.createBan(ban({ id: 'ban-lifted', ipHash: 'ip-1', coversIp: true }));
      await s.createBan(ban({ id: 'ban-expired', ipHash: 'ip-2', coversIp: true, expiresAt: T0 + 50 }));
      await s.createBan(ban({ id: 'ban-later', ipHash: 'ip-3', coversIp: true, expiresAt: T0 + 500 }));
      await s.createBan(ban({ id: 'ban-forever', ipHash: 'ip-4', coversIp: true }));
      await s.liftBan(SITE, 'ban-lifted', T0 + 10);
      assert.equal(await s.purgeIpHashes(T0, T0 + 100), 2);
      const byId = Object.fromEntries((await s.listBans(SITE)).map((b) => [b.id, b]));
      assert.deepEqual(Object.fromEntries(Object.entries(byId).map(([id, b]) => [id, [b.ipHash, b.coversIp]])), {
        'ban-lifted': [null, true], 'ban-expired': [null, true], 'ban-later': ['ip-3', true], 'ban-forever': ['ip-4', true],
      });
      assert.deepEqual(await s.activeBan(SITE, 'someone', 'ip-3', T0 + 100), byId['ban-later'], 'a ban in force still covers its address');
      assert.equal(await s.purgeIpHashes(T0, T0 + 100), 0);
    });

    // ---- moderator tokens, audit --------------------------------------------------------------------

    it('tokens: created with their role, found by hash, listed by site in creation order, revoked once', async ({ s }) => {
      await s.createSite(OTHER, SETTINGS);
      const t1 = { id: 'tok_1', siteId: SITE, role: 'owner', label: 'هيئة التحرير', createdAt: T0 + 2, revokedAt: null } as const;
      const t2 = { id: 'tok_2', siteId: SITE, role: 'moderator', label: null, createdAt: T0 + 1, revokedAt: null } as const;
      const admin = { id: 'tok_admin', siteId: null, role: 'owner', label: 'admin', createdAt: T0 + 3, revokedAt: null } as const;
      const other = { id: 'tok_o', siteId: OTHER, role: 'moderator', label: null, createdAt: T0 + 4, revokedAt: null } as const;
      for (const [t, hash] of [[t1, 'hash-1'], [t2, 'hash-2'], [admin, 'hash-admin'], [other, 'hash-o']] as const) await s.createToken({ ...t, hash });
      assert.deepEqual(await s.findTokenByHash('hash-1'), t1);
      assert.deepEqual(await s.findTokenByHash('hash-admin'), admin);
      assert.deepEqual(await s.findTokenByHash('hash-2'), t2, 'a moderator stays a moderator');
      assert.equal(await s.findTokenByHash('hash-nope'), null);
      assert.deepEqual(await s.listTokens(SITE), [t2, t1]);
      assert.deepEqual(await s.listTokens(), [t2, t1, admin, other]);
      assert.equal(await s.revokeToken('tok_1', T0 + 10), true);
      assert.equal(await s.revokeToken('tok_1', T0 + 11), false, 'revoked already');
      assert.equal(await s.revokeToken('tok_nope', T0 + 11), false);
      assert.deepEqual(await s.findTokenByHash('hash-1'), { ...t1, revokedAt: T0 + 10 });
      assert.deepEqual((await s.listTokens(SITE)).map((t) => t.revokedAt), [null, T0 + 10]);
    });

    it('addAudit and listAudit: newest first, per site, paged with beforeId; before and after round-trip', async ({ s }) => {
      await s.createSite(OTHER, SETTINGS);
      for (let i = 0; i < 7; i++) {
        await s.addAudit({ siteId: i === 3 ? OTHER : SITE, actor: `tok_${i}`, action: 'comment.approve', target: `c-${i}`, before: { status: 'pending', n: i }, after: { status: 'approved', reason: 'سبب' }, at: T0 + i });
      }
      await s.addAudit({ siteId: SITE, actor: 'env', action: 'site.update', target: null, before: null, after: null, at: T0 + 9 });
      const all = await s.listAudit(SITE, 50, null);
      assert.deepEqual(all.map((e) => e.target), [null, 'c-6', 'c-5', 'c-4', 'c-2', 'c-1', 'c-0']);
      const ids = all.map((e) => e.id);
      assert.deepEqual(ids, [...ids].sort((x, y) => y - x), 'ids decrease');
      const e6 = all[1];
      assert.deepEqual(e6, { id: e6.id, siteId: SITE, actor: 'tok_6', action: 'comment.approve', target: 'c-6', before: { status: 'pending', n: 6 }, after: { status: 'approved', reason: 'سبب' }, at: T0 + 6 });
      assert.deepEqual({ before: all[0].before, after: all[0].after }, { before: null, after: null });
      const first = await s.listAudit(SITE, 3, null);
      assert.deepEqual(first.map((e) => e.id), ids.slice(0, 3));
      const second = await s.listAudit(SITE, 3, first[2].id);
      assert.deepEqual(second.map((e) => e.id), ids.slice(3, 6));
      const third = await s.listAudit(SITE, 3, second[2].id);
      assert.deepEqual(third.map((e) => e.id), ids.slice(6));
      assert.deepEqual((await s.listAudit(OTHER, 50, null)).map((e) => e.target), ['c-3']);
    });

    // ---- two instances on one database ----------------------------------------------------------------

    it('two instances: 50 votes by distinct readers at once are all counted, exactly', async ({ s, another, thread, post }) => {
      const b = await another();
      const th = await thread();
      const c = await post(th.id);
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? s : b).vote(c.id, `reader-${i}`, i % 5 === 0 ? -1 : 1, T0 + i)));
      assert.ok(results.every((r) => r.likes + r.dislikes <= 50));
      const read = (await b.getComment(c.id))!;
      assert.deepEqual([read.likes, read.dislikes], [40, 10]);
      // One more vote answers counts that include every earlier one.
      assert.deepEqual(await s.vote(c.id, 'reader-0', 1, T0 + 99), { likes: 41, dislikes: 9, value: 1 });
    });

    it('two instances: one reader voting at once from both leaves one vote', async ({ s, another, thread, post }) => {
      const b = await another();
      const th = await thread();
      const c = await post(th.id);
      for (let round = 0; round < 3; round++) {
        await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? s : b).vote(c.id, 'same-reader', i % 3 === 0 ? -1 : 1, T0 + round * 100 + i)));
        const read = (await s.getComment(c.id))!;
        assert.equal(read.likes + read.dislikes, 1, `round ${round}: one vote row`);
      }
      assert.deepEqual(await b.vote(c.id, 'same-reader', 0, T0 + 1000), { likes: 0, dislikes: 0, value: 0 });
    });

    it('two instances: 20 reports at once across the threshold flag the comment exactly once', async ({ s, another, thread, post }) => {
      const b = await another();
      const th = await thread();
      const c = await post(th.id);
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? s : b).addReport({ commentId: c.id, readerId: `reporter-${i}`, reason: 'spam', note: null, at: T0 + i }, 5)));
      assert.equal(results.filter((r) => r.created).length, 20);
      assert.equal(results.filter((r) => r.newlyFlagged).length, 1, 'exactly one newlyFlagged');
      // Each answers a count that includes itself; one written at the same time may be in it too.
      assert.ok(results.every((r) => r.reports >= 1 && r.reports <= 20), 'counts within 1..20');
      const read = (await s.getComment(c.id))!;
      assert.equal(read.reports, 20);
      assert.equal(read.flagged, true);
      assert.deepEqual(read.reasons, [{ code: 'reports', detail: '5' }]);
    });

    it('two instances: one idempotency key posted to both at once makes one comment, and both answer it', async ({ s, another, make }) => {
      const b = await another();
      for (let round = 0; round < 5; round++) {
        const key = `article-${round}`;
        const newThread = { siteId: SITE, key, title: null, url: null };
        const [x, y] = await Promise.all([
          s.insertComment(make(0, { idempotencyKey: `key-${round}` }), newThread),
          b.insertComment(make(0, { idempotencyKey: `key-${round}` }), newThread),
        ]);
        assert.equal([x, y].filter((r) => r.created).length, 1, `round ${round}: one created`);
        assert.deepEqual(x.comment, y.comment, `round ${round}: both answer the stored comment`);
        const th = (await s.getThread(SITE, key))!;
        assert.equal(await b.countApproved(th.id), 1);
        assert.deepEqual((await s.listEvents(th.id, 0, 10)).map((e) => e.commentId), [x.comment.id], 'one event');
      }
      assert.equal((await s.exportSite(SITE)).threads.length, 5, 'one thread per round');
    });

    it('two instances: approving one comment at once logs one approval; rejecting it at once registers one removal', async ({ s, another, thread, post }) => {
      const b = await another();
      const th = await thread();
      for (let round = 0; round < 5; round++) {
        const p = await post(th.id, { status: 'pending' });
        const base = await s.lastEventId(th.id);
        await Promise.all([setStatus(s, [p.id], 'approved', MOD), setStatus(b, [p.id], 'approved', MOD)]);
        const events = await s.listEvents(th.id, base, 10);
        assert.deepEqual(events.map((e) => [e.type, e.commentId]), [['comment.approved', p.id]], `round ${round}: one approval`);
        const audit = (await s.listAudit(SITE, 100, null)).filter((e) => e.target === p.id);
        assert.ok(audit.length >= 1 && audit.length <= 2, `round ${round}: one audit entry per instance at most`);

        const q = await post(th.id, { status: 'pending' });
        await Promise.all([setStatus(s, [q.id], 'rejected', MOD), setStatus(b, [q.id], 'rejected', MOD)]);
        const removals = (await b.listRemovals(SITE, 0, Number.MAX_SAFE_INTEGER)).filter((r) => r.commentId === q.id);
        assert.equal(removals.length, 1, `round ${round}: one removal row`);
      }
    });

    it('two instances: a poller reads the events of one thread written from both in id order, none skipped', async ({ s, another, thread, post }) => {
      const b = await another();
      const th = await thread();
      const pending: StoredComment[] = [];
      for (let i = 0; i < 30; i++) pending.push(await post(th.id, { status: 'pending' }));
      const ids = pending.map((p) => p.id);
      const seen: { id: number; commentId: string }[] = [];
      let after = await b.lastEventId(th.id);
      const poll = async () => {
        for (const e of await b.listEvents(th.id, after, 100)) {
          seen.push(e);
          after = e.id;
        }
      };
      let writing = true;
      const poller = (async () => {
        while (writing) {
          await poll();
          await new Promise((r) => setImmediate(r));
        }
        await poll(); // what committed last
      })();
      const edit = (id: string) => ({ body: 'معدّل', searchText: 'معدل', editedAt: T0 + 5, status: 'approved' as const, reasons: [], flagged: false });
      await Promise.all([
        ...ids.slice(0, 10).map((id, i) => setStatus(i % 2 ? s : b, [id], 'approved', MOD)),
        setStatus(s, ids.slice(10, 15), 'approved', MOD),
        setStatus(b, ids.slice(15, 20), 'approved', MOD),
        ...ids.slice(20).map((id, i) => (i % 2 ? b : s).updateComment(id, edit(id))),
        // New approved comments from both, too.
        ...Array.from({ length: 6 }, (_, i) => post(th.id, {}, i % 2 ? s : b).then((c) => ids.push(c.id))),
      ]);
      writing = false;
      await poller;
      assert.deepEqual(seen.map((e) => e.commentId).sort(), [...ids].sort(), 'every approval seen, once');
      assert.deepEqual(seen.map((e) => e.id), seen.map((e) => e.id).sort((x, y) => x - y), 'in id order');
      assert.equal(after, await s.lastEventId(th.id));
    });
  });
}
