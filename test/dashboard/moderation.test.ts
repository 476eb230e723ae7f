/**
 * The moderation dashboard as a moderator meets it: the real `taliq` server, `/admin` under its
 * strict Content-Security-Policy in real Chromium, comments posted by readers of a publisher page
 * on another origin, moderated with the keyboard, and the result seen on that page and in the
 * audit log.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'puppeteer-core';
import { launchChromium } from '../support/browser.js';
import { servePublisherPage, type PublisherPage } from '../support/publisher-page.js';
import { liftLimits, startServer, taliq, type ServerProcess } from '../support/process.js';

const SITE = 'alofoq';
const THREAD = 'casablanca-electric-buses';

let dir: string, server: ServerProcess, publisher: PublisherPage, browser: Browser, env: Record<string, string>;

/** A site of its own for each test, with a moderator token, so counts and bans start from zero. */
interface Site {
  id: string;
  token: string;
}
let sites = 0;
async function newSite(id = `site-${++sites}`, role: 'owner' | 'moderator' = 'owner'): Promise<Site> {
  assert.equal((await taliq(['sites', 'add', id, '--origin', publisher.origin], env)).code, 0);
  await liftLimits(id, env);
  const created = await taliq(['tokens', 'create', '--site', id, '--role', role], env);
  assert.equal(created.code, 0, created.stderr);
  return { id, token: created.stdout.trim() };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'taliq-dashboard-'));
  env = { TALIQ_DB: join(dir, 'taliq.db') };
  server = await startServer([], env);
  // The reader's page shows the first site's thread.
  publisher = await servePublisherPage(server.url, SITE, THREAD);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await publisher?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

// ---- helpers ----------------------------------------------------------------------------------

interface Posted {
  id: string;
  status: string;
}

/**
 * A reader's comment, as the widget on the publisher page would send it. Each comment comes from
 * a new reader (their own `Taliq-Reader` key), unless told: a reader with a history of rejected
 * comments would be held with an extra reason.
 */
async function post(site: Site, name: string, body: string, opts: { parentId?: string; reader?: string } = {}): Promise<Posted> {
  const res = await fetch(`${server.url}/api/v1/sites/${site.id}/threads/${THREAD}/comments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: publisher.origin, 'taliq-reader': opts.reader ?? randomUUID().replaceAll('-', '') },
    body: JSON.stringify({
      author: { name },
      body,
      ...(opts.parentId ? { parentId: opts.parentId } : {}),
      thread: { title: 'حافلات كهربائية في الدار البيضاء', url: publisher.url },
    }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  return ((await res.json()) as { comment: Posted }).comment;
}

async function admin<T>(site: Site, path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(`${server.url}/api/v1/admin${path}`, {
    ...init,
    headers: { authorization: `Bearer ${site.token}`, 'content-type': 'application/json', ...(init.headers as Record<string, string>) },
  });
  assert.ok(res.ok, `${path}: ${res.status} ${await res.clone().text()}`);
  return res.json() as Promise<T>;
}

interface Opened {
  page: Page;
  /** Console errors, uncaught exceptions and CSP violations. */
  errors: string[];
}

async function openDashboard(context = browser.defaultBrowserContext(), viewport = { width: 1100, height: 900 }): Promise<Opened> {
  const page = await context.newPage();
  await page.setViewport(viewport);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e}`));
  page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
  await page.evaluateOnNewDocument(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
  });
  const res = await page.goto(`${server.url}/admin`, { waitUntil: 'load' });
  assert.ok([200, 304].includes(res?.status() ?? 0), `${res?.status()}`);
  assert.match(res!.headers()['content-security-policy'] ?? '', /script-src 'self'/);
  await page.waitForFunction(() => customElements.get('taliq-moderation') && document.querySelector('taliq-moderation')?.shadowRoot?.querySelector('form, [role=tablist]'));
  return { page, errors };
}

