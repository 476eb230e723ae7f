/**
 * Hostile input, shown: a corpus of XSS payloads (test/support/xss-payloads.ts) posted as names
 * and bodies through the real API, approved, then displayed in real Chromium — in the reader
 * widget on a publisher page under a strict CSP, in the moderation dashboard, and in the
 * server-rendered comments.html (served without any CSP, so a hole there would really run).
 *
 * Every payload calls `__xss(N)` if any part of it runs; alert/confirm/prompt/print are
 * replaced by the same kind of sentinel in every frame. Execution, dialogs, javascript:/data:
 * navigations, unexpected requests, CSP violations and console errors are all collected, and the
 * DOM is audited: no element or attribute the clean render does not have, and every name and
 * body shown exactly as the server stored it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'puppeteer-core';
import { launchChromium } from '../support/browser.js';
import { servePublisherPage, type PublisherPage } from '../support/publisher-page.js';
import { startServer, taliq, type ServerProcess } from '../support/process.js';
import { NAME_MAX, SHORT_PAYLOADS, XSS_PAYLOADS } from '../support/xss-payloads.js';
import { paragraphs } from '../../packages/shared/src/direction.js';

const SITE = 'hostile';
const THREAD = 'xss-corpus';
const CLEAN_SITE = 'clean';
const CLEAN_THREAD = 'clean-thread';
const ADMIN_TOKEN = 'admin-token-for-the-xss-test-0123456789';
const LIMITS = {
  posts: { perReader: 100000, perIp: 100000, windowSeconds: 60 },
  votes: { perReader: 100000, perIp: 100000, windowSeconds: 60 },
  reports: { perReader: 100000, perIp: 100000, windowSeconds: 3600 },
};
/** Handlers that fire late (image errors, SVG animations, toggles, marquees) get this long. */
const SETTLE_MS = 1200;

let dir: string, server: ServerProcess, publisher: PublisherPage, cleanPage: PublisherPage, browser: Browser, modToken: string, cleanToken: string;

interface Stored {
  id: string;
  parentId: string | null;
  name: string;
  body: string;
}
/** Approved comments of the hostile thread as the public API returns them (server-cleaned). */
let stored: Map<string, Stored>;
let threadTitle: string, threadUrl: string;

const byId = new Map(XSS_PAYLOADS.map((p) => [p.id, p]));
const explain = (n: unknown) => {
  const p = byId.get(Number(n));
  return p ? `#${p.id} [${p.family}] ${JSON.stringify(p.text.length > 200 ? `${p.text.slice(0, 200)}…` : p.text)}` : String(n);
};

// ---- API helpers -------------------------------------------------------------------------------

async function postComment(where: { site: string; thread: string; origin: string }, name: string, body: string, parentId?: string, meta?: { title: string; url: string }): Promise<string> {
  const res = await fetch(`${server.url}/api/v1/sites/${where.site}/threads/${where.thread}/comments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: where.origin, 'taliq-reader': randomUUID().replaceAll('-', '') },
    body: JSON.stringify({ author: { name }, body, ...(parentId ? { parentId } : {}), ...(meta ? { thread: meta } : {}) }),
  });
  const text = await res.text();
  assert.equal(res.status, 201, `posting ${JSON.stringify(body.slice(0, 120))} as ${JSON.stringify(name)}: ${text}`);
  return JSON.parse(text).comment.id;
}

async function approve(ids: string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += 100) {
    const res = await fetch(`${server.url}/api/v1/admin/comments/moderate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ids: ids.slice(i, i + 100), action: 'approve' }),
    });
    assert.equal(res.status, 200, await res.text());
  }
}

