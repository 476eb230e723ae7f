/**
 * Writes parsed comments (the neutral ImportData shape) into a site of a store.
 *
 * Threads come from ensureThread (an existing thread keeps its title and URL). Comments are
 * written parents first, with new ids; each carries the idempotency key
 * `import:<source>:<sourceId>`, so running the same import again adds nothing: the store answers
 * the comment written the first time, and its id is used for the replies. A reply's root is its
 * top-level ancestor; a reply whose parent did not make it becomes top-level.
 * Emails are kept (moderators see them); IP addresses are not imported.
 */
import { DUPLICATE_MIN_CHARS } from '../abuse/spam-signals.js';
import { randomId, sha256 } from '../crypto.js';
import { normalizeText } from '../moderation/normalize.js';
import type { Store } from '../store/store.js';
import type { ImportData } from './types.js';

export interface ImportResult {
  /** Threads the comments went into (created or already there). */
  threads: number;
  /** Comments written by this run. */
  comments: number;
  /** Comments a previous run of the same import had written already. */
  existing: number;
  /** Comments the file holds that were left out (see ImportData.skipped for why). */
  skipped: number;
}

export async function importInto(store: Store, siteId: string, data: ImportData): Promise<ImportResult> {
  const threadIds = new Map<string, number>();
  for (const t of data.threads) {
    const thread = await store.ensureThread(siteId, t.key, { title: t.title, url: t.url });
    if (t.closed && thread.mode === 'open') await store.setThreadMode(thread.id, 'closed');
    threadIds.set(t.key, thread.id);
  }

  // sourceId → the stored comment's id and root.
  const written = new Map<string, { id: string; rootId: string | null; threadId: number }>();
  let comments = 0, existing = 0, skipped = data.skipped.length;
  for (const c of data.comments) {
    const threadId = threadIds.get(c.threadKey);
    if (threadId === undefined) {
      skipped++;
      continue;
    }
    const parent = c.parentSourceId == null ? undefined : written.get(c.parentSourceId);
    const sameThread = parent && parent.threadId === threadId ? parent : undefined;
    const letters = normalizeText(c.body).replace(/[^\p{L}\p{N}]/gu, '');
    const { comment, created } = await store.insertComment({
      id: randomId(),
      siteId,
      threadId,
      parentId: sameThread?.id ?? null,
      rootId: sameThread ? (sameThread.rootId ?? sameThread.id) : null,
      authorName: c.authorName,
      authorEmail: c.authorEmail,
      readerId: null,
      ipHash: null,
      verified: false,
      body: c.body,
      status: c.status,
      reasons: [],
      flagged: false,
      createdAt: c.createdAt,
      idempotencyKey: `import:${data.source}:${c.sourceId}`,
      searchText: normalizeText(`${c.authorName} ${c.body}`),
      bodyHash: [...letters].length >= DUPLICATE_MIN_CHARS ? await sha256(letters) : null,
    });
    written.set(c.sourceId, { id: comment.id, rootId: comment.rootId, threadId: comment.threadId });
    if (created) comments++;
    else existing++;
  }
  return { threads: threadIds.size, comments, existing, skipped };
}
