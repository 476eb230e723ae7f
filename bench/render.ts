/**
 * Render benchmark of the reader widget: `node --import tsx bench/render.ts` (after `npm run build`).
 *
 * The real server (`taliq serve`, test/support/process.ts) holds a thread of 1,000 approved
 * comments: 100 top-level ones with 9 replies each, seeded straight into its SQLite file. A
 * publisher's article page (test/support/publisher-page.ts, strict CSP, its own origin) embeds
 * the built dist/taliq.js; headless Chromium opens it and a reader scrolls to the comments, loads
 * every page ("show more comments" until there is no more) and unfolds every reply list.
 *
 * Measured in the page: every long task (PerformanceObserver 'longtask', over 50 ms by
 * definition), and the time until the widget is interactive (its list shown and its form usable)
 * after the reader scrolled to it. Prints the longest task and how many there were; writes
 * bench/reports/render.json; PASS when there is no long task at all.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { DEFAULT_SETTINGS } from '../packages/shared/src/index.js';
import { openSqliteStore } from '../packages/server/src/store/sqlite.js';
import { launchChromium } from '../test/support/browser.js';
import { startServer } from '../test/support/process.js';
import { servePublisherPage } from '../test/support/publisher-page.js';

const TOP = 100;
const REPLIES = 9;
const SITE = 'bench';
const THREAD = '/ar/mojtamaa/2026/11/casablanca-electric-buses';
const ADMIN_TOKEN = 'bench-render-admin-token-0123456789abcdef';
const LONG_TASK_MS = 50;

/** The thread, written into a fresh SQLite file before the server opens it. */
async function seed(file: string) {
  const store = await openSqliteStore(file);
  await store.createSite(SITE, { ...DEFAULT_SETTINGS, moderation: 'post' });
  const thread = await store.ensureThread(SITE, THREAD, { title: 'حافلات كهربائية في الدار البيضاء', url: null });
  let at = Date.now() - 3 * 24 * 3600 * 1000;
  const base = { siteId: SITE, threadId: thread.id, authorEmail: null, readerId: null, verified: false, reasons: [], idempotencyKey: null, flagged: false, ipHash: null, searchText: '' };
  const words = 'رأيي أن هذا المشروع مفيد للمدينة لكن التنفيذ يحتاج إلى متابعة دقيقة من المجلس والسكان معًا';
  for (let i = 1; i <= TOP; i++) {
    const id = `top${String(i).padStart(4, '0')}`;
    await store.insertComment({ ...base, id, parentId: null, rootId: null, authorName: `قارئ ${i}`, body: `${words} (${i})`, status: 'approved', createdAt: (at += 60_000) });
    for (let r = 1; r <= REPLIES; r++) {
      await store.insertComment({ ...base, id: `${id}r${r}`, parentId: r > 1 && r % 3 === 0 ? `${id}r${r - 1}` : id, rootId: id, authorName: `مجيب ${r}`, body: `ردّ رقم ${r}: ${words}`, status: 'approved', createdAt: (at += 1000) });
    }
  }
  await store.close();
}

/** Runs in the page before anything else: collects long tasks. */
function observeLongTasks() {
  const w = window as unknown as { __longTasks: { start: number; duration: number }[] };
  w.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) w.__longTasks.push({ start: Math.round(e.startTime), duration: Math.round(e.duration) });
  }).observe({ type: 'longtask', buffered: true });
}

/** Evaluates in the widget's shadow root (through the DevTools protocol: the page's CSP allows no eval). */
async function inWidget<T>(page: Page, fn: (root: ShadowRoot) => T): Promise<Awaited<T>> {
  const root = await page.evaluateHandle(() => document.querySelector('taliq-comments')!.shadowRoot!);
  try {
    return (await page.evaluate(fn as (root: ShadowRoot) => Awaited<T>, root)) as Awaited<T>;
  } finally {
    await root.dispose();
  }
}

