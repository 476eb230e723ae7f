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

/** A comment already in the store, known by its source id. */
export interface ImportedRef {
  id: string;
  rootId: string | null;
  threadId: number;
}

export async function importInto(store: Store, siteId: string, data: ImportData): Promise<ImportResult> {
  const { ids: _ids, ...result } = await importBatch(store, siteId, data);
  return result;
}

/**
 * One batch of an import (the CLI sends a large file over HTTP in batches). `parents`: comments
 * that earlier batches wrote, by source id, for the replies of this one. Answers the counts and,
 * for each comment of `data` that is in the store now, its Taliq id.
 */
export async function importBatch(
  store: Store,
  siteId: string,
  data: ImportData,
  parents: ReadonlyMap<string, ImportedRef> = new Map(),
): Promise<ImportResult & { ids: Map<string, string> }> {
  const threadIds = new Map<string, number>();
  for (const t of data.threads) {
    const thread = await store.ensureThread(siteId, t.key, { title: t.title, url: t.url });
    // A mode set in Taliq since an earlier run stays.
    const mode = t.mode ?? (t.closed ? 'closed' : undefined);
    if (mode && thread.mode === 'open') await store.setThreadMode(thread.id, mode);
    threadIds.set(t.key, thread.id);
  }

  // sourceId → the stored comment's id and root.
  const written = new Map<string, ImportedRef>(parents);
  const ids = new Map<string, string>();
  // A Taliq export imported back into the site it came from: its comments are there already
  // under their own ids (they were not imported, so no idempotency key finds them).
  const present = data.source === 'taliq' ? await sameSiteComments(store, siteId, data.comments.map((c) => c.sourceId)) : new Map<string, ImportedRef>();
  let comments = 0, existing = 0, skipped = data.skipped.length;
  for (const c of data.comments) {
    const threadId = threadIds.get(c.threadKey);
    if (threadId === undefined) {
      skipped++;
      continue;
    }
    const here = present.get(c.sourceId);
    if (here) {
      written.set(c.sourceId, here);
      ids.set(c.sourceId, here.id);
      existing++;
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
    ids.set(c.sourceId, comment.id);
    if (created) comments++;
    else existing++;
  }
  return { threads: threadIds.size, comments, existing, skipped, ids };
}

/** The comments of this site among these ids, read a few hundred at a time. */
async function sameSiteComments(store: Store, siteId: string, ids: string[]) {
  const out = new Map<string, ImportedRef>();
  for (let i = 0; i < ids.length; i += 200) {
    for (const c of await store.getComments(ids.slice(i, i + 200))) {
      if (c.siteId === siteId) out.set(c.id, { id: c.id, rootId: c.rootId, threadId: c.threadId });
    }
  }
  return out;
}
