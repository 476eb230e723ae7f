/**
 * A widget whose live-update stream the server refuses (over its caps: 429 or 503 with
 * Retry-After) waits as long as it is told, shows new comments meanwhile by refreshing the
 * thread, and follows the stream again once it is let in. Real Chromium, real API and SQLite
 * (test/support/wtr-server.ts refuses the streams as a capped server would).
 */
import { expect, fixtureCleanup, waitUntil } from '@open-wc/testing';
import { $, approve, following, mount, newSite, newThread, postAs, seed, streamLog, streams, text } from './helpers.js';

describe('live updates refused by the server', () => {
  let site: string;
  let thread: string;

  beforeEach(async () => {
    localStorage.clear();
    site = await newSite('post');
    thread = newThread();
  });

  afterEach(async () => {
    fixtureCleanup();
    await streams(thread, { refuse: 0 });
  });

  for (const status of [429, 503]) {
    it(`backs off as Retry-After says (${status}), refreshes the thread meanwhile, and resumes the stream when let in`, async () => {
      await seed(site, thread, 1);
      const el = await mount(site, { thread, lang: 'en' });
      await following(thread);
      const pagesBefore = (await streamLog(thread)).pageRequests;

      // Every stream refused from now on, as over the caps; the open one is cut.
      await streams(thread, { cut: true, refuse: 1_000, status, retryAfter: 1 });
      await waitUntil(async () => (await streams(thread)) === 0, 'the stream was not cut');
      await waitUntil(async () => (await streamLog(thread)).refusedAt.length >= 1, 'the widget did not try again', { timeout: 8000 });

      // Approved while refused: it comes by the refresh of the thread, not by a stream.
      const during = await postAs(site, thread, 'A', 'while refused');
      await approve(during.comment.id);
      await waitUntil(() => text($(el, 'button[part~=fresh]')) === '1 new comment', 'the refresh did not show it', { timeout: 8000 });
      expect(await streams(thread), 'no stream was let in').to.equal(0);
      const log = await streamLog(thread);
      expect(log.pageRequests, 'the thread was read again').to.be.greaterThan(pagesBefore);

      // Told to wait a second: no two attempts closer than that (jitter only adds to it).
      await waitUntil(async () => (await streamLog(thread)).refusedAt.length >= 3, 'too few attempts', { timeout: 10_000 });
      const at = (await streamLog(thread)).refusedAt;
      for (let i = 1; i < at.length; i++) expect(at[i] - at[i - 1], `attempt ${i} came early`).to.be.at.least(950);

      // Let in again: the stream opens after the last event seen, and live updates flow.
      await streams(thread, { refuse: 0 });
      await following(thread);
      expect((await streamLog(thread)).urls.at(-1)).to.match(/\/events(\?after=\d+)?$/);
      const after = await postAs(site, thread, 'B', 'after');
      await approve(after.comment.id);
      await waitUntil(() => text($(el, 'button[part~=fresh]')) === '2 new comments', 'the resumed stream did not deliver', { timeout: 8000 });
    });
  }
});
