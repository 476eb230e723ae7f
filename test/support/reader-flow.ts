/**
 * The whole foundation as its users meet it, for any deployment: the real server, a publisher
 * page on another origin under a strict CSP, a reader in real Chromium posting in Arabic, a
 * moderator approving through the admin API, and the comment visible after a reload. Run against
 * `taliq serve` (test/e2e/reader-flow.test.ts) and against the Worker on workerd through
 * `npm run start:worker` (test/worker/reader-flow.test.ts).
 */
import { after, before, test as t } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'puppeteer-core';
import { launchChromium } from './browser.js';
import { servePublisherPage, type PublisherPage } from './publisher-page.js';

/** A running server and the operator's means on it, however it is administered. */
export interface Deployment {
  url: string;
  /** Registers the site for `origin` (pre-moderation); answers a moderator token valid for it. */
  addSite(id: string, origin: string): Promise<string>;
  /** Sets one site setting, as `taliq sites set` does. */
  setSetting(id: string, key: string, value: unknown): Promise<void>;
  stop(): Promise<void>;
}

const THREAD = 'casablanca-electric-buses';
const BODY = 'خطوة ممتازة، لكن يجب تخصيص ممرات للحافلات في شارع محمد الخامس 👍';

export function readerFlow(start: () => Promise<Deployment>) {
  let server: Deployment, publisher: PublisherPage, browser: Browser, token: string;

  before(async () => {
    server = await start();
    publisher = await servePublisherPage(server.url, 'alofoq', THREAD);
    token = await server.addSite('alofoq', publisher.origin);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await publisher?.close();
    await server?.stop();
  });

  /** Waits until the API shows a setting change to readers (a server may cache a site for a second). */
  async function untilPow(value: boolean) {
    for (const deadline = Date.now() + 10_000; ; ) {
      const page = await (await fetch(`${server.url}/api/v1/sites/alofoq/threads/${THREAD}/comments`, { headers: { origin: publisher.origin } })).json();
      if (page.thread.proofOfWork === value) return;
      if (Date.now() > deadline) throw new Error(`proofOfWork never became ${value}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Opens the article and waits until the comment section has loaded its thread. */
  async function openArticle(context = browser.defaultBrowserContext()): Promise<{ page: Page; errors: string[] }> {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(publisher.url, { waitUntil: 'load' });
    await page.waitForSelector('taliq-comments >>> form');
    await page.waitForFunction(() => {
      const list = document.querySelector('taliq-comments')?.shadowRoot?.querySelector('[part~="list"], [part~="empty"]');
      return !!list && list.getAttribute('aria-busy') !== 'true';
    });
    return { page, errors };
  }

  /** Waits for a selector inside the widget's shadow root (puppeteer's `>>>` cannot parse `~=`). */
  const inShadow = (page: Page, selector: string) =>
    page.waitForFunction((sel) => !!document.querySelector('taliq-comments')?.shadowRoot?.querySelector(sel), {}, selector);

  const comments = (page: Page) =>
    page.evaluate(() =>
      [...(document.querySelector('taliq-comments')?.shadowRoot?.querySelectorAll('article[part~="comment"]') ?? [])].map((el) => ({
        author: el.querySelector('[part~="author"]')?.textContent?.trim(),
        body: el.querySelector('[part~="body"]')?.textContent,
        pending: !!el.querySelector('[part~="badge"]'),
        // Each line of the body in the direction most of its letters read: this Arabic one right-to-left.
        dirs: [...el.querySelectorAll('[part~="body"] > p')].map((p) => p.getAttribute('dir')),
      })),
    );

  t('a reader posts in Arabic on a publisher page, sees it awaiting review after a reload, and sees it published once approved', async () => {
    const { page, errors } = await openArticle();
    // Right to left, and the host page's layout untouched.
    const direction = await page.$eval('taliq-comments >>> form', (f) => getComputedStyle(f).direction);
    assert.equal(direction, 'rtl');

    await page.type('taliq-comments >>> input[name="name"]', 'سارة من الدار البيضاء');
    await page.type('taliq-comments >>> textarea[name="body"]', BODY);
    await page.click('taliq-comments >>> button[type="submit"]');
    await inShadow(page, '[part~="badge"]');
    assert.deepEqual(await comments(page), [{ author: 'سارة من الدار البيضاء', body: BODY, pending: true, dirs: ['rtl'] }]);
    assert.equal(await page.$eval('taliq-comments >>> textarea[name="body"]', (t) => (t as HTMLTextAreaElement).value), '', 'the draft is cleared once the server has it');

    // After a reload the reader still sees their comment, marked as awaiting review.
    await page.reload({ waitUntil: 'load' });
    await inShadow(page, '[part~="badge"]');
    assert.deepEqual(await comments(page), [{ author: 'سارة من الدار البيضاء', body: BODY, pending: true, dirs: ['rtl'] }]);

    // Nobody else does.
    const stranger = await browser.createBrowserContext();
    const other = await openArticle(stranger);
    assert.deepEqual(await comments(other.page), []);

    // A moderator approves it through the admin API.
    const queue = await (await fetch(`${server.url}/api/v1/admin/sites/alofoq/comments?status=pending`, { headers: { authorization: `Bearer ${token}` } })).json();
    assert.equal(queue.comments.length, 1);
    assert.equal(queue.comments[0].thread.url, publisher.url, 'the article URL came with the first comment');
    const approved = await fetch(`${server.url}/api/v1/admin/comments/${queue.comments[0].id}/moderate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'approve' }),
    });
    assert.equal(approved.status, 200);

    // Everyone now sees it, published.
    await other.page.reload({ waitUntil: 'load' });
    await inShadow(other.page, 'article[part~="comment"]');
    assert.deepEqual(await comments(other.page), [{ author: 'سارة من الدار البيضاء', body: BODY, pending: false, dirs: ['rtl'] }]);
    await page.reload({ waitUntil: 'load' });
    await inShadow(page, 'article[part~="comment"]:not([part~="comment-pending"])');
    assert.deepEqual(await comments(page), [{ author: 'سارة من الدار البيضاء', body: BODY, pending: false, dirs: ['rtl'] }]);

    assert.deepEqual(errors, []);
    assert.deepEqual(other.errors, []);
    assert.deepEqual(publisher.violations, [], 'no Content-Security-Policy violation');
    await stranger.close();
  });

  t('the widget does not touch the article page’s layout or styles', async () => {
    const { page } = await openArticle();
    const hostStyles = await page.evaluate(() => ({
      bodyFont: getComputedStyle(document.body).fontFamily,
      h1Size: getComputedStyle(document.querySelector('h1')!).fontSize,
      sheets: document.styleSheets.length,
      styleTags: document.head.querySelectorAll('style').length,
      articleWidth: document.querySelector('main')!.getBoundingClientRect().width,
    }));
    assert.equal(hostStyles.sheets, 1, 'only the publisher’s stylesheet');
    assert.equal(hostStyles.styleTags, 0);
    assert.match(hostStyles.bodyFont, /Noto Naskh Arabic/);
    const mode = await page.$eval('taliq-comments', (el) => el.shadowRoot?.mode);
    assert.equal(mode, 'open');
  });

  t('a <taliq-count> added to the page brings taliq-count.js and says the count in Arabic', async () => {
    const { page, errors } = await openArticle();
    await page.evaluate((thread) => {
      const count = document.createElement('taliq-count');
      count.setAttribute('site', 'alofoq');
      count.setAttribute('thread', thread);
      document.querySelector('h1')!.after(count);
    }, THREAD);
    await page.waitForFunction(() => /تعليق/.test(document.querySelector('taliq-count')?.shadowRoot?.textContent ?? ''));
    const text = await page.evaluate(() => document.querySelector('taliq-count')!.shadowRoot!.textContent!.trim());
    assert.equal(text, 'تعليق واحد', 'the comment approved in the first test');
    assert.deepEqual(errors, []);
    assert.deepEqual(publisher.violations, []);
  });

  t('on a site under attack the widget solves the proof of work, and sends its form stamp', async () => {
    await server.setSetting('alofoq', 'proofOfWork', true);
    await untilPow(true);
    const { page, errors } = await openArticle();
    const sent: Record<string, string>[] = [];
    page.on('request', (r) => r.method() === 'POST' && r.url().endsWith('/comments') && sent.push(r.headers()));
    await page.type('taliq-comments >>> input[name="name"]', 'كريم');
    await page.type('taliq-comments >>> textarea[name="body"]', 'تعليق من موقع يطلب إثبات العمل');
    await page.click('taliq-comments >>> button[type="submit"]');
    await page.waitForFunction(() => [...(document.querySelector('taliq-comments')?.shadowRoot?.querySelectorAll('[part~="badge"]') ?? [])].length === 1);
    assert.ok(sent[0]['taliq-pow'], 'a solved challenge went with the comment');
    assert.ok(sent[0]['taliq-form'], 'the form stamp went with the comment');
    assert.deepEqual(errors, []);
    assert.deepEqual(publisher.violations, []);
    await server.setSetting('alofoq', 'proofOfWork', false);
    await untilPow(false);
  });
}
