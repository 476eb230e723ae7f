/**
 * The dashboard's pure parts, without a browser: message catalogs, keyboard shortcuts, links and
 * counts; and what the build must keep (logical CSS only, no inline script or style on the /admin
 * page, reader and moderation bundles kept apart, a small bundle).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { ERROR_CODES } from '../../packages/shared/src/errors.js';
import { ar } from '../../packages/dashboard/src/i18n/ar.js';
import { catalogs, isLanguage, localeOf } from '../../packages/dashboard/src/i18n/index.js';
import { isTypingTarget, shortcutFor } from '../../packages/dashboard/src/keyboard.js';
import { excerpt, httpHref } from '../../packages/dashboard/src/urls.js';
import { shiftCounts } from '../../packages/dashboard/src/counts.js';
import { styles } from '../../packages/dashboard/src/styles.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

// ---- catalogs ---------------------------------------------------------------------------------

/** Every key path of a catalog with the kind of its value: `statuses.pending: string`, `comments: function`. */
function shape(o: object, prefix = ''): string[] {
  return Object.entries(o)
    .flatMap(([k, v]) => (v && typeof v === 'object' ? shape(v, `${prefix}${k}.`) : [`${prefix}${k}: ${typeof v}`]))
    .sort();
}

/** Every function of a catalog, by path. */
function functions(o: object, prefix = ''): [string, (n: number, s?: string) => string][] {
  return Object.entries(o).flatMap(([k, v]) =>
    typeof v === 'function' ? [[`${prefix}${k}`, v]] : v && typeof v === 'object' ? functions(v, `${prefix}${k}.`) : [],
  );
}

for (const [lang, messages] of Object.entries(catalogs)) {
  test(`${lang} has every message of the Arabic reference, of the same kind, none empty`, () => {
    assert.deepEqual(shape(messages), shape(ar));
    const strings = (o: object): string[] => Object.values(o).flatMap((v) => (typeof v === 'string' ? [v] : v && typeof v === 'object' ? strings(v) : []));
    for (const s of strings(messages)) assert.notEqual(s.trim(), '', lang);
  });

  test(`${lang} has words for every error code and for a failed connection`, () => {
    assert.deepEqual(Object.keys(messages.errors).sort(), [...ERROR_CODES, 'network'].sort());
  });

  test(`${lang} words every count from 0 to 1000 with the number it is given`, () => {
    for (const [name, f] of functions(messages))
      for (let n = 0; n <= 1000; n++) {
        const s = f(n, `#${n}`);
        assert.equal(typeof s, 'string', `${lang} ${name}(${n})`);
        assert.ok(!/undefined|NaN/.test(s), `${lang} ${name}(${n}) = ${s}`);
        if (n > 2 && n !== 1000) assert.ok(s.includes(`#${n}`) || n === 0, `${lang} ${name}(${n}) = ${s} shows the formatted number`);
      }
  });
}

test('the catalogs carry their direction and their own name', () => {
  assert.deepEqual([catalogs.ar.$dir, catalogs.fr.$dir, catalogs.en.$dir], ['rtl', 'ltr', 'ltr']);
  assert.deepEqual([catalogs.ar.$name, catalogs.fr.$name, catalogs.en.$name], ['العربية', 'Français', 'English']);
  assert.ok(isLanguage('fr') && !isLanguage('de') && !isLanguage('constructor') && !isLanguage(null));
  assert.equal(localeOf('ar'), 'ar-u-nu-latn');
});

test('Arabic counts use the six plural forms', () => {
  assert.deepEqual(
    [0, 1, 2, 3, 11, 100].map((n) => ar.reports(n)),
    ['لا بلاغات', 'بلاغ واحد', 'بلاغان', '3 بلاغات', '11 بلاغًا', '100 بلاغ'],
  );
  assert.deepEqual(
    [1, 2, 3, 11, 100].map((n) => ar.links(n)),
    ['رابط واحد', 'رابطان', '3 روابط', '11 رابطًا', '100 رابط'],
  );
  assert.deepEqual(
    [1, 2, 5, 12].map((n) => ar.done.approve(n)),
    ['قُبل التعليق.', 'قُبل التعليقان.', 'قُبلت 5 تعليقات.', 'قُبل 12 تعليقًا.'],
  );
  assert.equal(catalogs.fr.selected(2), '2 commentaires sélectionnés');
  assert.equal(catalogs.en.done.spam(3), '3 comments marked as spam.');
});

// ---- keyboard ---------------------------------------------------------------------------------

test('shortcuts: j/k/a/r/s/x and /, also on Arabic and AZERTY layouts', () => {
  const key = (k: string, code?: string, mods: object = {}) => shortcutFor({ key: k, code, ...mods }, false);
  assert.deepEqual(['j', 'k', 'a', 'r', 's', 'x', '/'].map((k) => key(k)), ['next', 'previous', 'approve', 'reject', 'spam', 'toggle', 'search']);
  // An Arabic layout types ت on the J key, ظ on the slash key.
  assert.equal(key('ت', 'KeyJ'), 'next');
  assert.equal(key('ش', 'KeyA'), 'approve');
  assert.equal(key('ظ', 'Slash'), 'search');
  // AZERTY: the key typed counts, not its place.
  assert.equal(key('a', 'KeyQ'), 'approve');
  assert.equal(key('/', 'Period', { shiftKey: true }), 'search');
});

