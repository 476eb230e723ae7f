/**
 * WordPress exports (WXR: Tools → Export) into the neutral import shape.
 *
 * - An <item> (post, page, any type) with comments becomes the Taliq thread keyed by the path of
 *   its <link> (`/?p=4` when the link is `https://example.com/?p=4`); without a link, `/?p=ID`.
 *   A post in the trash is left out with its comments; `comment_status` closed closes the thread.
 * - A <wp:comment> of type '' or `comment` is kept; pingbacks, trackbacks and block notes
 *   (private editorial annotations, WordPress 6.9) are left out: they are not readers' comments.
 * - comment_approved: 1 → approved, 0 → pending, spam → spam, trash / post-trashed → deleted;
 *   anything else → pending.
 * - The date is comment_date_gmt; when it is missing or 0000-00-00, comment_date (the blog's local
 *   time, whose zone the file does not give) is read as UTC.
 * - comment_id repeats across posts, so a comment's source id is `<post id or thread key>:<id>`.
 * - Names and bodies are stored by WordPress with HTML entities: both are decoded; bodies are made
 *   plain text (WordPress keeps line breaks as written, and so do we).
 */
import { LIMITS } from '../../../shared/src/limits.js';
import { authorName, checkEmail, checkKey, checkUrl, finish, keyFromUrl, visible } from './common.js';
import { readXml } from './disqus.js';
import { body, line } from './html.js';
import { ImportError, type ImportComment, type ImportData, type ImportSkip, type ImportStatus, type ImportThread } from './types.js';
import { child, childText, children } from './xml.js';

const DATE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/;

/** A WXR date ("2014-01-14 17:31:03") as UTC milliseconds; null for 0000-00-00 or junk. */
export function parseWpDate(s: string): number | null {
  const m = DATE.exec(s.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, se] = m.slice(1).map(Number);
  if (y === 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return null;
  const ms = Date.UTC(y, mo - 1, d, h, mi, se);
  return new Date(ms).getUTCDate() === d ? ms : null;
}

const STATUS: Record<string, ImportStatus> = { '1': 'approved', approve: 'approved', '0': 'pending', hold: 'pending', spam: 'spam', trash: 'deleted', 'post-trashed': 'deleted' };

export function parseWordpress(text: string): ImportData {
  const root = readXml(text, 'WordPress');
  const channel = child(root, 'channel');
  if (root.name !== 'rss' || !channel) throw new ImportError(`This is not a WordPress export (WXR): its root element is <${root.name}>, not <rss> with a <channel>. Nothing was imported.`);

  const threads = new Map<string, ImportThread>();
  const comments: ImportComment[] = [];
  const skipped: ImportSkip[] = [];
  const seen = new Set<string>();
  for (const item of children(channel, 'item')) {
    const wpComments = children(item, 'wp:comment');
    if (!wpComments.length) continue;
    const postId = childText(item, 'wp:post_id');
    const link = childText(item, 'link');
    const key = checkKey(keyFromUrl(link)) ?? (/^\d+$/.test(postId) ? `/?p=${postId}` : null);
    const itemSkip = !key ? `post ${postId || link || '(no id)'} has neither a link nor an id`
      : childText(item, 'wp:status') === 'trash' ? `post ${postId || key} is in the trash` : null;
    if (!key || itemSkip) {
      for (const c of wpComments) skipped.push({ sourceId: `${postId || '?'}:${childText(c, 'wp:comment_id')}`, reason: itemSkip! });
      continue;
    }
    const scope = /^\d+$/.test(postId) ? postId : key;
    let thread = threads.get(key);
    if (!thread) {
      const title = line(childText(item, 'title'), LIMITS.threadTitleMax, true);
      thread = { key, title: title || null, url: checkUrl(link), closed: childText(item, 'wp:comment_status') === 'closed' };
      threads.set(key, thread);
    }
    for (const c of wpComments) {
      const id = childText(c, 'wp:comment_id');
      const sourceId = `${scope}:${id}`;
      const skip = (reason: string) => skipped.push({ sourceId, reason });
      if (!id) { skip('it has no comment_id'); continue; }
      if (seen.has(sourceId)) { skip('the same id as an earlier comment of this post'); continue; }
      seen.add(sourceId);
      const type = childText(c, 'wp:comment_type');
      if (type !== '' && type !== 'comment') { skip(`a ${type}, not a reader's comment`); continue; }
      const gmt = childText(c, 'wp:comment_date_gmt');
      const createdAt = parseWpDate(gmt) ?? parseWpDate(childText(c, 'wp:comment_date'));
      if (createdAt === null) { skip(`its date "${gmt || childText(c, 'wp:comment_date')}" is not a date`); continue; }
      const status = STATUS[childText(c, 'wp:comment_approved')] ?? 'pending';
      const text = body(childText(c, 'wp:comment_content'), LIMITS.bodyMax);
      if (status !== 'deleted' && !visible(text)) { skip('its text is empty'); continue; }
      const parent = childText(c, 'wp:comment_parent');
      comments.push({
        sourceId,
        threadKey: key,
        parentSourceId: parent && parent !== '0' ? `${scope}:${parent}` : null,
        authorName: authorName(childText(c, 'wp:comment_author'), true),
        authorEmail: checkEmail(childText(c, 'wp:comment_author_email')),
        body: text,
        createdAt,
        status,
      });
    }
  }
  return finish('wordpress', threads, comments, skipped);
}
