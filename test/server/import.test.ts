/**
 * Importing from Disqus and WordPress, and exporting a site: the parsers on the real export files
 * in shared/fixtures (see SOURCES.md there) and on our own edge cases, the import into a real
 * store read back through the reader API, re-imports, and the CLI round trip.
 * CI puts shared/ beside the repository; without it the fixture tests are skipped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDisqus } from '../../packages/server/src/importers/disqus.js';
import { parseWordpress } from '../../packages/server/src/importers/wordpress.js';
import { importInto } from '../../packages/server/src/importers/import.js';
import { exportSite } from '../../packages/server/src/importers/export.js';
import { ANONYMOUS, ImportError, type ImportData } from '../../packages/server/src/importers/types.js';
import { parseXml, XmlError } from '../../packages/server/src/importers/xml.js';
import { htmlToText } from '../../packages/server/src/importers/html.js';
import { api, SITE, testApp } from '../support/app.js';
import { taliq } from '../support/process.js';

const FIXTURES = new URL('../../../shared/fixtures/', import.meta.url);
const HAVE_FIXTURES = existsSync(fileURLToPath(FIXTURES));
const FX = { skip: HAVE_FIXTURES ? false : `no fixtures at ${fileURLToPath(FIXTURES)} (CI copies shared/ beside the repository)` };
const fixture = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8');
const fixturePath = (name: string) => fileURLToPath(new URL(name, FIXTURES));

/** The remark42 Disqus files with their two deliberate defects repaired (a leading backtick, an unquoted attribute). */
const repaired = (name: string) => fixture(name).replace(/^`/, '').replace('<thread dsq:id=247937687/>', '<thread dsq:id="247937687"/>');

const byId = (d: ImportData) => new Map(d.comments.map((c) => [c.sourceId, c]));
const utc = (s: string) => Date.parse(s);

/** Every comment comes after its parent, in the same thread. */
function assertParentsFirst(d: ImportData) {
  const seen = new Map<string, string>();
  for (const c of d.comments) {
    if (c.parentSourceId !== null) assert.equal(seen.get(c.parentSourceId), c.threadKey, `${c.sourceId} comes after its parent ${c.parentSourceId}, same thread`);
    seen.set(c.sourceId, c.threadKey);
  }
  const keys = new Set(d.threads.map((t) => t.key));
  for (const c of d.comments) assert.ok(keys.has(c.threadKey), `thread ${c.threadKey} is listed`);
}

// ---- Disqus ------------------------------------------------------------------------------------

test('Disqus (isso): CDATA HTML made text, the reply kept under its parent, the post of a missing thread skipped', FX, () => {
  const d = parseDisqus(fixture('disqus-isso-tests.xml'));
  // Thread 3 has neither link nor id, and no posts: it is not imported.
  assert.deepEqual(d.threads, [{ key: '/', title: 'Hello, World!', url: 'http://example.org/', closed: false }]);
  assert.equal(d.comments.length, 2);
  const c = byId(d);
  assert.deepEqual(c.get('4'), {
    sourceId: '4', threadKey: '/', parentSourceId: null, authorName: 'peter', authorEmail: 'foo@bar.com', body: '...',
    createdAt: utc('2013-10-10T19:20:29Z'), status: 'approved',
  });
  assert.equal(c.get('5')!.parentSourceId, '4');
  assert.equal(c.get('5')!.body, 'Hello, World.');
  assert.deepEqual(d.skipped, [{ sourceId: '6', reason: 'its thread 1337 is not in the file' }]);
  assertParentsFirst(d);
});

test('Disqus (schnack): a three-deep chain, paragraphs and links, posts out of order in the file', FX, () => {
  const d = parseDisqus(fixture('disqus-schnack-test.xml'));
  assert.deepEqual(d.threads.map((t) => t.key), ['/foo/', '/bar/']);
  assert.equal(d.comments.length, 5);
  assert.equal(d.skipped.length, 0);
  const c = byId(d);
  assert.equal(c.get('1664831530')!.parentSourceId, '1664694813');
  assert.equal(c.get('1690922142')!.parentSourceId, '1664831530');
  assert.equal(c.get('1690992879')!.parentSourceId, '1690922142');
  assert.equal(c.get('1664694813')!.body, 'Hey, wow!\n\n// Amazing post.\n\nCheck example (http://example.example).');
  assert.equal(c.get('1664694824')!.threadKey, '/bar/');
  // Oldest first; two posts share a date.
  assert.deepEqual(d.comments.map((x) => x.createdAt), [...d.comments.map((x) => x.createdAt)].sort((a, b) => a - b));
  assertParentsFirst(d);
});

test('Disqus (remark42): a file that is not well-formed XML is refused with where it breaks', FX, () => {
  for (const name of ['disqus-remark42-disqus2.xml', 'disqus-remark42-deleted-post.xml', 'disqus-remark42-deleted-thread.xml']) {
    assert.throws(() => parseDisqus(fixture(name)), (e: Error) => e instanceof ImportError && /text before the root element \(line 1, column 1\)/.test(e.message), name);
    // With the backtick gone, the unquoted attribute is still refused.
    assert.throws(() => parseDisqus(fixture(name).slice(1)), /is not quoted \(line 147, column \d+\)/, name);
  }
});

test('Disqus (remark42, repaired): spam, a bad date, a post without id, Cyrillic, <br>, empty email, deleted posts and threads', FX, () => {
  const d = parseDisqus(repaired('disqus-remark42-disqus2.xml'));
  assert.deepEqual(d.threads.map((t) => [t.key, t.closed]), [['/2011/03/229_8880.html', false], ['/p/2011/03/05/podcast-229/', true]]);
  assert.equal(d.threads[0].title, 'Радио-Т: Радио-Т 229');
  const c = byId(d);
  assert.deepEqual([...c.keys()].sort(), ['299619020', '299744309', '299986072', '299986073', 'id:12345678890']);
  assert.equal(c.get('299986073')!.status, 'spam');
  assert.equal(c.get('id:12345678890')!.body, 'This comment had no ID');
  assert.equal(c.get('299619020')!.authorEmail, null);
  assert.equal(c.get('299619020')!.body, 'The quick brown fox jumps over the lazy dog.\n\nsome link (https://https://radio-t.com)');
  // The link text Disqus shortened gives way to the address itself.
  assert.equal(c.get('299744309')!.body, 'Microsoft показал проводник Windows 8 с ленточным интерфейсом.\n\nhttp://blogs.msdn.com/b/b8/archive/2011/08/29/improvements-in-windows-explorer.aspx');
  assert.match(c.get('299986072')!.body, /^Google App Engine скоро выходит из превью статуса\.\n\nСейчас письмо пришло от гугла\.\n\nДля платных .* SLA\.\nБудут Премьер/s);
  assert.deepEqual(d.skipped, [{ sourceId: 'x299986073', reason: 'its date "2011-x09-30T22:48:43Z" is not a date' }]);

  const post = byId(parseDisqus(repaired('disqus-remark42-deleted-post.xml')));
  assert.equal(post.get('299619020')!.status, 'deleted');
  assert.equal(post.size, 5);

  const thread = parseDisqus(repaired('disqus-remark42-deleted-thread.xml'));
  assert.deepEqual(thread.threads.map((t) => t.key), ['/2011/03/229_8880.html']);
  assert.deepEqual(thread.comments.map((x) => x.sourceId).sort(), ['299986072', 'id:12345678890']);
  assert.equal(thread.skipped.length, 4);
  assert.ok(thread.skipped.every((s) => s.reason === 'thread 247937687 was deleted in Disqus'));
});

const disqusDoc = (posts: string, threads = '') => `<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
  <thread dsq:id="1"><id>akhbar-42</id><link>https://akhbar.example.ma/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1/42</link><title>&#x202E;أخبار اليوم</title></thread>
  <thread dsq:id="2"><id>only-an-id</id><title>بلا رابط</title></thread>
  <thread dsq:id="3"><id>dup</id><link>http://www.akhbar.example.ma/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1/42</link><title>نسخة</title><isClosed>true</isClosed></thread>
  ${threads}
  ${posts}
</disqus>`;

test('Disqus: Arabic text cleaned (NFC, bidi overrides out), entities decoded, limits enforced, keys from the link path', () => {
  const long = 'ب'.repeat(6000);
  const d = parseDisqus(disqusDoc(`
    <post dsq:id="10"><message><![CDATA[<p>مرحبا &amp; أهلا&nbsp;بكم</p><p>سطر<br/>ثانٍ &#x202D;هنا</p><script>alert(1)</script>]]></message>
      <createdAt>2024-03-01T10:00:00Z</createdAt><author><name>  &#x202E;أحمد&#x0007;  </name><email> Ahmed@Example.MA </email></author><thread dsq:id="1"/></post>
    <post dsq:id="11"><message>${long}</message><createdAt>2024-03-01T10:01:00Z</createdAt>
      <author><name>${'ن'.repeat(80)}</name></author><thread dsq:id="3"/><parent dsq:id="10"/></post>
    <post dsq:id="12"><message>بلا اسم</message><createdAt>2024-03-01T10:02:00Z</createdAt><author><name>  </name></author><thread dsq:id="2"/><parent dsq:id="999"/></post>
    <post dsq:id="13"><message>  </message><createdAt>2024-03-01T10:03:00Z</createdAt><author><name>x</name></author><thread dsq:id="2"/></post>
    <post dsq:id="14"><message>  </message><createdAt>2024-03-01T10:03:00Z</createdAt><isDeleted>true</isDeleted><author><name>x</name></author><thread dsq:id="2"/></post>
    <post dsq:id="10"><message>مكرر</message><createdAt>2024-03-01T10:04:00Z</createdAt><author><name>x</name></author><thread dsq:id="1"/></post>
    <post dsq:id="15"><message>e\u0301</message><createdAt>2024-03-01T10:05:00+01:00</createdAt><author><name>Cafe\u0301</name></author><thread dsq:id="1"/></post>`));
  // Threads 1 and 3 are one page (www and http aside): merged, and closed because one copy was.
  assert.deepEqual(d.threads, [
    { key: '/أخبار/42', title: 'أخبار اليوم', url: 'https://akhbar.example.ma/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1/42', closed: true },
    { key: 'only-an-id', title: 'بلا رابط', url: null, closed: false },
  ]);
  const c = byId(d);
  assert.equal(c.get('10')!.body, 'مرحبا & أهلا\u00A0بكم\n\nسطر\nثانٍ هنا');
  assert.equal(c.get('10')!.authorName, 'أحمد');
  assert.equal(c.get('10')!.authorEmail, 'Ahmed@example.ma');
  assert.equal(c.get('11')!.body.length, 5000);
  assert.equal(c.get('11')!.authorName.length, 50);
  assert.equal(c.get('11')!.parentSourceId, '10');
  assert.equal(c.get('12')!.authorName, ANONYMOUS);
  assert.equal(c.get('12')!.parentSourceId, null, 'a missing parent makes a top-level comment');
  assert.equal(c.get('14')!.status, 'deleted');
  assert.equal(c.get('15')!.body, '\u00E9');
  assert.equal(c.get('15')!.authorName, 'Caf\u00E9');
  assert.equal(c.get('15')!.createdAt, utc('2024-03-01T09:05:00Z'));
  assert.deepEqual(d.skipped, [
    { sourceId: '13', reason: 'its text is empty' },
    { sourceId: '10', reason: 'the same id as an earlier post' },
  ]);
  assertParentsFirst(d);
});

test('Disqus: a reply in another thread than its parent, and a cycle of parents, end up top-level', () => {
  const d = parseDisqus(disqusDoc(`
    <post dsq:id="1"><message>a</message><createdAt>2024-01-01T00:00:00Z</createdAt><thread dsq:id="1"/><parent dsq:id="2"/></post>
    <post dsq:id="2"><message>b</message><createdAt>2024-01-01T00:00:01Z</createdAt><thread dsq:id="1"/><parent dsq:id="1"/></post>
    <post dsq:id="3"><message>c</message><createdAt>2024-01-01T00:00:02Z</createdAt><thread dsq:id="2"/><parent dsq:id="1"/></post>`));
  const c = byId(d);
  assert.equal(c.get('3')!.parentSourceId, null);
  assert.equal([c.get('1')!, c.get('2')!].filter((x) => x.parentSourceId === null).length, 1);
  assert.equal(c.get('1')!.authorName, ANONYMOUS);
  assertParentsFirst(d);
});

// ---- WordPress ---------------------------------------------------------------------------------

test('WordPress (isso): nesting, ids that repeat across posts, GMT dates, ?p= links, emails trimmed, multiline bodies', FX, () => {
  const d = parseWordpress(fixture('wordpress-isso-tests.xml'));
  assert.deepEqual(d.threads, [
    { key: '/2014/test/', title: 'Hello, World…', url: 'http://example.tld/2014/test/', closed: false },
    { key: '/?p=4', title: '...', url: 'http://example.tld/?p=4', closed: false },
  ]);
  assert.equal(d.comments.length, 8);
  assert.equal(d.skipped.length, 0);
  const c = byId(d);
  assert.equal(c.get('18:7')!.parentSourceId, '18:6');
  assert.equal(c.get('18:8')!.parentSourceId, '18:7');
  assert.equal(c.get('18:9')!.parentSourceId, '18:7');
  for (const root of ['18:2', '18:6', '18:10', '18:11', '/?p=4:11']) assert.equal(c.get(root)!.parentSourceId, null, root);
  assert.equal(c.get('/?p=4:11')!.threadKey, '/?p=4');
  assert.equal(c.get('18:7')!.body, 'Drölfter!'.normalize('NFC'));
  assert.equal(c.get('18:7')!.createdAt, utc('2014-04-29T15:21:35Z'), 'comment_date_gmt, the only date there');
  assert.equal(c.get('18:10')!.createdAt, utc('2022-06-06T02:13:14Z'), 'GMT, not local time');
  assert.equal(c.get('18:10')!.body, 'When you have a comment with multiple lines:\nWordPress exports it like this.');
  assert.equal(c.get('18:2')!.authorEmail, 'test@example.org');
  assert.equal(c.get('18:2')!.body, 'Erster!1');
  assert.ok(d.comments.every((x) => x.status === 'approved'));
  assertParentsFirst(d);
});

test('WordPress (remark42): pending kept as pending, the pingback left out and its reply made top-level, attachments without comments ignored', FX, () => {
  const d = parseWordpress(fixture('wordpress-remark42-xmlTestWP.xml'));
  assert.deepEqual(d.threads, [{ key: '/2010/07/do-you-rp/', title: 'Post with comments. One is not approved', url: 'https://realmenweardress.es/2010/07/do-you-rp/', closed: false }]);
  const c = byId(d);
  assert.deepEqual([...c.keys()], ['100:8', '100:9', '100:14']);
  assert.equal(c.get('100:9')!.status, 'pending');
  assert.equal(c.get('100:14')!.parentSourceId, null);
  assert.deepEqual(d.skipped, [{ sourceId: '100:13', reason: "a pingback, not a reader's comment" }]);
});

const wxr = (items: string) => `<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>مدونة</title>${items}</channel></rss>`;
const wpComment = (id: number, fields: Record<string, string>) =>
  `<wp:comment><wp:comment_id>${id}</wp:comment_id>${Object.entries({ comment_approved: '1', comment_parent: '0', comment_date_gmt: '2024-05-01 08:00:00', ...fields })
    .map(([k, v]) => `<wp:${k}><![CDATA[${v}]]></wp:${k}>`).join('')}</wp:comment>`;

test('WordPress: statuses, notes and trackbacks left out, entities in names, zero GMT dates, Arabic, trashed and closed posts', () => {
  const d = parseWordpress(wxr(`
    <item><title>مقال &amp; رأي</title><link>https://akhbar.example.ma/ra2y/</link><wp:post_id>7</wp:post_id><wp:comment_status>closed</wp:comment_status>
      ${wpComment(1, { comment_author: 'سعيد &laquo;الكاتب&raquo; O&#039;Brien', comment_author_email: 'said@example.ma', comment_content: 'نص <strong>مهم</strong>\\nسطر &#8217;ثان&#8217;\n\n\n\nفقرة' })}
      ${wpComment(2, { comment_author: 'b', comment_approved: '0', comment_content: 'ينتظر' })}
      ${wpComment(3, { comment_author: 'c', comment_approved: 'spam', comment_content: 'سبام' })}
      ${wpComment(4, { comment_author: 'd', comment_approved: 'trash', comment_content: 'محذوف', comment_parent: '1' })}
      ${wpComment(5, { comment_author: 'e', comment_type: 'note', comment_content: '<!-- wp:paragraph -->note' })}
      ${wpComment(6, { comment_author: 'f', comment_type: 'trackback', comment_content: 'tb' })}
      ${wpComment(7, { comment_author: '', comment_date_gmt: '0000-00-00 00:00:00', comment_date: '2020-02-02 20:20:20', comment_content: 'بلا تاريخ غرينتش' })}
      ${wpComment(8, { comment_author: 'h', comment_date_gmt: '0000-00-00 00:00:00', comment_date: '', comment_content: 'بلا تاريخ' })}
      ${wpComment(9, { comment_author: 'i', comment_approved: 'post-trashed', comment_content: '' })}
    </item>
    <item><title>draft</title><link>https://akhbar.example.ma/?p=9</link><wp:post_id>9</wp:post_id><wp:status>trash</wp:status>
      ${wpComment(1, { comment_author: 'x', comment_content: 'في سلة المهملات' })}
    </item>
    <item><title>no link</title><wp:post_id>12</wp:post_id>
      ${wpComment(1, { comment_author: 'x', comment_content: 'بلا رابط' })}
    </item>`));
  assert.deepEqual(d.threads, [
    { key: '/ra2y/', title: 'مقال & رأي', url: 'https://akhbar.example.ma/ra2y/', closed: true },
    { key: '/?p=12', title: 'no link', url: null, closed: false },
  ]);
  const c = byId(d);
  assert.equal(c.get('7:1')!.authorName, 'سعيد «الكاتب» O\'Brien');
  assert.equal(c.get('7:1')!.body, 'نص مهم\\nسطر ’ثان’\n\nفقرة');
  assert.equal(c.get('7:2')!.status, 'pending');
  assert.equal(c.get('7:3')!.status, 'spam');
  assert.equal(c.get('7:4')!.status, 'deleted');
  assert.equal(c.get('7:4')!.parentSourceId, '7:1');
  assert.equal(c.get('7:9')!.status, 'deleted');
  assert.equal(c.get('7:7')!.authorName, ANONYMOUS);
  assert.equal(c.get('7:7')!.createdAt, utc('2020-02-02T20:20:20Z'));
  assert.equal(c.get('12:1')!.threadKey, '/?p=12');
  assert.deepEqual(d.skipped, [
    { sourceId: '7:5', reason: "a note, not a reader's comment" },
    { sourceId: '7:6', reason: "a trackback, not a reader's comment" },
    { sourceId: '7:8', reason: 'its date "0000-00-00 00:00:00" is not a date' },
    { sourceId: '9:1', reason: 'post 9 is in the trash' },
  ]);
  assertParentsFirst(d);
});

// ---- bad input ---------------------------------------------------------------------------------

test('bad input: not XML, truncated, the wrong format, stray "&": refused with a clear message', () => {
  const bad: [string, (s: string) => unknown, RegExp][] = [
    ['{"comments": []}', parseDisqus, /not a well-formed Disqus XML file: text before the root element \(line 1, column 1\)/],
    ['', parseWordpress, /no root element: this is not an XML file/],
    [disqusDoc('<post dsq:id="1"><message>قطع</message></post>').slice(0, -9), parseDisqus, /the file ends before <\/disqus>: is it truncated\?/],
    [disqusDoc('<post dsq:id="1"><message>قطع</message></post>').slice(0, -50), parseDisqus, /is it truncated\?/],
    [wxr('<item><title>x</title>').slice(0, 120), parseWordpress, /truncated|ends/],
    [wxr(''), parseDisqus, /not a Disqus export: its root element is <rss>/],
    [disqusDoc(''), parseWordpress, /not a WordPress export \(WXR\): its root element is <disqus>/],
    ['<disqus><post>a & b</post></disqus>', parseDisqus, /"&" that starts no entity.*line 1, column 17/],
    ['<disqus><a></b></disqus>', parseDisqus, /end tag <\/b> does not match <a>/],
    ['<disqus/><disqus/>', parseDisqus, /a second root element/],
  ];
  for (const [text, parse, message] of bad) assert.throws(() => parse(text), (e: Error) => e instanceof ImportError && message.test(e.message), `${text.slice(0, 40)} → ${message}`);
  assert.throws(() => parseXml('<a b=c/>'), XmlError);
});

test('HTML to text: tags, entities, links, lists, scripts', () => {
  assert.equal(htmlToText('<p>a</p><p>b<br>c</p>'), 'a\n\nb\nc');
  assert.equal(htmlToText('<a href="https://x.ma/a?b=1&amp;c=2">https://x.ma/a?b=1&amp;c=2</a>'), 'https://x.ma/a?b=1&c=2');
  assert.equal(htmlToText('<a href="javascript:alert(1)">اضغط</a>'), 'اضغط');
  assert.equal(htmlToText('<ul><li>واحد</li><li>اثنان</li></ul>'), '• واحد\n• اثنان');
  assert.equal(htmlToText('x<script>document.write("<p>")</script>y<style>p{}</style>'), 'xy');
  assert.equal(htmlToText('3 &lt; 4 &gt; 2 &#1587;&#x644;&#x627;&#x645; &bogus; &#0;'), '3 < 4 > 2 سلام &bogus;');
});

// ---- into a store ------------------------------------------------------------------------------

test('imported comments come out through the reader API with replies under their parents; a re-import adds nothing', FX, async () => {
  const t = await testApp();
  try {
    const wp = parseWordpress(fixture('wordpress-isso-tests.xml'));
    assert.deepEqual(await importInto(t.store, SITE, wp), { threads: 2, comments: 8, existing: 0, skipped: 0 });
    const dq = parseDisqus(fixture('disqus-schnack-test.xml'));
    assert.deepEqual(await importInto(t.store, SITE, dq), { threads: 2, comments: 5, existing: 0, skipped: 0 });
    const remark = parseWordpress(fixture('wordpress-remark42-xmlTestWP.xml'));
    assert.deepEqual(await importInto(t.store, SITE, remark), { threads: 1, comments: 3, existing: 0, skipped: 1 });

    const a = api(t);
    const page = await a.list('/2014/test/', 'sort=oldest');
    assert.equal(page.status, 200);
    assert.equal(page.body.thread.count, 7);
    assert.equal(page.body.thread.title, 'Hello, World…');
    const byBody = (list: any[], body: string) => list.find((c) => c.body === body);
    const list = page.body.comments;
    const zweiter = byBody(list, 'Zweiter.');
    const droelf = byBody(list, 'Drölfter!');
    assert.equal(droelf.parentId, zweiter.id);
    assert.equal(byBody(list, 'Yet another reply.').parentId, droelf.id);
    assert.equal(list.filter((c: any) => c.parentId === null).length, 4);
    assert.equal(byBody(list, 'Erster!1').createdAt, '2014-01-14T17:32:12.000Z');
    assert.equal(list.some((c: any) => 'email' in c.author), false, 'readers never see emails');

    // The three-deep chain: every reply under its parent.
    const foo = (await a.list('/foo/', 'sort=oldest')).body.comments;
    assert.equal(foo.length, 4);
    for (let i = 1; i < 4; i++) assert.equal(foo.find((c: any) => c.id === foo[i].parentId)?.body, foo[i - 1].body);

    // The pending comment waits in the moderation queue, with its email.
    const shown = (await a.list('/2010/07/do-you-rp/')).body.comments;
    assert.deepEqual(shown.map((c: any) => c.body).sort(), ['I do catch myself', 'Mekkatorque was over in that tent up to the right']);
    const queue = await a.queue('status=pending');
    assert.equal(queue.status, 200);
    assert.equal(queue.body.comments.length, 1);
    assert.equal(queue.body.comments[0].author.email, 'superuser2@gmail.com');

    const count = async () => (await t.store.exportSite(SITE)).comments.length;
    assert.equal(await count(), 16);
    assert.deepEqual(await importInto(t.store, SITE, parseWordpress(fixture('wordpress-isso-tests.xml'))), { threads: 2, comments: 0, existing: 8, skipped: 0 });
    assert.deepEqual(await importInto(t.store, SITE, parseDisqus(fixture('disqus-schnack-test.xml'))), { threads: 2, comments: 0, existing: 5, skipped: 0 });
    assert.equal(await count(), 16);
    assert.equal((await a.list('/foo/')).body.comments.length, 4);

    // The export: every status, emails, parents before replies, roots set.
    const doc = await exportSite(t.store, SITE);
    assert.equal(doc.comments.length, 16);
    assert.equal(doc.threads.length, 5);
    const ids = new Set<string>();
    for (const c of doc.comments) {
      if (c.parentId) {
        assert.ok(ids.has(c.parentId), 'parent first');
        const root = doc.comments.find((x) => x.id === c.rootId)!;
        assert.equal(root.parentId, null, 'the root is top-level');
      } else assert.equal(c.rootId, null);
      ids.add(c.id);
    }
    assert.deepEqual(doc.comments.filter((c) => c.status === 'pending').map((c) => c.author.email), ['superuser2@gmail.com']);
  } finally {
    await t.close();
  }
});

test('deleted and spam comments are imported but never shown; a reply to a missing parent is top-level', async () => {
  const t = await testApp();
  try {
    const d = parseDisqus(disqusDoc(`
      <post dsq:id="1"><message>ظاهر</message><createdAt>2024-01-01T00:00:00Z</createdAt><thread dsq:id="1"/></post>
      <post dsq:id="2"><message>محذوف</message><isDeleted>true</isDeleted><createdAt>2024-01-01T00:00:01Z</createdAt><thread dsq:id="1"/></post>
      <post dsq:id="3"><message>سبام</message><isSpam>true</isSpam><createdAt>2024-01-01T00:00:02Z</createdAt><thread dsq:id="1"/><parent dsq:id="1"/></post>
      <post dsq:id="4"><message>يتيم</message><createdAt>2024-01-01T00:00:03Z</createdAt><thread dsq:id="1"/><parent dsq:id="404"/></post>
      <post dsq:id="5"><message>رد</message><createdAt>2024-01-01T00:00:04Z</createdAt><thread dsq:id="1"/><parent dsq:id="4"/></post>`));
    assert.deepEqual(await importInto(t.store, SITE, d), { threads: 1, comments: 5, existing: 0, skipped: 0 });
    const page = await api(t).list('/أخبار/42', 'sort=oldest');
    assert.equal(page.status, 200);
    assert.equal(page.body.thread.closed, true);
    const list = page.body.comments;
    assert.deepEqual(list.map((c: any) => c.body), ['ظاهر', 'يتيم', 'رد']);
    assert.equal(list[1].parentId, null);
    assert.equal(list[2].parentId, list[1].id);
    const all = (await t.store.exportSite(SITE)).comments;
    assert.deepEqual(all.map((c) => c.status).sort(), ['approved', 'approved', 'approved', 'deleted', 'spam']);
    assert.ok(all.every((c) => c.ipHash === null && c.readerId === null));
  } finally {
    await t.close();
  }
});

// ---- the CLI -----------------------------------------------------------------------------------

function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'taliq-import-'));
  return { dir, db: join(dir, 'taliq.db'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

test('CLI: import a Disqus and a WordPress export, re-import, export as JSON', FX, async () => {
  const tmp = tempDir();
  const env = { TALIQ_DB: tmp.db };
  try {
    assert.equal((await taliq(['sites', 'add', 'akhbar', '--origin', 'https://akhbar.example.ma'], env)).code, 0);
    const first = await taliq(['import', 'disqus', fixturePath('disqus-isso-tests.xml'), '--site', 'akhbar'], env);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /Imported 2 comment\(s\) into 1 thread\(s\) of site "akhbar"; 1 skipped/);
    assert.match(first.stderr, /skipped 6: its thread 1337 is not in the file/);
    const wp = await taliq(['import', 'wordpress', fixturePath('wordpress-remark42-xmlTestWP.xml'), '--site', 'akhbar'], env);
    assert.equal(wp.code, 0, wp.stderr);
    const again = await taliq(['import', 'wordpress', fixturePath('wordpress-remark42-xmlTestWP.xml'), '--site', 'akhbar'], env);
    assert.match(again.stdout, /Imported 0 comment\(s\).*; 3 were already imported/);

    const out = await taliq(['export', '--site', 'akhbar', '--format', 'json'], env);
    assert.equal(out.code, 0, out.stderr);
    const doc = JSON.parse(out.stdout);
    assert.equal(doc.format, 'taliq-export');
    assert.equal(doc.site, 'akhbar');
    assert.deepEqual(doc.threads.map((t: any) => t.key).sort(), ['/', '/2010/07/do-you-rp/']);
    assert.equal(doc.comments.length, 5);
    const reply = doc.comments.find((c: any) => c.body === 'Hello, World.');
    assert.equal(reply.parentId, doc.comments.find((c: any) => c.author.name === 'peter').id);
    assert.equal(reply.author.email, 'foo@bar.com');
    assert.equal(reply.createdAt, '2013-10-11T06:51:33.000Z');
    assert.deepEqual(doc.comments.map((c: any) => c.status).sort(), ['approved', 'approved', 'approved', 'approved', 'pending']);
    assert.equal(doc.comments.some((c: any) => 'ipHash' in c || 'readerId' in c), false);

    const usage = await taliq(['export', '--site', 'akhbar', '--format', 'csv'], env);
    assert.equal(usage.code, 2);
    assert.equal((await taliq(['import', 'disqus', fixturePath('disqus-isso-tests.xml'), '--site', 'nope'], env)).code, 2);
  } finally {
    tmp.remove();
  }
});

test('CLI: a file that is not XML, truncated or missing exits with 1, says why, and writes nothing', async () => {
  const tmp = tempDir();
  const env = { TALIQ_DB: tmp.db };
  try {
    assert.equal((await taliq(['sites', 'add', 'akhbar', '--origin', 'https://akhbar.example.ma'], env)).code, 0);
    const notXml = join(tmp.dir, 'export.json');
    writeFileSync(notXml, '{"threads": []}');
    const truncated = join(tmp.dir, 'cut.xml');
    writeFileSync(truncated, wxr(`<item><link>https://a.ma/x/</link>${wpComment(1, { comment_author: 'a', comment_content: 'تعليق' })}</item>`).slice(0, -40));
    const latin1 = join(tmp.dir, 'latin1.xml');
    writeFileSync(latin1, Buffer.from([0x3c, 0x61, 0x3e, 0xe9, 0x3c, 0x2f, 0x61, 0x3e]));
    const cases: [string[], RegExp][] = [
      [['import', 'disqus', notXml], /taliq: This is not a well-formed Disqus XML file: text before the root element \(line 1, column 1\)\. Nothing was imported\./],
      [['import', 'wordpress', truncated], /taliq: This is not a well-formed WordPress XML file: .*is it truncated\?/],
      [['import', 'wordpress', latin1], /is not UTF-8 text/],
      [['import', 'wordpress', join(tmp.dir, 'missing.xml')], /Cannot read .*missing\.xml/],
    ];
    for (const [args, message] of cases) {
      const res = await taliq([...args, '--site', 'akhbar'], env);
      assert.equal(res.code, 1, res.stderr);
      assert.match(res.stderr, message);
    }
    const doc = JSON.parse((await taliq(['export', '--site', 'akhbar'], env)).stdout);
    assert.deepEqual([doc.threads.length, doc.comments.length], [0, 0]);
  } finally {
    tmp.remove();
  }
});