test('shortcuts are ignored with modifiers, capitals, while composing or typing', () => {
  assert.equal(shortcutFor({ key: 'a', ctrlKey: true }, false), null, 'Ctrl+A selects text');
  assert.equal(shortcutFor({ key: 'r', metaKey: true }, false), null, 'Cmd+R reloads');
  assert.equal(shortcutFor({ key: 'j', altKey: true }, false), null);
  assert.equal(shortcutFor({ key: 'J' }, false), null);
  assert.equal(shortcutFor({ key: 'a', isComposing: true }, false), null);
  assert.equal(shortcutFor({ key: 'a' }, true), null);
  assert.equal(shortcutFor({ key: 'Enter', code: 'Enter' }, false), null);
  assert.equal(shortcutFor({ key: 'ArrowDown', code: 'ArrowDown' }, false), null);
});

test('typing happens in text fields, selects and editable content, not on checkboxes and buttons', () => {
  const el = (tagName: string, extra: object = {}) => ({ tagName, ...extra }) as unknown as Element;
  assert.equal(isTypingTarget(el('INPUT', { type: 'search' })), true);
  assert.equal(isTypingTarget(el('INPUT', { type: 'password' })), true);
  assert.equal(isTypingTarget(el('TEXTAREA')), true);
  assert.equal(isTypingTarget(el('SELECT')), true);
  assert.equal(isTypingTarget(el('DIV', { isContentEditable: true })), true);
  assert.equal(isTypingTarget(el('INPUT', { type: 'checkbox' })), false);
  assert.equal(isTypingTarget(el('BUTTON')), false);
  assert.equal(isTypingTarget(el('ARTICLE', { isContentEditable: false })), false);
  assert.equal(isTypingTarget(null), false);
});

// ---- links and excerpts -----------------------------------------------------------------------

test('only absolute http(s) URLs become links', () => {
  assert.equal(httpHref('https://akhbar.example.ma/news/42'), 'https://akhbar.example.ma/news/42');
  assert.equal(httpHref('http://localhost:8787/a b'), 'http://localhost:8787/a%20b');
  for (const bad of ['javascript:alert(1)', 'JAVASCRIPT:alert(1)', 'data:text/html,<b>', '/relative', '//evil.example', 'ftp://x.example', '', null, undefined])
    assert.equal(httpHref(bad), null, String(bad));
});

test('excerpts are one line, cut between characters, with an ellipsis when cut', () => {
  assert.equal(excerpt('سطر\n\nثانٍ  هنا'), 'سطر ثانٍ هنا');
  assert.equal(excerpt('كلمة '.repeat(100), 10), 'كلمة كلمة…');
  assert.equal(excerpt('👍'.repeat(5), 3), '👍👍👍…', 'never half an emoji');
});

// ---- counts -----------------------------------------------------------------------------------

test('counts move with an action as the server will count them', () => {
  const counts = { pending: 3, approved: 5, rejected: 0, spam: 1, flagged: 2 };
  assert.deepEqual(shiftCounts(counts, [{ status: 'pending' }, { status: 'pending' }], 'approved', 'pending'), { ...counts, pending: 1, approved: 7 });
  assert.deepEqual(shiftCounts(counts, [{ status: 'spam' }], 'pending', 'spam'), { ...counts, spam: 0, pending: 4 });
  // From the flagged queue: the report is settled whatever the decision.
  assert.deepEqual(shiftCounts(counts, [{ status: 'approved' }], 'approved', 'flagged'), { ...counts, flagged: 1 });
  assert.deepEqual(shiftCounts(counts, [{ status: 'approved' }], 'rejected', 'flagged'), { ...counts, flagged: 1, approved: 4, rejected: 1 });
  assert.deepEqual(shiftCounts({ ...counts, rejected: 0 }, [{ status: 'rejected' }], 'pending', 'rejected'), { ...counts, pending: 4, rejected: 0 }, 'never below zero');
});

// ---- what the build keeps ---------------------------------------------------------------------

// test/lint/sources.test.ts checks every source file of the dashboard for injection sinks and
// physical CSS directions; here, the stylesheet as the browser receives it.
test('the dashboard lays out with logical properties only, never left or right', () => {
  assert.doesNotMatch(styles.cssText, /\b(left|right)\b/);
  assert.match(styles.cssText, /text-align: start/);
  assert.match(styles.cssText, /margin-inline-start/);
});

test('the /admin page has no inline script, style or handler, and loads only its bundle', () => {
  const page = readFileSync(join(ROOT, 'packages/dashboard/index.html'), 'utf8');
  assert.doesNotMatch(page, /<style|\sstyle=|\son[a-z]+=|javascript:/i);
  const scripts = [...page.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  assert.deepEqual(
    scripts.map(([, attrs, body]) => [attrs.trim(), body.trim()]),
    [['type="module" src="/admin/taliq-moderation.js"', '']],
  );
  assert.match(page, /<taliq-moderation standalone><\/taliq-moderation>/);
});

test('readers never download moderation code, and the dashboard stays small', { skip: !existsSync(join(ROOT, 'dist/taliq-moderation.js')) && 'not built' }, () => {
  const reader = readFileSync(join(ROOT, 'dist/taliq.js'), 'utf8');
  const dashboard = readFileSync(join(ROOT, 'dist/taliq-moderation.js'));
  assert.ok(!reader.includes('taliq-moderation') && !reader.includes('/api/v1/admin'), 'no moderation code in taliq.js');
  const text = dashboard.toString('utf8');
  assert.ok(text.includes('taliq-moderation') && !text.includes('"taliq-comments"'), 'the dashboard does not carry the reader element');
  assert.ok(!/\bzod\b|ZodError/.test(text), 'zod stays on the server');
  const gzip = gzipSync(dashboard, { level: 9 }).length;
  assert.ok(gzip <= 32 * 1024, `taliq-moderation.js is ${gzip} bytes gzipped`);
});
