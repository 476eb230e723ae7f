/**
 * A parsed import cut into requests for POST /admin/sites/{site}/import: at most
 * IMPORT_BATCH_MAX comments each, and small enough for the API's body limit (32 KB). Comments
 * keep their order (parents first), so a reply's parent is in its own batch or an earlier one;
 * `outside` lists the parents the batch needs from earlier batches (sent as `parents`).
 */
import { IMPORT_BATCH_MAX, LIMITS } from '../../../shared/src/index.js';
import type { ImportComment, ImportData, ImportThread } from '../importers/types.js';

export interface ImportBatchPlan {
  threads: ImportThread[];
  comments: ImportComment[];
  outside: string[];
}

/** The comment as the API takes it: times as ISO strings. */
export const wireComment = (c: ImportComment) => ({ ...c, createdAt: new Date(c.createdAt).toISOString() });

const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).length + 1;
// Room for the envelope ({"source":…,"threads":[],…}) and a parent id (at most 40 characters).
const OVERHEAD = 256;
const PARENT_ID = 48;

export function importBatches(data: ImportData, maxBytes = LIMITS.requestBodyMax - 4096, maxItems = IMPORT_BATCH_MAX): ImportBatchPlan[] {
  const threads = new Map(data.threads.map((t) => [t.key, t]));
  const batches: ImportBatchPlan[] = [];
  let batch: ImportBatchPlan | undefined;
  let size = 0;
  let written = new Set<string>();
  for (const c of data.comments) {
    const thread = threads.get(c.threadKey);
    if (!thread) continue; // finish() lists the thread of every comment; a hand-made ImportData may not
    // What adding this comment to `b` costs: itself, its thread and its parent's id when `b` lacks them.
    const cost = (b: ImportBatchPlan | undefined) =>
      bytes(wireComment(c)) + (b?.threads.includes(thread) ? 0 : bytes(thread)) +
      (c.parentSourceId === null || written.has(c.parentSourceId) || b?.outside.includes(c.parentSourceId) ? 0 : bytes(c.parentSourceId) + PARENT_ID);
    const full = (b: ImportBatchPlan) =>
      b.comments.length >= maxItems || (!b.threads.includes(thread) && b.threads.length >= maxItems) || size + cost(b) > maxBytes;
    if (!batch || full(batch)) {
      batch = { threads: [], comments: [], outside: [] };
      batches.push(batch);
      written = new Set();
      size = OVERHEAD;
    }
    size += cost(batch);
    if (!batch.threads.includes(thread)) batch.threads.push(thread);
    if (c.parentSourceId !== null && !written.has(c.parentSourceId) && !batch.outside.includes(c.parentSourceId)) batch.outside.push(c.parentSourceId);
    batch.comments.push(c);
    written.add(c.sourceId);
  }
  return batches;
}
