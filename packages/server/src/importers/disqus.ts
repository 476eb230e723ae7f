/**
 * Disqus XML exports (Admin → Export) into the neutral import shape.
 *
 * - A <thread> becomes the Taliq thread keyed by the path of its <link> (what the widget uses by
 *   default); a thread without a usable link falls back to its <id> (the disqus_identifier), and
 *   one with neither is left out. Threads with the same key (Disqus often holds http and https,
 *   or www and bare, copies of one page) are merged.
 * - A thread marked <isDeleted>true</isDeleted> is left out with its posts.
 * - A <post> is kept with its <message> made plain text; <isSpam>true</isSpam> makes it spam and
 *   <isDeleted>true</isDeleted> deleted (kept for moderators, never shown). Values other than
 *   `true`/`1` count as false.
 * - A post without a dsq:id uses its <id>, else a hash of its content, as its source id.
 * - Left out, with the reason: a post whose thread is not in the file or was left out, whose date
 *   is not a date, whose text is empty (unless deleted), or whose id repeats an earlier post's.
 * - A reply whose parent is missing becomes a top-level comment.
 */
import { LIMITS } from '../../../shared/src/limits.js';
import { authorName, checkEmail, checkKey, checkUrl, finish, keyFromUrl, stableHash, visible } from './common.js';
import { body, line } from './html.js';
import { ImportError, type ImportComment, type ImportData, type ImportSkip, type ImportThread } from './types.js';
import { child, childText, children, parseXml, XmlError, type XmlElement } from './xml.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;
const yes = (s: string) => s === 'true' || s === '1';

export function parseDisqusDate(s: string): number | null {
  const t = s.trim();
  if (!ISO.test(t)) return null;
  const ms = Date.parse(/Z|[+-]\d{2}:?\d{2}$/.test(t) ? t : `${t}Z`);
  return Number.isNaN(ms) ? null : ms;
}

export function readXml(text: string, what: string): XmlElement {
  try {
    return parseXml(text);
  } catch (e) {
    if (e instanceof XmlError) throw new ImportError(`This is not a well-formed ${what} XML file: ${e.message}. Nothing was imported.`);
    throw e;
  }
}

export function parseDisqus(text: string): ImportData {
  const root = readXml(text, 'Disqus');
  if (root.name !== 'disqus') throw new ImportError(`This is not a Disqus export: its root element is <${root.name}>, not <disqus>. Nothing was imported.`);

  const skipped: ImportSkip[] = [];
  // dsq:id → the thread, or why it cannot take posts.
  const byDsqId = new Map<string, ImportThread | string>();
  const threads = new Map<string, ImportThread>();
  for (const t of children(root, 'thread')) {
    const dsqId = t.attrs['dsq:id'] ?? '';
    const link = childText(t, 'link');
    const key = checkKey(keyFromUrl(link)) ?? checkKey(childText(t, 'id'));
    if (yes(childText(t, 'isDeleted'))) {
      byDsqId.set(dsqId, `thread ${dsqId} was deleted in Disqus`);
      continue;
    }
    if (!key) {
      byDsqId.set(dsqId, `thread ${dsqId} has neither a link nor an id`);
      continue;
    }
    const closed = yes(childText(t, 'isClosed'));
    const title = line(childText(t, 'title'), LIMITS.threadTitleMax);
    const existing = threads.get(key);
    if (existing) {
      existing.closed ||= closed;
      existing.title ??= title || null;
      existing.url ??= checkUrl(link);
    } else {
      threads.set(key, { key, title: title || null, url: checkUrl(link), closed });
    }
    byDsqId.set(dsqId, threads.get(key)!);
  }

  const comments: ImportComment[] = [];
  const seen = new Set<string>();
  for (const p of children(root, 'post')) {
    const threadRef = child(p, 'thread')?.attrs['dsq:id'] ?? '';
    const author = child(p, 'author');
    const message = childText(p, 'message');
    const createdText = childText(p, 'createdAt');
    const sourceId = p.attrs['dsq:id'] || (childText(p, 'id') ? `id:${childText(p, 'id')}` : `hash:${stableHash([threadRef, createdText, childText(author, 'name'), message].join('\n'))}`);
    const skip = (reason: string) => skipped.push({ sourceId, reason });
    if (seen.has(sourceId)) { skip('the same id as an earlier post'); continue; }
    seen.add(sourceId);
    const thread = byDsqId.get(threadRef);
    if (thread === undefined) { skip(`its thread ${threadRef || '(none)'} is not in the file`); continue; }
    if (typeof thread === 'string') { skip(thread); continue; }
    const createdAt = parseDisqusDate(createdText);
    if (createdAt === null) { skip(`its date "${createdText}" is not a date`); continue; }
    const deleted = yes(childText(p, 'isDeleted'));
    const text = body(message, LIMITS.bodyMax);
    if (!deleted && !visible(text)) { skip('its text is empty'); continue; }
    comments.push({
      sourceId,
      threadKey: thread.key,
      parentSourceId: child(p, 'parent')?.attrs['dsq:id'] || null,
      authorName: authorName(childText(author, 'name')),
      authorEmail: checkEmail(childText(author, 'email')),
      body: text,
      createdAt,
      status: deleted ? 'deleted' : yes(childText(p, 'isSpam')) ? 'spam' : 'approved',
    });
  }
  return finish('disqus', threads, comments, skipped);
}