async function waitInWidget(page: Page, fn: (root: ShadowRoot) => unknown, what: string, timeout = 20_000) {
  const until = Date.now() + timeout;
  while (!(await inWidget(page, fn).catch(() => false))) {
    if (Date.now() > until) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'taliq-bench-render-'));
  const db = join(dir, 'taliq.db');
  await seed(db);
  const server = await startServer(['--db', db], { TALIQ_ADMIN_TOKEN: ADMIN_TOKEN, TALIQ_SECRET: 'bench-render-secret-at-least-32-characters!!' });
  const publisher = await servePublisherPage(server.url, SITE, THREAD, 'lang="ar"');
  const browser = await launchChromium();
  try {
    // The article's origin may use the API.
    const res = await fetch(`${server.url}/api/v1/admin/sites/${SITE}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ origins: [publisher.origin] }),
    });
    if (!res.ok) throw new Error(`registering the page's origin: ${res.status} ${await res.text()}`);

    const page = await browser.newPage();
    await page.setViewport({ width: 412, height: 860, deviceScaleFactor: 1 });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.evaluateOnNewDocument(observeLongTasks);
    await page.goto(publisher.url, { waitUntil: 'load' });
    const loadedAt = await page.evaluate(() => Math.round(performance.now()));
    await page.waitForFunction(() => customElements.get('taliq-comments') && document.querySelector('taliq-comments')?.shadowRoot);
    const apiRequestsBefore = await page.evaluate(() => performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/')).length);

    // The reader scrolls to the comments: the widget loads its thread and becomes usable.
    const scrolledAt = await page.evaluate(() => {
      document.querySelector('taliq-comments')!.scrollIntoView();
      return performance.now();
    });
    await waitInWidget(page, (root) => root.querySelector('ol[part=list][aria-busy=false]') && root.querySelector('textarea#body'), 'the first page');
    const interactive = await page.evaluate(() => performance.now());

    const now = () => page.evaluate(() => Math.round(performance.now()));
    const phases: Record<string, number> = { loaded: loadedAt, scrolled: Math.round(scrolledAt), interactive: Math.round(interactive) };
    // Every page of the thread.
    let pages = 1;
    while (await inWidget(page, (root) => !!root.querySelector('button[part~=more]'))) {
      const before = await inWidget(page, (root) => root.querySelectorAll('ol[part=list] > li').length);
      await inWidget(page, (root) => (root.querySelector('button[part~=more]') as HTMLButtonElement).click());
      await page.waitForFunction(
        (n) => document.querySelector('taliq-comments')!.shadowRoot!.querySelectorAll('ol[part=list] > li').length > n,
        { timeout: 20_000 },
        before,
      );
      pages++;
    }

    phases.allPages = await now();
    // Every folded reply list, one after the other as a reader would.
    let unfolded = 0;
    while (await inWidget(page, (root) => !!root.querySelector('button[part~=more-replies]'))) {
      await inWidget(page, (root) => (root.querySelector('button[part~=more-replies]') as HTMLButtonElement).click());
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(null))));
      unfolded++;
    }
    phases.allUnfolded = await now();
    // Let the last frames settle.
    await page.evaluate(() => new Promise((r) => setTimeout(r, 500)));

    const shown = await inWidget(page, (root) => root.querySelectorAll('[part~=comment]').length);
    const longTasks = await page.evaluate(() => (window as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks);
    const longest = longTasks.reduce((m, t) => Math.max(m, t.duration), 0);
    const over = longTasks.filter((t) => t.duration > LONG_TASK_MS);
    const pass = over.length === 0 && shown === TOP * (REPLIES + 1) && errors.length === 0;

    const report = {
      date: new Date().toISOString(),
      thread: { topLevel: TOP, repliesEach: REPLIES, comments: TOP * (REPLIES + 1) },
      commentsShown: shown,
      pagesLoaded: pages,
      replyListsUnfolded: unfolded,
      apiRequestsBeforeScroll: apiRequestsBefore,
      timeToInteractiveAfterScrollMs: Math.round(interactive - scrolledAt),
      timeToInteractiveFromNavigationMs: Math.round(interactive),
      phases,
      longTasks,
      longestTaskMs: longest,
      longTasksOver50ms: over.length,
      pageErrors: errors,
      budget: 'no long task over 50 ms',
      pass,
    };
    mkdirSync('bench/reports', { recursive: true });
    writeFileSync('bench/reports/render.json', JSON.stringify(report, null, 2) + '\n');

    console.log(`comments shown: ${shown} of ${TOP * (REPLIES + 1)} (${pages} pages, ${unfolded} reply lists unfolded)`);
    console.log(`API requests before the reader scrolled: ${apiRequestsBefore}`);
    console.log(`interactive ${report.timeToInteractiveAfterScrollMs} ms after scrolling to the comments (${report.timeToInteractiveFromNavigationMs} ms from navigation)`);
    console.log(`longest task: ${longest} ms; long tasks over ${LONG_TASK_MS} ms: ${over.length}`);
    if (errors.length) console.log(`page errors: ${errors.join('; ')}`);
    console.log(`${pass ? 'PASS' : 'FAIL'}: no long task over ${LONG_TASK_MS} ms (report: bench/reports/render.json)`);
    process.exitCode = pass ? 0 : 1;
  } finally {
    await browser.close();
    await publisher.close();
    await server.stop();
  }
}

await main();