// ---- Taliq's own export ------------------------------------------------------------------------

test('Taliq export: imported into another site with threads, modes, parents and statuses; again, or back home, adds nothing', async () => {
  const { parseTaliq } = await import('../../packages/server/src/importers/taliq.js');
  const t = await testApp();
  try {
    await importInto(t.store, SITE, parseWordpress(wxr(`<item><link>https://a.ma/x/</link>${wpComment(1, { comment_author: 'أحمد', comment_content: 'أول' })}${wpComment(2, { comment_author: 'سارة', comment_content: 'رد', comment_parent: '1', comment_approved: 'spam' })}</item>`)));
    const thread = (await t.store.getThread(SITE, '/x/'))!;
    await t.store.setThreadMode(thread.id, 'pre');
    const text = JSON.stringify(await exportSite(t.store, SITE));
    await t.store.createSite('copy', (await t.store.getSite(SITE))!.settings);
    const data = parseTaliq(text);
    assert.deepEqual(data.threads.map((x) => [x.key, x.mode]), [['/x/', 'pre']]);
    assert.deepEqual(await importInto(t.store, 'copy', data), { threads: 1, comments: 2, existing: 0, skipped: 0 });
    assert.deepEqual(await importInto(t.store, 'copy', parseTaliq(text)), { threads: 1, comments: 0, existing: 2, skipped: 0 });
    assert.deepEqual(await importInto(t.store, SITE, parseTaliq(text)), { threads: 1, comments: 0, existing: 2, skipped: 0 });
    const copy = await exportSite(t.store, 'copy');
    assert.equal(copy.threads[0].mode, 'pre');
    const [first, reply] = copy.comments;
    assert.deepEqual([first.body, reply.body, reply.status, reply.parentId, reply.rootId], ['أول', 'رد', 'spam', first.id, first.id]);
    for (const [bad, message] of [['{', /not JSON/], ['{"format": "disqus"}', /not a Taliq export.*format/], ['[]', /not a Taliq export/]] as const) {
      assert.throws(() => parseTaliq(bad), (e: Error) => e instanceof ImportError && message.test(e.message) && /Nothing was imported/.test(e.message));
    }
  } finally {
    await t.close();
  }
});
