/**
 * Moderators' decisions on comments: approve, reject, spam, restore, one comment or many. The
 * routes parse, authorize and answer; the rules live here, beside the posting ones (comments.ts).
 *
 * Each decision is one atomic store write (store.setStatus with `whole`): the status change, the
 * audit entry of every comment, the removal register row of every comment it takes out of view
 * and the live-update event go in together or not at all, and the write decides from the statuses
 * the comments have at that moment, so two instances moderating one comment stay exact.
 */
import type { ModerationAction } from '../../../shared/src/index.js';
import type { Status } from '../../../shared/src/limits.js';
import { ApiError, notFound } from '../errors.js';
import type { Services } from '../context.js';
import type { StoredComment } from '../store/store.js';

export const ACTION_STATUS: Record<ModerationAction, Status> = {
  approve: 'approved',
  reject: 'rejected',
  spam: 'spam',
  // Back to the queue for a fresh decision.
  restore: 'pending',
};

export interface Decision {
  action: ModerationAction;
  /** The moderator's words: to the audit log and, for a removal, to the removal register. */
  reason?: string | null;
}

/** Who decides: a token id, `env` (TALIQ_ADMIN_TOKEN) or `cli`. */
export interface Decider {
  actor: string;
}

const deletedByAuthor = (id: string) => new ApiError(409, 'conflict', `Comment ${id} was deleted by its author`);

/**
 * The comments a bulk decision names, each once, read before anything changes. `authorize` sees
 * every comment found before a missing one is reported: another site's comment is 403 whatever
 * else the list holds.
 */
export async function commentsToModerate(s: Services, ids: string[], authorize: (comment: StoredComment) => void): Promise<StoredComment[]> {
  const unique = [...new Set(ids)];
  const found = await s.store.getComments(unique);
  for (const comment of found) authorize(comment);
  if (found.length !== unique.length) throw notFound('comment', unique.find((id) => !found.some((f) => f.id === id))!);
  return found;
}

/**
 * Applies one decision to every comment, or to none: a comment its author deleted (before, or
 * while this runs) is never brought back, and then nothing changes (409). Answers the comments as
 * they are after the write, by id.
 */
export async function moderateComments(s: Services, by: Decider, comments: StoredComment[], decision: Decision): Promise<StoredComment[]> {
  const deleted = comments.find((c) => c.status === 'deleted');
  if (deleted) throw deletedByAuthor(deleted.id);
  const ids = comments.map((c) => c.id);
  await s.store.setStatus(ids, ACTION_STATUS[decision.action], {
    actor: by.actor, reason: decision.reason ?? null, audit: true, action: `comment.${decision.action}`, at: s.now(), whole: true,
  });
  const after = await s.store.getComments(ids);
  // An author who deleted theirs between the read above and the write: the write left every comment alone.
  const gone = after.find((c) => c.status === 'deleted');
  if (gone) throw deletedByAuthor(gone.id);
  return after;
}

export const moderateComment = async (s: Services, by: Decider, comment: StoredComment, decision: Decision) =>
  (await moderateComments(s, by, [comment], decision))[0];