/** Waits for a selector inside the dashboard's shadow root (puppeteer's `>>>` cannot parse `~=`). */
const waitIn = (page: Page, selector: string, timeout = 5000) =>
  page.waitForFunction((sel) => !!document.querySelector('taliq-moderation')?.shadowRoot?.querySelector(sel), { timeout }, selector);

const $ = 'taliq-moderation >>> ';

async function signIn(page: Page, value: string): Promise<void> {
  await waitIn(page, '#token');
  await page.$eval(`${$}#token`, (el) => ((el as HTMLInputElement).value = ''));
  await page.type(`${$}#token`, value);
  await page.click(`${$}form.signin button[type=submit]`);
}

/** The comments shown, in order. */
const shown = (page: Page) =>
  page.evaluate(() =>
    [...(document.querySelector('taliq-moderation')?.shadowRoot?.querySelectorAll('article.comment') ?? [])].map((el) => ({
      id: (el as HTMLElement).dataset.id,
      author: el.querySelector('.author')?.textContent,
      // One <p> per line of the comment.
      body: [...el.querySelectorAll('.body p')].map((p) => p.textContent).join('\n'),
      active: el.classList.contains('active'),
    })),
  );

/** The number in each queue tab. */
const counts = (page: Page) =>
  page.evaluate(() =>
    Object.fromEntries(
      [...(document.querySelector('taliq-moderation')?.shadowRoot?.querySelectorAll('[role=tab]') ?? [])].map((el) => [
        (el as HTMLElement).dataset.status,
        el.querySelector('.count')?.textContent,
      ]),
    ),
  );

const waitForCounts = (page: Page, expected: Record<string, string>) =>
  page
    .waitForFunction(
      (exp) => {
        const tabs = [...(document.querySelector('taliq-moderation')?.shadowRoot?.querySelectorAll('[role=tab]') ?? [])];
        return Object.entries(exp).every(([s, n]) => tabs.find((t) => (t as HTMLElement).dataset.status === s)?.querySelector('.count')?.textContent === n);
      },
      { timeout: 5000 },
      expected,
    )
    .catch(async (e) => {
      throw new Error(`counts ${JSON.stringify(await counts(page))}, expected ${JSON.stringify(expected)}: ${e}`);
    });

const waitForShown = (page: Page, n: number) =>
  page.waitForFunction((n) => document.querySelector('taliq-moderation')?.shadowRoot?.querySelectorAll('article.comment').length === n, { timeout: 5000 }, n);

const noticeText = (page: Page) => page.$eval(`${$}#notice`, (el) => el.textContent?.trim());

/** Waits until the message line says `text` (it changes once the server has answered). */
const waitForNotice = (page: Page, text: string) =>
  page
    .waitForFunction((t) => document.querySelector('taliq-moderation')?.shadowRoot?.querySelector('#notice')?.textContent?.trim() === t, { timeout: 5000 }, text)
    .catch(async (e) => {
      throw new Error(`notice "${await noticeText(page)}", expected "${text}": ${e}`);
    });

/** Publisher page comments, as a reader sees them after a reload. */
async function readerSees(): Promise<string[]> {
  const page = await browser.newPage();
  await page.goto(publisher.url, { waitUntil: 'load' });
  await page.waitForFunction(() => {
    const list = document.querySelector('taliq-comments')?.shadowRoot?.querySelector('[part~="list"], [part~="empty"]');
    return !!list && list.getAttribute('aria-busy') !== 'true';
  });
  const bodies = await page.evaluate(() =>
    [...(document.querySelector('taliq-comments')?.shadowRoot?.querySelectorAll('[part~="body"]') ?? [])].map((el) => el.textContent ?? ''),
  );
  await page.close();
  return bodies;
}

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's violations in the dashboard, as `rule: targets`. Evaluated through DevTools, so the page's CSP does not apply to axe itself. */
async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: { id: string; nodes: { target: unknown }[] }[] }> } }).axe;
    const { violations } = await axe.run(document, { resultTypes: ['violations'] });
    return violations.map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`);
  });
}

// ---- tests ------------------------------------------------------------------------------------

test('a bad token shows an error and stays on the sign-in form', async () => {
  const { page, errors } = await openDashboard();
  await signIn(page, 'tq_not-a-real-token');
  await waitIn(page, '#token-error:not(:empty)');
  assert.equal(await page.$eval(`${$}#token-error`, (el) => el.textContent?.trim()), 'هذا الرمز غير صالح أو أُلغي.');
  assert.equal(await page.$eval(`${$}#token`, (el) => el.getAttribute('aria-invalid')), 'true');
  assert.equal(await page.$(`${$}[role=tablist]`), null, 'still on the sign-in form');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('taliq:admin:token')), null, 'a refused token is not kept');
  // The browser refused nothing but the token: 401 shows in the console as a failed resource.
  assert.deepEqual(errors.filter((e) => !/401/.test(e)), []);
  await page.close();
});

