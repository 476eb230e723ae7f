/**
 * Taliq's own export (`taliq export`, export.ts) into the neutral import shape: to move a site
 * to another server (Node to Workers, SQLite to PostgreSQL) or into another site.
 *
 * - A comment's source id is its id in the export, so importing the same file again adds
 *   nothing, and importing it back into the site it came from finds the comments there.
 * - Threads keep their mode (`pre`, `post`, `closed`) when the thread here is still `open`.
 * - Kept: thread, parent, author name and email, text, status, creation time. Not carried over:
 *   votes, reports, edit times, reasons, the verified mark (imported comments have no reader).
 * - Left out, with the reason: a comment whose thread is not in the file, whose date is not a
 *   date, whose text is empty (unless deleted), or whose id repeats an earlier one's.
 */
import { z } from 'zod';
import { cleanText } from '../../../shared/src/text.js';
import { LIMITS } from '../../../shared/src/limits.js';
import { authorName, checkEmail, checkKey, checkUrl, finish, visible } from './common.js';
import { line, truncate } from './html.js';
import { ImportError, type ImportComment, type ImportData, type ImportSkip, type ImportThread } from './types.js';

const CONTROL = /[\u0000-\u001F\u007F]/;

// Loose objects: a later version may add fields; these are the ones read.
const ExportDoc = z.object({
  format: z.literal('taliq-export'),
  version: z.literal(1),
  threads: z.array(z.object({
    key: z.string(),
    title: z.string().nullable(),
    url: z.string().nullable(),
    mode: z.enum(['open', 'pre', 'post', 'closed']),
  })),
  comments: z.array(z.object({
    id: z.string().min(1).max(1000),
    thread: z.string().nullable(),
    parentId: z.string().nullable(),
    author: z.object({ name: z.string(), email: z.string().nullable() }),
    body: z.string(),
    status: z.enum(['pending', 'approved', 'rejected', 'spam', 'deleted']),
    createdAt: z.string(),
  })),
});

export function parseTaliq(text: string): ImportData {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ImportError(`This is not a Taliq export: it is not JSON (${(e as Error).message}). Nothing was imported.`);
  }
  const doc = ExportDoc.safeParse(json);
  if (!doc.success) {
    const i = doc.error.issues[0];
    throw new ImportError(`This is not a Taliq export (taliq export --site ID): ${i.path.join('.') || 'the document'}: ${i.message}. Nothing was imported.`);
  }

  const threads = new Map<string, ImportThread>();
  for (const t of doc.data.threads) {
    const key = checkKey(t.key);
    if (!key || threads.has(key)) continue;
    const title = t.title === null ? '' : line(t.title, LIMITS.threadTitleMax);
    threads.set(key, {
      key, title: title || null, url: t.url === null ? null : checkUrl(t.url), closed: t.mode === 'closed',
      ...(t.mode !== 'open' ? { mode: t.mode } : {}),
    });
  }

  const comments: ImportComment[] = [];
  const skipped: ImportSkip[] = [];
  const seen = new Set<string>();
  for (const c of doc.data.comments) {
    const skip = (reason: string) => skipped.push({ sourceId: c.id, reason });
    // The id becomes part of an idempotency key, which PostgreSQL could not store with a NUL.
    if (CONTROL.test(c.id)) { skip('its id has control characters'); continue; }
    if (seen.has(c.id)) { skip('the same id as an earlier comment'); continue; }
    seen.add(c.id);
    const key = c.thread === null ? null : checkKey(c.thread);
    if (!key || !threads.has(key)) { skip(`its thread ${c.thread ?? '(none)'} is not in the file`); continue; }
    const createdAt = Date.parse(c.createdAt);
    if (Number.isNaN(createdAt)) { skip(`its date "${c.createdAt}" is not a date`); continue; }
    const body = truncate(cleanText(c.body, true), LIMITS.bodyMax);
    if (c.status !== 'deleted' && !visible(body)) { skip('its text is empty'); continue; }
    comments.push({
      sourceId: c.id,
      threadKey: key,
      parentSourceId: c.parentId,
      authorName: authorName(c.author.name),
      authorEmail: c.author.email === null ? null : checkEmail(c.author.email),
      body,
      createdAt,
      status: c.status,
    });
  }
  return finish('taliq', threads, comments, skipped);
}
