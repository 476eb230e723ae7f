/**
 * Rows of either SQL engine as the Store's objects. SQLite and PostgreSQL return the same column
 * names; flags arrive as 0/1 or booleans, so they go through `!!`.
 */
import { DEFAULT_SETTINGS } from '../../../shared/src/index.js';
import type { Ban, ModeratorToken, Removal, Site, SiteSecret, StoredComment, Thread } from './store.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Row = Record<string, any>;

export const toComment = (r: Row): StoredComment => ({
  id: r.id,
  siteId: r.site_id,
  threadId: r.thread_id,
  parentId: r.parent_id,
  rootId: r.root_id,
  authorName: r.author_name,
  authorEmail: r.author_email,
  readerId: r.reader_id,
  verified: !!r.verified,
  body: r.body,
  status: r.status,
  reasons: JSON.parse(r.reasons),
  createdAt: r.created_at,
  editedAt: r.edited_at,
  likes: r.likes,
  dislikes: r.dislikes,
  reports: r.reports,
  flagged: !!r.flagged,
  ipHash: r.ip_hash,
});
export const toBan = (r: Row): Ban => ({
  id: r.id, siteId: r.site_id, readerId: r.reader_id, ipHash: r.ip_hash, coversIp: !!r.covers_ip, shadow: !!r.shadow, reason: r.reason,
  expiresAt: r.expires_at, createdAt: r.created_at, createdBy: r.created_by, liftedAt: r.lifted_at,
});
export const toRemoval = (r: Row): Removal => ({
  siteId: r.site_id, commentId: r.comment_id, status: r.status, threadKey: r.thread_key, threadTitle: r.thread_title,
  threadUrl: r.thread_url, authorName: r.author_name, readerId: r.reader_id, body: r.body, codes: JSON.parse(r.codes),
  reason: r.reason, moderator: r.moderator, createdAt: r.created_at, at: r.at,
});
export const toThread = (r: Row): Thread => ({
  id: r.id, siteId: r.site_id, key: r.key, title: r.title, url: r.url, createdAt: r.created_at, closed: !!r.closed, mode: r.mode,
});
export function toSite(r: Row): Site {
  const stored = JSON.parse(r.settings);
  // Limits added since a site was saved (edits) take their defaults.
  return { id: r.id, settings: { ...DEFAULT_SETTINGS, ...stored, limits: { ...DEFAULT_SETTINGS.limits, ...stored.limits } }, createdAt: r.created_at };
}
export const toToken = (r: Row): ModeratorToken => ({
  id: r.id, siteId: r.site_id, role: r.role, label: r.label, createdAt: r.created_at, revokedAt: r.revoked_at,
});
/** BIGINT columns arrive as strings from pg: read as numbers. */
export const toSiteSecret = (r: Row): SiteSecret => ({
  siteId: r.site_id, kind: r.kind, secret: r.secret, previous: r.previous,
  previousUntil: r.previous_until === null ? null : Number(r.previous_until), rotatedAt: r.rotated_at === null ? null : Number(r.rotated_at),
});
export const parseJson = (s: string | null) => (s == null ? null : JSON.parse(s));

/** Escapes LIKE wildcards so a search for "100%" finds "100%". */
export const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (m) => '\\' + m)}%`;