test('a moderator approves with the keyboard and rejects another; counts, the reader page and the audit log follow', async () => {
  const site = await newSite(SITE);
  const first = await post(site, 'سارة', 'أول تعليق: خطوة ممتازة للمدينة');
  const second = await post(site, 'Yassine ياسين', 'ثاني تعليق: ماذا عن الأحياء البعيدة؟');
  const third = await post(site, 'مريم', 'ثالث تعليق <img src=x onerror=alert(1)> يبقى نصًّا\nوسطر ثانٍ');
  assert.deepEqual([first.status, second.status, third.status], ['pending', 'pending', 'pending']);

  const { page, errors } = await openDashboard();
  // Arabic, right to left.
  assert.deepEqual(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir, document.title]), ['ar', 'rtl', 'تعليق — الإشراف']);
  assert.equal(await page.$eval(`${$}.root`, (el) => getComputedStyle(el).direction), 'rtl');

  await signIn(page, site.token);
  await waitForShown(page, 3);
  await waitForCounts(page, { pending: '3', approved: '0', rejected: '0' });
  assert.equal(await page.evaluate(() => sessionStorage.getItem('taliq:admin:token')), site.token);
  // Newest first; reader text as text.
  const list = await shown(page);
  assert.deepEqual(list.map((c) => c.id), [third.id, second.id, first.id]);
  assert.equal(list[0].body, 'ثالث تعليق <img src=x onerror=alert(1)> يبقى نصًّا\nوسطر ثانٍ');
  assert.equal(await page.$(`${$}.body img`), null);
  assert.equal(await page.$eval(`${$}.body`, (el) => getComputedStyle(el).whiteSpace), 'pre-wrap');
  assert.deepEqual(await page.$$eval(`${$}.body`, (bodies) => [...bodies[0].querySelectorAll('p')].map((p) => p.getAttribute('dir'))), ['ltr', 'rtl'], 'each line by the majority of its letters: the markup outweighs the Arabic in the first');
  // Context: the article link, safe; the reason.
  const link = await page.$eval(`${$}.thread a`, (a) => ({ href: a.getAttribute('href'), rel: a.getAttribute('rel'), target: a.getAttribute('target'), text: a.textContent }));
  assert.deepEqual(link, { href: publisher.url, rel: 'noopener noreferrer', target: '_blank', text: 'حافلات كهربائية في الدار البيضاء' });
  assert.equal(await page.$eval(`${$}.chip[data-code=premoderation]`, (el) => el.textContent?.trim()), 'مراجعة مسبقة');
  assert.match(await page.$eval(`${$}.help`, (el) => el.textContent ?? ''), /j.*k.*a.*r.*s.*x.*\//s);

  // j j k: the first comment is the current one, focused.
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await page.keyboard.press('k');
  let now = await shown(page);
  assert.deepEqual(now.map((c) => c.active), [true, false, false]);
  assert.equal(await page.evaluate(() => document.querySelector('taliq-moderation')?.shadowRoot?.activeElement?.getAttribute('data-id')), third.id);
  const ring = await page.$eval(`${$}article.comment.active`, (el) => getComputedStyle(el).outlineStyle);
  assert.equal(ring, 'solid', 'the current comment shows a focus ring');

  // a approves it: it leaves the list at once, the next one becomes current.
  await page.keyboard.press('a');
  await waitForShown(page, 2);
  now = await shown(page);
  assert.deepEqual(now.map((c) => [c.id, c.active]), [[second.id, true], [first.id, false]]);
  await waitForCounts(page, { pending: '2', approved: '1', rejected: '0' });
  await waitForNotice(page, 'قُبل التعليق.');

  // j then r rejects the oldest.
  await page.keyboard.press('j');
  await page.keyboard.press('r');
  await waitForShown(page, 1);
  assert.deepEqual((await shown(page)).map((c) => c.id), [second.id]);
  await waitForCounts(page, { pending: '1', approved: '1', rejected: '1' });
  await waitForNotice(page, 'رُفض التعليق.');

  // Shortcuts are ignored while typing in the search box.
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.querySelector('taliq-moderation')?.shadowRoot?.activeElement?.id), 'search');
  await page.keyboard.type('as');
  await page.keyboard.press('Escape');
  await page.keyboard.press('Escape');
  assert.deepEqual((await shown(page)).map((c) => c.id), [second.id], 'typing "a" and "s" in the search box acted on nothing');
  await waitForCounts(page, { pending: '1', approved: '1', rejected: '1', spam: '0' });

  // The server agrees, and so does the reader's page.
  const answer = await admin<{ counts: Record<string, number> }>(site, `/sites/${site.id}/comments?status=pending`);
  assert.deepEqual(answer.counts, { pending: 1, approved: 1, rejected: 1, spam: 0, flagged: 0 });
  const bodies = await readerSees();
  assert.ok(bodies.some((b) => b.startsWith('ثالث تعليق')), 'the approved comment is published');
  assert.ok(!bodies.some((b) => b.startsWith('أول تعليق')), 'the rejected one is not');

  // Each action is in the audit log, by this token.
  const audit = await admin<{ entries: { action: string; target: string; actor: string }[] }>(site, `/sites/${site.id}/audit?limit=10`);
  const mine = audit.entries.filter((e) => e.target === third.id || e.target === first.id).map((e) => [e.action, e.target]);
  assert.deepEqual(mine, [
    ['comment.reject', first.id],
    ['comment.approve', third.id],
  ]);

  assert.deepEqual(errors, []);
  await page.close();
});