async function publicList(thread: string): Promise<Map<string, Stored>> {
  const out = new Map<string, Stored>();
  let cursor: string | null = null;
  do {
    const res: Response = await fetch(`${server.url}/api/v1/sites/${SITE}/threads/${thread}/comments?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, {
      headers: { origin: publisher.origin },
    });
    assert.equal(res.status, 200);
    const page = (await res.json()) as { comments: { id: string; parentId: string | null; author: { name: string }; body: string }[]; nextCursor: string | null };
    for (const c of page.comments) out.set(c.id, { id: c.id, parentId: c.parentId, name: c.author.name, body: c.body });
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

// ---- browser instrumentation ------------------------------------------------------------------

interface Watch {
  /** Sentinel calls, dialogs and javascript:/data: navigations: anything here is an executed payload. */
  executed: string[];
  errors: string[];
  requests: string[];
  navigations: string[];
}

/**
 * Runs in every frame before any of the page's own script: `__xss`, alert, confirm, prompt and
 * print record the call (in the frame, in the top frame when it can, and on the console, which
 * puppeteer hears from every frame), and CSP violations go to the console. A string, so that no
 * compiler helper (tsx's `__name`) ends up in it.
 */
const SENTINEL = `(() => {
  const hits = [];
  const report = (kind, value) => {
    const line = kind + '(' + String(value) + ') in ' + location.href.slice(0, 120);
    hits.push(line);
    try {
      if (window.top !== window) window.top.__xssHits?.push(line);
    } catch {}
    console.error('__XSS_EXECUTED__ ' + line);
  };
  Object.defineProperty(window, '__xssHits', { value: hits });
  Object.defineProperty(window, '__xss', { value: (n) => report('__xss', n) });
  for (const k of ['alert', 'confirm', 'prompt', 'print']) Object.defineProperty(window, k, { value: (v) => report(k, v) });
  document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')), true);
})();`;
/** tsx names functions through a `__name` helper that pages do not have; the callbacks below need it. */
const NAME_SHIM = `globalThis.__name ??= (f) => f;`;

async function watch(page: Page): Promise<Watch> {
  const w: Watch = { executed: [], errors: [], requests: [], navigations: [] };
  page.on('console', (m) => {
    if (m.text().startsWith('__XSS_EXECUTED__')) w.executed.push(m.text());
    else if (m.type() === 'error') w.errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => w.errors.push(`pageerror: ${e}`));
  page.on('dialog', (d) => {
    w.executed.push(`dialog ${d.type()}: ${d.message()}`);
    void d.dismiss().catch(() => {});
  });
  page.on('request', (r) => w.requests.push(r.url()));
  page.on('framenavigated', (f) => {
    w.navigations.push(f.url());
    if (/^\s*(javascript|data|vbscript):/i.test(f.url())) w.executed.push(`navigation to ${f.url().slice(0, 200)}`);
  });
  page.on('frameattached', (f) => w.navigations.push(`frame attached: ${f.url()}`));
  await page.evaluateOnNewDocument(SENTINEL);
  await page.evaluateOnNewDocument(NAME_SHIM);
  return w;
}

/** Sentinel calls recorded in the page itself (besides the console), as payload descriptions. */
const hitsInPage = (page: Page) => page.evaluate(() => [...((window as unknown as { __xssHits: string[] }).__xssHits ?? [])]);

function assertNothingRan(where: string, w: Watch, inPage: string[]) {
  const all = [...new Set([...w.executed, ...inPage.map((h) => `__XSS_EXECUTED__ ${h}`)])];
  const explained = all.map((h) => {
    const n = h.match(/\((\d+)\)/)?.[1];
    return n ? `${h}\n      payload ${explain(n)}` : h;
  });
  assert.deepEqual(explained, [], `${where}: hostile input executed`);
}

/** The elements and attributes a subtree holds: tag counts, event-handler attributes, script-capable URLs. */
interface Audit {
  tags: Record<string, number>;
  handlers: string[];
  badUrls: string[];
}
const AUDIT_SOURCE = `(root) => {
  const tags = {};
  const handlers = [];
  const badUrls = [];
  const walk = (node) => {
    for (const el of node.querySelectorAll('*')) {
      const tag = el.localName;
      tags[tag] = (tags[tag] ?? 0) + 1;
      for (const a of el.attributes) {
        if (/^on/i.test(a.name)) handlers.push(tag + ' ' + a.name + '=' + a.value.slice(0, 80));
        if (/(^|:)(href|src|action|formaction|data|srcdoc|background|poster|codebase|cite|xlink:href)$/i.test(a.name) && /^[\\s\\u0000-\\u001f]*(javascript|data|vbscript)\\s*:/i.test(a.value)) badUrls.push(tag + ' ' + a.name + '=' + a.value.slice(0, 80));
        if (a.name === 'srcdoc') badUrls.push(tag + ' srcdoc');
      }
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  walk(root);
  return { tags, handlers, badUrls };
}`;

async function audit(page: Page, rootExpr: string): Promise<Audit> {
  return page.evaluate(`(${AUDIT_SOURCE})(${rootExpr})`) as Promise<Audit>;
}

/** Elements that run or load something by themselves; a clean render may have a few, never more with more comments. */
const SCRIPT_CAPABLE = ['script', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'base', 'meta', 'link', 'style', 'template', 'noscript', 'portal'];

/**
 * No tag the clean render lacks (an injected <img>, <svg>, <math>… shows here unless the UI uses
 * it itself), no more script-capable elements than it has, no handlers, no script URLs. The
 * per-comment checks below then prove that names and bodies hold no element at all.
 */
function assertSameShape(where: string, clean: Audit, hostile: Audit) {
  const found = {
    'elements the clean render does not have': Object.keys(hostile.tags).filter((t) => !(t in clean.tags)),
    'more script-capable elements than the clean render': SCRIPT_CAPABLE.filter((t) => (hostile.tags[t] ?? 0) > (clean.tags[t] ?? 0)).map((t) => `${t}: ${clean.tags[t] ?? 0} → ${hostile.tags[t]}`),
    'event-handler attributes': hostile.handlers,
    'javascript:/data: URLs or srcdoc': hostile.badUrls,
  };
  const none = Object.fromEntries(Object.keys(found).map((k) => [k, []]));
  assert.deepEqual(found, none, `${where}: markup that is not the UI's own`);
}

/** Requests a page may make; an injected <img src=x>, <iframe src> or @import would show here. */
function assertOnlyExpectedRequests(where: string, w: Watch, allowed: RegExp[]) {
  const odd = w.requests.filter((u) => !allowed.some((re) => re.test(u)));
  assert.deepEqual(odd, [], `${where}: requests no clean render makes`);
}

/** Shown texts that differ from the stored ones, or that hold elements (other than `allowed`, e.g. the anchors of linked URLs). */
function literalMismatches(kind: string, rows: { id: string; text: string | null; elements: string[] }[], expected: (id: string) => string | undefined, allowed: string[] = []): string[] {
  const out: string[] = [];
  for (const r of rows) {
    const want = expected(r.id);
    if (want === undefined) {
      out.push(`${kind} ${r.id}: shown but not among the stored comments`);
      continue;
    }
    if (r.text !== want) out.push(`${kind} ${r.id}: shows ${JSON.stringify(r.text?.slice(0, 200))}, stored ${JSON.stringify(want.slice(0, 200))}`);
    const extra = r.elements.filter((e) => !allowed.includes(e));
    if (extra.length) out.push(`${kind} ${r.id}: contains elements ${extra.join(',')} for ${JSON.stringify(want.slice(0, 120))}`);
  }
  return out;
}

/** One HTML document on its own localhost origin, with no CSP at all. */
async function serveHtml(doc: string): Promise<{ origin: string; close(): Promise<void> }> {
  const host: Server = createServer((req, res) => {
    if (req.url === '/') return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(doc);
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => host.listen(0, '127.0.0.1', r));
  return {
    origin: `http://127.0.0.1:${(host.address() as { port: number }).port}`,
    close: () => {
      // Chromium keeps its connections open; without this, close() waits for them to time out.
      host.closeAllConnections();
      return new Promise<void>((r) => host.close(() => r()));
    },
  };
}

/** Every check of a view runs, and the view fails once with all that went wrong, so one bad payload does not hide another. */
class Findings {
  readonly problems: string[] = [];
  check(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.problems.push(e instanceof Error ? e.message : String(e));
    }
  }
  report(where: string): void {
    assert.equal(this.problems.length, 0, `${where}: ${this.problems.length} problem(s)\n\n${this.problems.join('\n\n')}`);
  }
}

// ---- setup --------------------------------------------------------------------------------------

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'taliq-xss-'));
  const env = { TALIQ_DB: join(dir, 'taliq.db'), TALIQ_ADMIN_TOKEN: ADMIN_TOKEN };
  server = await startServer([], env);
  publisher = await servePublisherPage(server.url, SITE, THREAD);
  cleanPage = await servePublisherPage(server.url, CLEAN_SITE, CLEAN_THREAD);
  const run = async (args: string[]) => {
    const r = await taliq(args, env);
    assert.equal(r.code, 0, `taliq ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  await run(['sites', 'add', SITE, '--origin', publisher.origin, '--moderation', 'pre']);
  await run(['sites', 'set', SITE, 'limits', JSON.stringify(LIMITS)]);
  modToken = await run(['tokens', 'create', '--site', SITE]);
  // A clean site, rendered the same way, is what the hostile renders are compared against.
  await run(['sites', 'add', CLEAN_SITE, '--origin', cleanPage.origin, '--moderation', 'pre']);
  await run(['sites', 'set', CLEAN_SITE, 'limits', JSON.stringify(LIMITS)]);
  cleanToken = await run(['tokens', 'create', '--site', CLEAN_SITE]);
  const launching = launchChromium();

  // A clean thread with the same shapes (replies, a reply to a reply, more replies than shown).
  const plain = { site: CLEAN_SITE, thread: CLEAN_THREAD, origin: cleanPage.origin };
  const c1 = await postComment(plain, 'سارة', 'تعليق عادي\nبسطرين', undefined, { title: 'مقال عادي', url: cleanPage.url });
  const c2 = await postComment(plain, 'Yassine ياسين', 'تعليق ثانٍ');
  await approve([c1, c2]);
  const cr = [];
  for (let i = 1; i <= 4; i++) cr.push(await postComment(plain, `مجيب ${i}`, `رد رقم ${i}`, c1));
  await approve(cr);
  await approve([await postComment(plain, 'هند', 'رد على رد', cr[0])]);

  // The hostile thread: every payload as a body, its author named by a short payload.
  threadTitle = XSS_PAYLOADS.find((p) => p.family === 'attribute')!.text;
  threadUrl = XSS_PAYLOADS.find((p) => p.family === 'url')!.text;
  const hostile = { site: SITE, thread: THREAD, origin: publisher.origin };
  const top: string[] = [];
  for (const p of XSS_PAYLOADS) {
    const name = p.text.length <= NAME_MAX && !p.text.includes('\n') ? p.text : SHORT_PAYLOADS[p.id % SHORT_PAYLOADS.length].text;
    top.push(await postComment(hostile, name, p.text, undefined, top.length ? undefined : { title: threadTitle, url: threadUrl }));
  }
  await approve(top);
  // Replies under hostile comments: more than the widget shows at first, and a reply to a reply,
  // so hostile names also appear as "in reply to".
  const replies: string[] = [];
  for (const [i, p] of SHORT_PAYLOADS.slice(0, 5).entries()) replies.push(await postComment(hostile, SHORT_PAYLOADS[(i + 7) % SHORT_PAYLOADS.length].text, p.text, top[0]));
  await approve(replies);
  await approve([await postComment(hostile, SHORT_PAYLOADS[3].text, XSS_PAYLOADS[XSS_PAYLOADS.length - 1].text, replies[1])]);

  stored = await publicList(THREAD);
  assert.equal(stored.size, XSS_PAYLOADS.length + replies.length + 1, 'every hostile comment is approved and public');
  browser = await launching;
});

after(async () => {
  await browser?.close();
  await publisher?.close();
  await cleanPage?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the corpus is large and varied enough', () => {
  assert.ok(XSS_PAYLOADS.length >= 60, `${XSS_PAYLOADS.length} payloads`);
  assert.ok(SHORT_PAYLOADS.length >= 20, `${SHORT_PAYLOADS.length} short payloads for names`);
  assert.ok(XSS_PAYLOADS.every((p) => p.text.length <= 5000 && p.text.includes(String(p.id))), 'each within the body limit and naming its sentinel');
  assert.equal(new Set(XSS_PAYLOADS.map((p) => p.text)).size, XSS_PAYLOADS.length, 'no payload twice');
  // What the browsers get: hostile names as posted, minus what the server strips.
  const all = [...stored.values()];
  assert.ok(all.filter((c) => c.name.includes('<')).length >= 20, 'many authors are named with markup');
  assert.deepEqual(all.filter((c) => /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/.test(c.name + c.body)).map((c) => c.id), [], 'control and bidi-override characters removed');
});

test('the harness sees a payload that runs: raw HTML in a page without CSP trips the sentinels', async () => {
  const page = await browser.newPage();
  const w = await watch(page);
  const pick = (family: string) => XSS_PAYLOADS.find((p) => p.family === family)!;
  // In an order where no payload's unclosed markup swallows the next (<svg> last).
  const raw = [pick('iframe srcdoc'), pick('details'), pick('img onerror'), pick('javascript url'), pick('svg onload')];
  const alerting = XSS_PAYLOADS.find((p) => p.family === 'script' && p.text.includes('alert('))!;
  // The unsafe way: the payloads as markup of a page without CSP. The product must never do this.
  const unsafe = await serveHtml(`<!doctype html><meta charset="utf-8"><body>${alerting.text}\n${raw.map((p) => p.text).join('\n')}</body>`);
  await page.goto(`${unsafe.origin}/`, { waitUntil: 'load' });
  await page.click('a[href^="javascript:"]'); // a javascript: link runs when followed
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const seen = new Set([...w.executed, ...(await hitsInPage(page))].map((h) => `${h.match(/^(?:__XSS_EXECUTED__ )?(\w+)\((\d+)\)/)?.slice(1, 3).join(':')}`));
  await page.close();
  await unsafe.close();
  for (const p of raw) assert.ok(seen.has(`__xss:${p.id}`), `payload ${explain(p.id)} ran but was not seen: ${[...seen].join(' ')}`);
  assert.ok(seen.has(`alert:${alerting.id}`) && seen.has(`__xss:${alerting.id}`), `alert and sentinel seen: ${[...seen].join(' ')}`);
});

// ---- the reader widget -------------------------------------------------------------------------

const WIDGET = `document.querySelector('taliq-comments').shadowRoot`;

async function openWidget(url: string): Promise<{ page: Page; w: Watch }> {
  const page = await browser.newPage();
  const w = await watch(page);
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => {
    const list = document.querySelector('taliq-comments')?.shadowRoot?.querySelector('[part~="list"], [part~="empty"]');
    return !!list && list.getAttribute('aria-busy') !== 'true';
  });
  // Every page, then every hidden reply.
  for (let i = 0; i < 50; i++) {
    const shown = await page.evaluate(() => {
      const root = document.querySelector('taliq-comments')!.shadowRoot!;
      const more = root.querySelector<HTMLElement>('[part~="more"]');
      if (!more) return -1;
      const n = root.querySelectorAll('article[part~="comment"]').length;
      if (more.getAttribute('aria-disabled') !== 'true') more.click();
      return n;
    });
    if (shown < 0) break;
    await page.waitForFunction(
      (n) => {
        const root = document.querySelector('taliq-comments')!.shadowRoot!;
        const more = root.querySelector('[part~="more"]');
        return !more || (more.getAttribute('aria-disabled') !== 'true' && root.querySelectorAll('article[part~="comment"]').length > n);
      },
      { timeout: 10_000 },
      shown,
    );
  }
  for (let i = 0; i < 200; i++) {
    const clicked = await page.evaluate(() => {
      const b = document.querySelector('taliq-comments')!.shadowRoot!.querySelector<HTMLElement>('[part~="more-replies"]');
      b?.click();
      return !!b;
    });
    if (!clicked) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  return { page, w };
}

interface WidgetComment {
  id: string;
  author: { text: string | null; elements: string[] };
  body: { text: string | null; elements: string[] };
  replyTo: { text: string | null; elements: string[] } | null;
  anchors: { href: string | null; rel: string | null; inner: number }[];
}

const widgetComments = (page: Page) =>
  page.evaluate(() =>
    [...document.querySelector('taliq-comments')!.shadowRoot!.querySelectorAll('article[part~="comment"]')].map((el) => {
      const part = (p: string) => {
        const n = el.querySelector(`[part~="${p}"]`);
        return n ? { text: n.textContent, elements: [...n.querySelectorAll('*')].map((e) => e.localName) } : null;
      };
      const to = el.querySelector('[part~="reply-to"] bdi');
      return {
        id: el.id.replace(/^c-/, ''),
        author: part('author')!,
        body: part('body')!,
        replyTo: to ? { text: to.textContent, elements: [...to.querySelectorAll('*')].map((e) => e.localName) } : null,
        anchors: [...el.querySelectorAll('[part~="body"] a')].map((a) => ({ href: a.getAttribute('href'), rel: a.getAttribute('rel'), inner: a.children.length })),
      };
    }),
  ) as Promise<WidgetComment[]>;

test('in the reader widget on a publisher page, no payload runs and every name and body shows as literal text', async () => {
  const clean = await openWidget(cleanPage.url);
  const cleanAudit = await audit(clean.page, WIDGET);
  const cleanDoc = await audit(clean.page, 'document');
  assert.equal((await widgetComments(clean.page)).length, 7, 'the clean thread is fully shown');
  assertNothingRan('clean widget', clean.w, await hitsInPage(clean.page));
  await clean.page.close();

  const { page, w } = await openWidget(publisher.url);
  const shown = await widgetComments(page);
  const executed = await hitsInPage(page);
  const hostileAudit = await audit(page, WIDGET);
  const hostileDoc = await audit(page, 'document');
  const frames = page.frames().length;
  await new Promise((r) => setTimeout(r, 300)); // the CSP report-uri posts arrive asynchronously
  await page.close();

  const f = new Findings();
  f.check(() => assertNothingRan('reader widget', w, executed));
  // The widget links http(s) URLs: anchors are checked one by one below, so they are not "new" here.
  f.check(() => assertSameShape('widget shadow root', { ...cleanAudit, tags: { a: 1, ...cleanAudit.tags } }, hostileAudit));
  f.check(() => assertSameShape('publisher page document', cleanDoc, hostileDoc));
  f.check(() => assert.equal(frames, 1, 'no frame besides the page'));

  // Every stored comment is shown, once, exactly as stored.
  f.check(() => assert.deepEqual(shown.map((c) => c.id).sort(), [...stored.keys()].sort(), 'the widget shows every approved hostile comment'));
  const wrong = [
    ...literalMismatches('body', shown.map((c) => ({ id: c.id, ...c.body })), (id) => stored.get(id)?.body, ['a', 'br']),
    ...literalMismatches('author', shown.map((c) => ({ id: c.id, ...c.author })), (id) => stored.get(id)?.name),
    ...literalMismatches('in reply to', shown.filter((c) => c.replyTo).map((c) => ({ id: c.id, ...c.replyTo! })), (id) => stored.get(stored.get(id)?.parentId ?? '')?.name),
  ];
  f.check(() => assert.deepEqual(wrong, [], 'names and bodies shown literally'));
  f.check(() => assert.ok(shown.some((c) => c.replyTo), 'a reply to a reply names the hostile author it answers'));
  // URLs in bodies are links: only http(s), text only, nofollow ugc noopener.
  const anchors = shown.flatMap((c) => c.anchors);
  f.check(() => assert.ok(anchors.length > 0, 'the corpus has http(s) URLs, linked in the widget'));
  const badAnchors = anchors.filter((a) => !/^https?:\/\//i.test(a.href ?? '') || a.inner > 0 || !['nofollow', 'ugc', 'noopener'].every((r) => (a.rel ?? '').split(/\s+/).includes(r)));
  f.check(() => assert.deepEqual(badAnchors, [], 'anchors in bodies are http(s), text only, nofollow ugc noopener'));

  f.check(() =>
    assertOnlyExpectedRequests('publisher page', w, [
      new RegExp(`^${publisher.url}$`),
      new RegExp(`^${publisher.origin}/((ar/[\\w/-]+/)?article\\.css|csp-report|favicon\\.ico)$`),
      new RegExp(`^${server.url}/(taliq(-live)?\\.js|api/v1/sites/${SITE}/)`), // taliq-live.js: the live-update part, loaded on demand
    ]),
  );
  f.check(() => assert.deepEqual(w.errors, [], 'no console error, uncaught exception or CSP violation'));
  f.check(() => assert.deepEqual(publisher.violations, [], 'no CSP report'));
  f.report('reader widget');
});

// ---- the moderation dashboard ------------------------------------------------------------------

const DASHBOARD = `document.querySelector('taliq-moderation').shadowRoot`;

interface QueueComment {
  id: string;
  author: { name: string };
  body: string;
  parent?: { id: string; author: { name: string }; body: string };
  thread: { key: string; title: string | null; url: string | null };
}

async function approvedQueue(): Promise<QueueComment[]> {
  const out: QueueComment[] = [];
  let cursor: string | null = null;
  do {
    const res: Response = await fetch(`${server.url}/api/v1/admin/sites/${SITE}/comments?status=approved${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, {
      headers: { authorization: `Bearer ${modToken}` },
    });
    assert.equal(res.status, 200);
    const page = (await res.json()) as { comments: QueueComment[]; nextCursor: string | null };
    out.push(...page.comments);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

/** What the dashboard shows of a parent: one line, at most 160 characters. */
function excerpt(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  return chars.length <= max ? flat : chars.slice(0, max).join('').trimEnd() + '…';
}

async function openDashboard(token: string): Promise<{ page: Page; w: Watch }> {
  const page = await browser.newPage();
  await page.setViewport({ width: 1100, height: 900 });
  const w = await watch(page);
  await page.goto(`${server.url}/admin`, { waitUntil: 'load' });
  await page.waitForFunction(() => document.querySelector('taliq-moderation')?.shadowRoot?.querySelector('#token'));
  await page.type('taliq-moderation >>> #token', token);
  await page.click('taliq-moderation >>> form.signin button[type=submit]');
  await page.waitForFunction(() => document.querySelector('taliq-moderation')?.shadowRoot?.querySelector('#tab-approved'));
  await page.click('taliq-moderation >>> #tab-approved');
  await page.waitForFunction(() => {
    const root = document.querySelector('taliq-moderation')!.shadowRoot!;
    return root.querySelector('#tab-approved[aria-selected="true"]') && root.querySelector('article.comment') && root.querySelector('#list')?.getAttribute('aria-busy') !== 'true';
  });
  for (let i = 0; i < 50; i++) {
    const shown = await page.evaluate(() => {
      const root = document.querySelector('taliq-moderation')!.shadowRoot!;
      const more = root.querySelector<HTMLElement>('#more');
      if (!more) return -1;
      const n = root.querySelectorAll('article.comment').length;
      if (more.getAttribute('aria-disabled') !== 'true') more.click();
      return n;
    });
    if (shown < 0) break;
    await page.waitForFunction(
      (n) => {
        const root = document.querySelector('taliq-moderation')!.shadowRoot!;
        const more = root.querySelector('#more');
        return !more || (more.getAttribute('aria-disabled') !== 'true' && root.querySelectorAll('article.comment').length > n);
      },
      { timeout: 10_000 },
      shown,
    );
  }
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  return { page, w };
}

test('in the moderation dashboard, no payload runs and every name and body shows as literal text', async () => {
  const queue = await approvedQueue();
  const expected = new Map(queue.filter((c) => c.thread.key === THREAD).map((c) => [c.id, c]));
  assert.equal(expected.size, stored.size);
  // The moderator sees what the public sees.
  const differ = [...expected.values()].filter((c) => c.body !== stored.get(c.id)?.body || c.author.name !== stored.get(c.id)?.name).map((c) => c.id);
  assert.deepEqual(differ, [], 'moderator and public views agree on names and bodies');

  const clean = await openDashboard(cleanToken);
  const cleanAudit = await audit(clean.page, DASHBOARD);
  const cleanDoc = await audit(clean.page, 'document');
  assert.equal(await clean.page.evaluate(() => document.querySelector('taliq-moderation')!.shadowRoot!.querySelectorAll('article.comment').length), 7);
  assertNothingRan('clean dashboard', clean.w, await hitsInPage(clean.page));
  await clean.page.close();

  const { page, w } = await openDashboard(modToken);
  const shown = await page.evaluate(() =>
    [...document.querySelector('taliq-moderation')!.shadowRoot!.querySelectorAll('article.comment')].map((el) => {
      const at = (sel: string) => {
        const n = el.querySelector(sel);
        return n ? { text: n.textContent, elements: [...n.querySelectorAll('*')].map((e) => e.localName) } : null;
      };
      const link = el.querySelector('.thread a');
      return {
        id: (el as HTMLElement).dataset.id!,
        author: at('.author')!,
        body: at('.body')!,
        anchors: [...el.querySelectorAll('.body a')].map((a) => ({ href: a.getAttribute('href'), rel: a.getAttribute('rel'), inner: a.children.length })),
        parentAuthor: at('.parent .parent-author'),
        parentBody: at('.parent q'),
        threadLink: link ? { href: link.getAttribute('href'), text: link.textContent, elements: [...link.querySelectorAll('*')].map((e) => e.localName) } : null,
      };
    }),
  );
  const dashAudit = await audit(page, DASHBOARD);
  const docAudit = await audit(page, 'document');
  // The ban dialog names the author too: open it for a comment whose author is a payload.
  const target = shown.find((c) => (c.author.text ?? '').includes('<'))!;
  await page.click(`taliq-moderation >>> article[data-id="${target.id}"] [data-action=ban]`);
  await page.waitForFunction(() => document.querySelector('taliq-moderation')?.shadowRoot?.querySelector('dialog[open]'));
  const dialogAuthor = await page.evaluate(() => {
    const n = document.querySelector('taliq-moderation')!.shadowRoot!.querySelector('dialog[open] .author')!;
    return { text: n.textContent, elements: [...n.querySelectorAll('*')].map((e) => e.localName) };
  });
  const dialogAudit = await audit(page, DASHBOARD);
  await page.keyboard.press('Escape');
  await new Promise((r) => setTimeout(r, 300));
  const executed = await hitsInPage(page);
  const frames = page.frames().length;
  await page.close();

  const f = new Findings();
  f.check(() => assertNothingRan('dashboard', w, executed));
  f.check(() => assert.equal(frames, 1, 'no frame besides the page'));
  f.check(() => assertSameShape('dashboard shadow root', cleanAudit, dashAudit));
  f.check(() => assert.deepEqual(dialogAudit.handlers, [], 'ban dialog: event-handler attributes'));
  f.check(() => assert.deepEqual(literalMismatches('ban dialog author', [{ id: target.id, ...dialogAuthor }], (id) => expected.get(id)?.author.name), []));
  // The page's own markup has a `data:,` favicon: compared with the clean page, nothing is added.
  f.check(() => assert.deepEqual(docAudit.badUrls, cleanDoc.badUrls, 'dashboard document: javascript:/data: URLs or srcdoc'));
  f.check(() => assertSameShape('dashboard document', { ...cleanDoc, badUrls: [] }, { ...docAudit, badUrls: [] }));

  f.check(() => assert.deepEqual(shown.map((c) => c.id).sort(), [...expected.keys()].sort(), 'the approved tab shows every hostile comment'));
  const wrong = [
    ...literalMismatches('body', shown.map((c) => ({ id: c.id, ...c.body })), (id) => expected.get(id)?.body, ['a']),
    ...literalMismatches('author', shown.map((c) => ({ id: c.id, ...c.author })), (id) => expected.get(id)?.author.name),
    ...literalMismatches('parent author', shown.filter((c) => c.parentAuthor).map((c) => ({ id: c.id, ...c.parentAuthor! })), (id) => expected.get(id)?.parent?.author.name),
    ...literalMismatches('parent body', shown.filter((c) => c.parentBody).map((c) => ({ id: c.id, ...c.parentBody! })), (id) => {
      const p = expected.get(id)?.parent;
      return p ? excerpt(p.body) : undefined;
    }),
  ];
  f.check(() => assert.deepEqual(wrong, [], 'names and bodies shown literally'));
  f.check(() => assert.ok(shown.some((c) => c.parentAuthor), 'replies show the hostile comment they answer'));
  // URLs in bodies are links the moderator can check: only http(s), text only, nofollow ugc noopener.
  const dashAnchors = shown.flatMap((c) => c.anchors);
  f.check(() => assert.ok(dashAnchors.length > 0, 'the corpus has http(s) URLs, linked in the dashboard'));
  const badDashAnchors = dashAnchors.filter((a) => !/^https?:\/\//i.test(a.href ?? '') || a.inner > 0 || !['nofollow', 'ugc', 'noopener'].every((r) => (a.rel ?? '').split(/\s+/).includes(r)));
  f.check(() => assert.deepEqual(badDashAnchors, [], 'anchors in bodies are http(s), text only, nofollow ugc noopener'));

  // The article: a hostile title as text, a hostile URL only as an encoded http(s) link.
  const expectedTitle = expected.values().next().value!.thread.title;
  const links = shown.map((c) => c.threadLink);
  f.check(() => {
    for (const l of links) {
      assert.ok(l, 'each comment links its article');
      assert.equal(l.href, new URL(threadUrl).href);
      assert.match(l.href ?? '', /^https:\/\/example\.com\//);
      assert.equal(l.text, expectedTitle, 'the hostile article title as text');
      assert.deepEqual(l.elements, []);
    }
  });
  f.check(() => assert.equal(expectedTitle, threadTitle));

  f.check(() => assertOnlyExpectedRequests('dashboard', w, [new RegExp(`^${server.url}/(admin|taliq-moderation\\.js|api/v1/admin/|favicon\\.ico)`)]));
  f.check(() => assert.deepEqual(w.errors, [], 'no console error, uncaught exception or CSP violation'));
  f.report('dashboard');
});

// ---- the server-rendered thread ------------------------------------------------------------

test('the server-rendered comments.html, loaded without any CSP, runs nothing and has only its JSON-LD script', async () => {
  const res = await fetch(`${server.url}/api/v1/sites/${SITE}/threads/${THREAD}/comments.html`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
  const fragment = await res.text();
  // A no-JavaScript reader's page: the fragment inside a bare document, no CSP to save it.
  const doc = `<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>static</title></head><body><main>${fragment}</main></body></html>`;
  const host = await serveHtml(doc);
  const origin = host.origin;
  try {
    const page = await browser.newPage();
    const w = await watch(page);
    await page.goto(`${origin}/`, { waitUntil: 'load' });
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const seen = await page.evaluate(() => {
      const textOf = (el: Element): string => [...el.childNodes].map((n) => (n.nodeName === 'BR' ? '\n' : n.nodeType === 1 ? textOf(n as Element) : (n.textContent ?? ''))).join('');
      const section = document.querySelector('section.taliq-static')!;
      return {
        scripts: [...document.querySelectorAll('script')].map((s) => ({ type: s.getAttribute('type'), inSection: section.contains(s), text: s.textContent ?? '' })),
        articles: [...section.querySelectorAll('article')].map((a) => {
          const name = a.querySelector('p > b > bdi');
          // The body: one <p> per paragraph (line) after the name's line.
          const body = [...a.querySelectorAll(':scope > p')].slice(1);
          return {
            id: a.id.replace(/^taliq-/, ''),
            name: name ? { text: name.textContent, elements: [...name.querySelectorAll('*')].map((e) => e.localName) } : null,
            body: { text: body.map(textOf).join('\n'), elements: body.flatMap((p) => [...p.querySelectorAll('*')]).map((e) => e.localName).filter((t) => t !== 'br' && t !== 'a') },
            anchors: body.flatMap((p) => [...p.querySelectorAll('a')]).map((x) => ({ href: x.getAttribute('href'), rel: x.getAttribute('rel'), inner: x.children.length })),
          };
        }),
      };
    });
    const executed = await hitsInPage(page);
    const docAudit = await audit(page, 'document');
    const frames = page.frames().length;
    await page.close();

    const f = new Findings();
    f.check(() => assertNothingRan('comments.html', w, executed));
    f.check(() => assert.equal(frames, 1, 'no frame besides the page'));
    f.check(() => assert.deepEqual(docAudit.handlers, [], 'comments.html: event-handler attributes'));
    f.check(() => assert.deepEqual(docAudit.badUrls, [], 'comments.html: javascript:/data: URLs or srcdoc'));
    const allowed = new Set(['html', 'head', 'meta', 'title', 'body', 'main', 'section', 'ol', 'li', 'article', 'p', 'b', 'bdi', 'time', 'a', 'br', 'script']);
    f.check(() => assert.deepEqual(Object.keys(docAudit.tags).filter((t) => !allowed.has(t)), [], 'comments.html: only the renderer’s own elements'));
    f.check(() => assert.equal(docAudit.tags.meta, 1, 'only our own <meta>'));

    // Exactly one script: the JSON-LD, which holds every comment's text as data.
    f.check(() => assert.equal(seen.scripts.length, 1, `scripts: ${JSON.stringify(seen.scripts.map((s) => s.type))}`));
    f.check(() => assert.equal(seen.scripts[0].type, 'application/ld+json'));
    f.check(() => assert.ok(seen.scripts[0].inSection));
    const ld = JSON.parse(seen.scripts[0].text) as { '@graph': { '@id': string; text: string; author: { name: string } }[] };
    f.check(() => assert.equal(ld['@graph'].length, stored.size));
    const ldWrong = ld['@graph']
      .map((c) => ({ id: c['@id'].replace(/^.*#taliq-/, ''), c }))
      .filter(({ id, c }) => stored.get(id)?.body !== c.text || stored.get(id)?.name !== c.author.name)
      .map(({ id }) => id);
    f.check(() => assert.deepEqual(ldWrong, [], 'JSON-LD carries names and bodies as stored'));

    f.check(() => assert.deepEqual(seen.articles.map((a) => a.id).sort(), [...stored.keys()].sort(), 'every approved hostile comment is rendered'));
    const wrong = [
      // Paragraph by paragraph: blank lines are gaps between paragraphs, not text.
      ...literalMismatches('body', seen.articles.map((a) => ({ id: a.id, ...a.body })), (id) => {
        const body = stored.get(id)?.body;
        return body === undefined ? undefined : paragraphs(body).map((p) => p.text).join('\n');
      }),
      ...literalMismatches('author', seen.articles.map((a) => ({ id: a.id, ...a.name! })), (id) => stored.get(id)?.name),
    ];
    f.check(() => assert.deepEqual(wrong, [], 'names and bodies shown literally'));
    const anchors = seen.articles.flatMap((a) => a.anchors);
    f.check(() => assert.ok(anchors.length > 0, 'the http(s) URLs in hostile bodies became links'));
    const badAnchors = anchors.filter((a) => !/^https?:\/\//i.test(a.href ?? '') || a.inner > 0 || !['nofollow', 'ugc', 'noopener'].every((r) => (a.rel ?? '').split(/\s+/).includes(r)));
    f.check(() => assert.deepEqual(badAnchors, [], 'anchors are http(s), text only, nofollow ugc noopener'));

    f.check(() => assertOnlyExpectedRequests('comments.html', w, [new RegExp(`^${origin}/(favicon\\.ico)?$`)]));
    f.check(() => assert.deepEqual(w.errors.filter((e) => !/favicon|404/.test(e)), [], 'no console error or uncaught exception'));
    f.report('comments.html');
  } finally {
    await host.close();
  }
});
