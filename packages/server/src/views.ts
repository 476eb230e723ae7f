/**
 * What each audience sees of a stored comment. The public shape never carries an email,
 * an IP address, a hash of either, or a token.
 */
import type { ModeratorComment, OwnComment, PublicComment } from '../../shared/src/index.js';
import type { ListedComment, StoredComment, Thread } from './store/store.js';

const iso = (ms: number | null) => (ms == null ? null : new Date(ms).toISOString());

export const toPublic = (c: ListedComment): PublicComment => ({
  id: c.id,
  parentId: c.parentId,
  author: { name: c.authorName, verified: c.verified },
  body: c.body,
  createdAt: iso(c.createdAt)!,
  editedAt: iso(c.editedAt),
  likes: c.likes,
  dislikes: c.dislikes,
});

/** The author's own view: a comment held as spam looks pending to its author, who is not told. */
export const toOwn = (c: StoredComment): OwnComment => ({
  ...toPublic(c),
  status: c.status === 'spam' ? 'pending' : c.status,
});

export const toModerator = (c: StoredComment, thread: Thread | null): ModeratorComment => ({
  ...toPublic(c),
  author: {
    name: c.authorName,
    verified: c.verified,
    readerId: c.readerId,
    ...(c.authorEmail ? { email: c.authorEmail } : {}),
  },
  status: c.status,
  reasons: c.reasons,
  reports: c.reports,
  flagged: c.flagged,
  thread: { key: thread?.key ?? '', title: thread?.title ?? null, url: thread?.url ?? null },
});