test('in French the dashboard is left to right, and the choice is remembered', async () => {
  const context = await browser.createBrowserContext();
  const site = await newSite();
  const { page, errors } = await openDashboard(context);
  await signIn(page, site.token);
  await waitIn(page, '[role=tablist]');
  await page.select(`${$}#lang`, 'fr');
  await page.waitForFunction(() => document.documentElement.lang === 'fr');
  assert.deepEqual(await page.evaluate(() => [document.documentElement.dir, document.title]), ['ltr', 'Taliq — Modération']);
  assert.equal(await page.$eval(`${$}.root`, (el) => getComputedStyle(el).direction), 'ltr');
  assert.equal(await page.$eval(`${$}#tab-pending .label`, (el) => el.textContent), 'En attente');
  await page.reload({ waitUntil: 'load' });
  await waitIn(page, '[role=tablist]');
  assert.equal(await page.evaluate(() => document.documentElement.dir), 'ltr', 'remembered after a reload, still signed in');
  await page.select(`${$}#lang`, 'ar');
  await page.waitForFunction(() => document.documentElement.dir === 'rtl');
  // Sign out forgets the token.
  await page.click(`${$}#sign-out`);
  await waitIn(page, '#token');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('taliq:admin:token')), null);
  await page.reload({ waitUntil: 'load' });
  await waitIn(page, '#token');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the header shows the token’s role in the moderator’s language, and nothing the dashboard reads holds a secret', async () => {
  const moderator = await newSite(undefined, 'moderator');
  const owner = await newSite();
  const cases: [Site, Record<string, string>][] = [
    [moderator, { ar: 'الدور: مشرف', fr: 'Rôle: modérateur', en: 'Role: moderator' }],
    [owner, { ar: 'الدور: مالك', fr: 'Rôle: propriétaire', en: 'Role: owner' }],
  ];
  for (const [site, words] of cases) {
    const context = await browser.createBrowserContext();
    const { page, errors } = await openDashboard(context);
    const answers: Promise<string>[] = [];
    page.on('response', (r) => {
      if (r.url().includes('/api/v1/admin/')) answers.push(r.text().catch(() => ''));
    });
    await signIn(page, site.token);
    await waitIn(page, 'header #role');
    for (const lang of ['ar', 'fr', 'en'] as const) {
      if (lang !== 'ar') {
        await page.select(`${$}#lang`, lang);
        await page.waitForFunction((l) => document.documentElement.lang === l, {}, lang);
      }
      await page.waitForFunction((w) => document.querySelector('taliq-moderation')?.shadowRoot?.querySelector('#role')?.textContent?.trim() === w, { timeout: 5000 }, words[lang])
        .catch(async (e) => {
          throw new Error(`${lang}: "${await page.$eval(`${$}#role`, (el) => el.textContent?.trim())}", expected "${words[lang]}": ${e}`);
        });
    }
    await waitIn(page, '[role=tablist]');
    const read = (await Promise.all(answers)).join('\n') + (await page.evaluate(() => document.querySelector('taliq-moderation')?.shadowRoot?.innerHTML ?? ''));
    assert.ok(read.includes('"role"'), 'the answers were read');
    assert.doesNotMatch(read, /whsec_|ssosec_|webhookSecret|ssoSecret/, 'no secret reaches the dashboard');
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test('a failed action puts the comment back with an error message', async () => {
  const site = await newSite();
  const c = await post(site, 'هند', 'تعليق سيفشل قبوله');
  const { page, errors } = await openDashboard();
  await signIn(page, site.token);
  await waitForShown(page, 1);
  await page.setRequestInterception(true);
  page.on('request', (req) => {
    if (req.isInterceptResolutionHandled()) return;
    if (req.url().endsWith('/moderate')) void req.respond({ status: 500, contentType: 'application/json', body: JSON.stringify({ error: { code: 'internal', message: 'boom' } }) });
    else void req.continue();
  });
  await page.keyboard.press('j');
  await page.keyboard.press('a');
  await page.waitForFunction(() => document.querySelector('taliq-moderation')?.shadowRoot?.querySelector('#notice[role=alert]:not(:empty)'));
  await waitForShown(page, 1);
  assert.deepEqual((await shown(page)).map((x) => x.id), [c.id], 'back in the list');
  assert.match((await noticeText(page)) ?? '', /لم يُنفَّذ الإجراء.*خطأ في الخادم/);
  await waitForCounts(page, { pending: '1', approved: '0' });
  assert.deepEqual(errors.filter((e) => !/500/.test(e)), []);
  await page.close();
});

test('search finds Arabic text however it is spelled; more comments load with the button or by moving past the last', async () => {
  const site = await newSite();
  for (let i = 1; i <= 33; i++) await post(site, `قارئ ${i}`, i === 5 ? 'شكرًا للأستاذ أحمد على هذا المقال' : `تعليق رقم ${i}`);
  const { page, errors } = await openDashboard();
  await signIn(page, site.token);
  await waitForShown(page, 30);
  await waitForCounts(page, { pending: '33' });
  await page.click(`${$}#more`);
  await waitForShown(page, 33);
  assert.equal(await page.$(`${$}#more`), null, 'no more to load');

  // Without hamza and with a different spelling, the server finds it.
  await page.keyboard.press('/');
  await page.keyboard.type('احمد');
  await page.keyboard.press('Enter');
  await waitForShown(page, 1);
  assert.equal((await shown(page))[0].body, 'شكرًا للأستاذ أحمد على هذا المقال');
  await page.keyboard.press('Escape'); // clears the search
  await waitForShown(page, 30);

  // Moving past the last comment loads the next page and goes on.
  await page.keyboard.press('Escape'); // leaves the search box
  for (let i = 0; i < 31; i++) await page.keyboard.press('j');
  await waitForShown(page, 33);
  await page.waitForFunction(() => document.querySelector('taliq-moderation')?.shadowRoot?.activeElement?.querySelector('.author')?.textContent === 'قارئ 3');
  assert.deepEqual(errors, []);
  await page.close();
});

test('on a phone: one column, finger-size buttons, nothing wider than the screen', async () => {
  const site = await newSite();
  await post(site, 'سارة', 'تعليق يُقرأ على الهاتف '.repeat(8));
  const { page, errors } = await openDashboard(browser.defaultBrowserContext(), { width: 360, height: 740 });
  await signIn(page, site.token);
  await waitForShown(page, 1);
  const layout = await page.evaluate(() => {
    const root = document.querySelector('taliq-moderation')!.shadowRoot!;
    const buttons = [...root.querySelectorAll('.actions button')].map((b) => b.getBoundingClientRect());
    return {
      scrollWidth: document.documentElement.scrollWidth,
      minButtonHeight: Math.min(...buttons.map((b) => b.height)),
      help: getComputedStyle(root.querySelector('.help')!).display,
    };
  });
  assert.ok(layout.scrollWidth <= 360, `page is ${layout.scrollWidth}px wide`);
  assert.ok(layout.minButtonHeight >= 44, `buttons are ${layout.minButtonHeight}px high`);
  assert.equal(layout.help, 'none', 'no keyboard help on a phone');
  assert.deepEqual(errors, []);
  await page.close();
});

test('bulk actions, restore, replies with their parent, reasons with details, and a ban', async () => {
  const site = await newSite();
  const parent = await post(site, 'ليلى', 'هل ستصل الحافلات إلى سيدي مومن؟');
  await admin(site, `/comments/${parent.id}/moderate`, { method: 'POST', body: JSON.stringify({ action: 'approve' }) });
  const reply = await post(site, 'Karim', 'نعم حسب المقال، انظروا https://a.example/1 و https://b.example/2 و https://c.example/3', { parentId: parent.id, reader: 'reader-karim-0123456789' });
  const other = await post(site, 'سلمى', 'تعليق للرفض الجماعي');
  const third = await post(site, 'Omar', 'تعليق آخر للرفض الجماعي');

  const { page, errors } = await openDashboard();
  await signIn(page, site.token);
  await waitForShown(page, 3);

  // The reply shows what it answers, and why it was held: three links.
  const card = await page.$eval(`${$}article[data-id="${reply.id}"]`, (el) => ({
    parent: el.querySelector('.parent')?.textContent?.replace(/\s+/g, ' ').trim(),
    chips: [...el.querySelectorAll('.chip')].map((c) => c.textContent?.trim()),
  }));
  assert.equal(card.parent, 'ردًّا على ليلى: هل ستصل الحافلات إلى سيدي مومن؟');
  assert.deepEqual(card.chips, ['مراجعة مسبقة', '3 روابط']);

  // x ticks the current comment; with a selection, r acts on the ticked ones.
  await page.keyboard.press('j');
  await page.keyboard.press('x');
  await page.keyboard.press('j');
  await page.keyboard.press('x');
  assert.match(await page.$eval(`${$}.bulk`, (el) => el.textContent ?? ''), /حُدِّد تعليقان/);
  await page.keyboard.press('r');
  await waitForShown(page, 1);
  assert.deepEqual((await shown(page)).map((c) => c.id), [reply.id]);
  await waitForCounts(page, { pending: '1', rejected: '2' });
  await waitForNotice(page, 'رُفض التعليقان.');

  // Select all + bulk approve.
  await page.click(`${$}#select-all`);
  await page.click(`${$}[data-bulk=approve]`);
  await waitIn(page, '#empty');
  await waitForCounts(page, { pending: '0', approved: '2', rejected: '2' });

  // Restore from the rejected tab puts a comment back in pending.
  await page.click(`${$}#tab-rejected`);
  await waitForShown(page, 2);
  await page.click(`${$}article[data-id="${other.id}"] [data-action=restore]`);
  await waitForShown(page, 1);
  await waitForCounts(page, { pending: '1', rejected: '1' });

  // Ban the author of the reply from the approved tab: shadow, 7 days.
  await page.click(`${$}#tab-approved`);
  await waitIn(page, `article[data-id="${reply.id}"]`);
  await page.click(`${$}article[data-id="${reply.id}"] [data-action=ban]`);
  await waitIn(page, 'dialog[open]');
  assert.equal(await page.$eval(`${$}dialog input[name=ip]`, (el) => (el as HTMLInputElement).checked), false, 'the network is not banned unless asked');
  await page.click(`${$}dialog input[name=shadow]`);
  await page.select(`${$}dialog select[name=duration]`, 'week');
  await page.type(`${$}dialog input[name=reason]`, 'روابط متكررة');
  await page.click(`${$}dialog button[type=submit]`);
  await page.waitForFunction(() => !document.querySelector('taliq-moderation')?.shadowRoot?.querySelector('dialog[open]'));
  await waitForNotice(page, 'حُظر الكاتب حظرًا خفيًا.');
  const { bans } = await admin<{ bans: { readerId: string; shadow: boolean; ip: boolean; expiresAt: string | null; reason: string | null }[] }>(site, `/sites/${site.id}/bans`);
  assert.equal(bans.length, 1);
  assert.equal(bans[0].shadow, true);
  assert.equal(bans[0].ip, false);
  assert.equal(bans[0].reason, 'روابط متكررة');
  const days = (Date.parse(bans[0].expiresAt!) - Date.now()) / 86_400_000;
  assert.ok(days > 6.9 && days <= 7, `expires in ${days} days`);

  const audit = await admin<{ entries: { action: string; target: string }[] }>(site, `/sites/${site.id}/audit?limit=10`);
  const actions = audit.entries.map((e) => e.action);
  assert.ok(actions.includes('reader.ban') && actions.includes('comment.restore'), actions.join());
  assert.equal(audit.entries.filter((e) => e.action === 'comment.reject' && [other.id, third.id].includes(e.target)).length, 2);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the ban dialog bans the network only when "also this network" is ticked, under a warning about shared carrier addresses', async () => {
  const site = await newSite();
  const troll = await post(site, 'مزعج', 'تعليق مزعج', { reader: 'reader-troll-0123456789' });
  const { page, errors } = await openDashboard();
  await signIn(page, site.token);
  await waitIn(page, `article[data-id="${troll.id}"]`);
  await page.click(`${$}article[data-id="${troll.id}"] [data-action=ban]`);
  await waitIn(page, 'dialog[open] input[name=ip]');
  const box = await page.$eval(`${$}dialog input[name=ip]`, (el) => {
    const input = el as HTMLInputElement;
    const warning = input.getRootNode() instanceof ShadowRoot ? (input.getRootNode() as ShadowRoot).getElementById(input.getAttribute('aria-describedby') ?? '') : null;
    return { checked: input.checked, label: input.closest('label')?.textContent?.trim(), warning: warning?.textContent?.trim(), visible: !!warning && warning.getClientRects().length > 0 };
  });
  assert.equal(box.checked, false);
  assert.equal(box.label, 'هذه الشبكة أيضًا: رفض كل قارئ يكتب من آخر عنوان استعمله هذا الكاتب');
  assert.match(box.warning ?? '', /يتقاسمون عنوانًا واحدًا/);
  assert.ok(box.visible, 'the warning is shown beside the box');
  await page.click(`${$}dialog input[name=ip]`);
  await page.click(`${$}dialog button[type=submit]`);
  await page.waitForFunction(() => !document.querySelector('taliq-moderation')?.shadowRoot?.querySelector('dialog[open]'));
  await waitForNotice(page, 'حُظر الكاتب.');
  const { bans } = await admin<{ bans: { ip: boolean; shadow: boolean }[] }>(site, `/sites/${site.id}/bans`);
  assert.deepEqual(bans.map((b) => [b.ip, b.shadow]), [[true, false]]);
  // Another reader key from the troll's address (this machine) is refused now.
  const res = await fetch(`${server.url}/api/v1/sites/${site.id}/threads/${THREAD}/comments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: publisher.origin, 'taliq-reader': 'reader-new-key-0123456789' },
    body: JSON.stringify({ author: { name: 'اسم جديد' }, body: 'عدت' }),
  });
  assert.equal(res.status, 403);
  assert.deepEqual(errors, []);
  await page.close();
});

test('an expired session goes back to sign-in with a message', async () => {
  const context = await browser.createBrowserContext();
  const site = await newSite();
  const { page } = await openDashboard(context);
  const created = (await taliq(['tokens', 'create', '--site', site.id, '--label', 'short-lived'], env)).stdout.trim();
  await signIn(page, created);
  await waitIn(page, '[role=tablist]');
  const list = (await taliq(['tokens', 'list'], env)).stdout;
  const id = list.split('\n').find((l) => l.includes('short-lived'))?.split(/\s+/)[0];
  assert.ok(id, list);
  assert.equal((await taliq(['tokens', 'revoke', id!], env)).code, 0);
  await page.click(`${$}#refresh`);
  await waitIn(page, '#token-error:not(:empty)');
  assert.equal(await page.$eval(`${$}#token-error`, (el) => el.textContent?.trim()), 'رمز المشرف غير صالح أو أُلغي. سجّل الدخول من جديد.');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('taliq:admin:token')), null);
  await context.close();
});

test('is accessible signed out and in, in Arabic and French, light and dark, with the ban dialog open', async () => {
  const site = await newSite();
  const reply = await post(site, 'Karim', 'تعليق فيه رابطان وأكثر https://a.example https://b.example https://c.example');
  void reply;
  const context = await browser.createBrowserContext();
  const { page, errors } = await openDashboard(context);
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: scheme }]);
    for (const lang of ['ar', 'fr'] as const) {
      await page.evaluate((l) => localStorage.setItem('taliq:admin:lang', l), lang);
      await page.reload({ waitUntil: 'load' });
      await waitIn(page, '#token, #sign-out');
      if (await page.evaluate(() => !!document.querySelector('taliq-moderation')?.shadowRoot?.querySelector('#sign-out'))) await page.click(`${$}#sign-out`);
      await signIn(page, 'tq_wrong');
      await waitIn(page, '#token-error:not(:empty)');
      assert.deepEqual(await axeViolations(page), [], `${lang} ${scheme}: sign-in with an error`);
      await signIn(page, site.token);
      await waitForShown(page, 1);
      await page.keyboard.press('j');
      await page.keyboard.press('x');
      assert.deepEqual(await axeViolations(page), [], `${lang} ${scheme}: a queue with a current and a ticked comment`);
      await page.click(`${$}article.comment [data-action=ban]`);
      await waitIn(page, 'dialog[open]');
      assert.deepEqual(await axeViolations(page), [], `${lang} ${scheme}: the ban dialog`);
      await page.keyboard.press('Escape');
      await page.waitForFunction(() => !document.querySelector('taliq-moderation')?.shadowRoot?.querySelector('dialog[open]'));
      // Focus comes back to the comment the dialog was about (after the dialog's close event).
      await page.waitForFunction(() => document.querySelector('taliq-moderation')?.shadowRoot?.activeElement?.classList.contains('comment'), { timeout: 5000 });
    }
  }
  assert.deepEqual(errors.filter((e) => !/401/.test(e)), []);
  await context.close();
});
