/**
 * The storage interface. Asynchronous, so that SQLite (embedded), PostgreSQL (shared by several
 * API instances) and D1 (Workers) can each implement it without the routes changing.
 * Times are milliseconds since the epoch; the routes turn them into ISO strings.
 */
import type { QueueStatus, Reason, Role, SiteSettings, Sort } from '../../../shared/src/index.js';
import type { Status } from '../../../shared/src/limits.js';

export interface Site {
  id: string;
  settings: SiteSettings;
  createdAt: number;
}

/** A thread's own rule: `open` follows the site's moderation setting. */
export type ThreadMode = 'open' | 'pre' | 'post' | 'closed';

export interface Thread {
  id: number;
  siteId: string;
  key: string;
  title: string | null;
  url: string | null;
  createdAt: number;
  closed: boolean;
  mode: ThreadMode;
}

export interface NewThread {
  siteId: string;
  key: string;
  title: string | null;
  url: string | null;
}

export interface StoredComment {
  id: string;
  siteId: string;
  threadId: number;
  parentId: string | null;
  /** The top-level comment a reply belongs to (itself for a top-level comment is null). */
  rootId: string | null;
  authorName: string;
  authorEmail: string | null;
  readerId: string | null;
  verified: boolean;
  body: string;
  status: Status;
  reasons: Reason[];
  createdAt: number;
  editedAt: number | null;
  likes: number;
  dislikes: number;
  reports: number;
  /** In the flagged queue: reported enough, or holding a suspect word. */
  flagged: boolean;
  /** Keyed hash of the author's IP address, for bans. */
  ipHash: string | null;
}

/** What a thread listing needs of a comment: the public fields, read without the rest. */
export type ListedComment = Pick<StoredComment, 'id' | 'parentId' | 'rootId' | 'authorName' | 'verified' | 'body' | 'createdAt' | 'editedAt' | 'likes' | 'dislikes'>;
/** The columns behind ListedComment, plus `hot` for the popular cursor. */
export const LISTED_COLUMNS = 'id, parent_id, root_id, author_name, verified, body, created_at, edited_at, likes, dislikes, hot';
export const toListed = (r: Record<string, any>): ListedComment => ({
  id: r.id, parentId: r.parent_id, rootId: r.root_id, authorName: r.author_name, verified: !!r.verified, body: r.body,
  createdAt: r.created_at, editedAt: r.edited_at, likes: r.likes, dislikes: r.dislikes,
});

export type NewStoredComment = Omit<StoredComment, 'likes' | 'dislikes' | 'reports' | 'editedAt'> & {
  /** With the site, makes a repeated POST answer with the first comment. */
  idempotencyKey: string | null;
  /** normalizeText() of the author's name and the body, for search. */
  searchText: string;
  /** Hash of the normalized body, for duplicate detection; null for short bodies. */
  bodyHash?: string | null;
};

export interface CommentPatch {
  body: string;
  searchText: string;
  editedAt: number;
  status: Status;
  reasons: Reason[];
  flagged: boolean;
}

export interface Ban {
  id: string;
  siteId: string;
  readerId: string;
  /** Keyed hash of the address (IPv6: its /64) the ban also covers; forgotten once the ban ends. */
  ipHash: string | null;
  /** The moderator asked for the address to be covered (stays true after the hash is purged). */
  coversIp: boolean;
  shadow: boolean;
  reason: string | null;
  expiresAt: number | null;
  createdAt: number;
  createdBy: string;
  liftedAt: number | null;
}

export interface Removal {
  siteId: string;
  commentId: string;
  status: Status;
  threadKey: string;
  threadTitle: string | null;
  threadUrl: string | null;
  authorName: string;
  readerId: string | null;
  /** The text as it was when removed. */
  body: string;
  /** The comment's automatic reason codes at the time. */
  codes: string[];
  /** The moderator's words, if any. */
  reason: string | null;
  /** Token id, `env`, `cli` or `author`. */
  moderator: string;
  createdAt: number;
  at: number;
}

export type EventType = 'comment.approved' | 'comment.edited' | 'comment.removed';

/** One entry of a thread's event log, read by the live-update stream. */
export interface ThreadEvent {
  id: number;
  type: EventType;
  commentId: string;
  at: number;
}

export interface VoteResult {
  likes: number;
  dislikes: number;
  value: -1 | 0 | 1;
}

export interface ReportResult {
  /** false when this reader had reported this comment already. */
  created: boolean;
  reports: number;
  /** The report that made the comment reach the site's threshold. */
  newlyFlagged: boolean;
}

/** Position after the last row of a page; opaque to clients (the routes sign it). */
export interface Cursor {
  /** created_at, or for `popular` the score then created_at. */
  t: number;
  s?: number;
  id: string;
}

export interface Page<T> {
  items: T[];
  next: Cursor | null;
}

export interface ThreadPage {
  /** Top-level approved comments of this page, in the requested order. */
  top: ListedComment[];
  /** Approved replies of those top-level comments, oldest first: the first `repliesPer` of each. */
  replies: ListedComment[];
  next: Cursor | null;
  /** Approved replies left out, by top-level comment id (only those with some); listReplies pages through them. */
  moreReplies: Record<string, number>;
}

/** Replies of one top-level comment per page: a thread page, or a page of listReplies. */
export const REPLIES_PER_PAGE = 50;

export interface RepliesPage {
  /** Approved replies after the cursor, oldest first. */
  replies: ListedComment[];
  /** The last reply of this page, when more follow. */
  next: Cursor | null;
  /** How many approved replies follow this page. */
  more: number;
}

export interface ModeratorToken {
  id: string;
  /** null: an admin token valid for every site. */
  siteId: string | null;
  /** What it may do on its site; an admin token is an owner whatever this says. */
  role: Role;
  label: string | null;
  createdAt: number;
  revokedAt: number | null;
}

export interface AuditEntry {
  id: number;
  siteId: string | null;
  actor: string;
  action: string;
  target: string | null;
  before: unknown;
  after: unknown;
  at: number;
}

export type NewAuditEntry = Omit<AuditEntry, 'id'>;

/** `sso` signs readers' sign-in tokens (HS256); `webhook` signs the webhook's deliveries. */
export type SecretKind = 'sso' | 'webhook';

/** One of a site's secrets, with the one it replaced while that still verifies. */
export interface SiteSecret {
  siteId: string;
  kind: SecretKind;
  secret: string;
  /** The secret before the last rotation; it verifies until `previousUntil` (not at that moment). */
  previous: string | null;
  previousUntil: number | null;
  rotatedAt: number | null;
}

export interface Store {
  readonly engine: 'sqlite' | 'postgres' | 'd1';

  ping(): Promise<void>;
  getMeta(key: string): Promise<string | null>;
  /** Sets the value unless one is there; answers the value that is stored. */
  initMeta(key: string, value: string): Promise<string>;

  getSite(id: string): Promise<Site | null>;
  listSites(): Promise<Site[]>;
  /** Fails with `conflict` when the id is taken. A new site gets random secrets of every kind. */
  createSite(id: string, settings: SiteSettings): Promise<Site>;
  updateSiteSettings(id: string, settings: SiteSettings): Promise<Site>;

  /** The stored secret; null for no such site, or a site made before secrets were stored. */
  getSiteSecret(siteId: string, kind: SecretKind): Promise<SiteSecret | null>;
  /**
   * Stores `secret` unless the site has one of this kind, and answers the one stored (the first
   * writer's, when two race); null when there is no such site.
   */
  initSiteSecret(siteId: string, kind: SecretKind, secret: string): Promise<SiteSecret | null>;
  /**
   * Makes `secret` current and the current one `previous` until `previousUntil`, in one atomic
   * write; a site with none stored first gets `initial` (what it used before), so that is the one
   * kept. Answers the stored secret; null when there is no such site.
   */
  rotateSiteSecret(siteId: string, kind: SecretKind, r: { secret: string; initial: string; at: number; previousUntil: number }): Promise<SiteSecret | null>;

  getThread(siteId: string, key: string): Promise<Thread | null>;
  getThreadById(id: number): Promise<Thread | null>;
  /** The thread, created with this title and URL when it does not exist yet (importers, tests). */
  ensureThread(siteId: string, key: string, meta: { title: string | null; url: string | null }): Promise<Thread>;

  /**
   * Inserts the comment, or answers the comment stored earlier under the same idempotency key.
   * With `newThread`, the thread is created in the same transaction (input.threadId is ignored),
   * so a refused comment never leaves an empty thread behind.
   */
  insertComment(input: NewStoredComment, newThread?: NewThread): Promise<{ comment: StoredComment; created: boolean }>;
  getComment(id: string): Promise<StoredComment | null>;
  getComments(ids: string[]): Promise<StoredComment[]>;
  listThread(threadId: number, sort: Sort, limit: number, after: Cursor | null, repliesPer?: number): Promise<ThreadPage>;
  /** Approved replies of top-level comment `rootId` after `after` (created_at, id), oldest first. */
  listReplies(rootId: string, after: Cursor | null, limit: number): Promise<RepliesPage>;
  countApproved(threadId: number): Promise<number>;
  updateComment(id: string, patch: CommentPatch): Promise<void>;
  /** Statuses of the reader's last decided comments (approved, rejected, spam), newest first. */
  readerHistory(siteId: string, readerId: string, limit: number): Promise<Status[]>;
  /** Whether the thread has a comment (not deleted) with this body hash since `since`. */
  hasDuplicate(threadId: number, bodyHash: string, since: number): Promise<boolean>;
  /** The reader's most recent comment on the site. */
  lastCommentBy(siteId: string, readerId: string): Promise<StoredComment | null>;
  setThreadMode(threadId: number, mode: ThreadMode): Promise<void>;

  /** Sets (or with 0 removes) this reader's vote; the comment's counts and popular score follow. */
  vote(commentId: string, readerId: string, value: -1 | 0 | 1, at: number): Promise<VoteResult>;
  /**
   * A thread's events after `afterId`, oldest first. Status changes and edits of approved comments
   * are logged by the store itself, in the same transaction as the change.
   */
  listEvents(threadId: number, afterId: number, limit: number): Promise<ThreadEvent[]>;
  lastEventId(threadId: number): Promise<number>;

  addReport(report: { commentId: string; readerId: string; reason: string; note: string | null; at: number }, threshold: number): Promise<ReportResult>;

  createBan(ban: Ban): Promise<void>;
  listBans(siteId: string): Promise<Ban[]>;
  liftBan(siteId: string, id: string, at: number): Promise<boolean>;
  /** A ban in force on this reader id or IP hash, shadow bans included. */
  activeBan(siteId: string, readerId: string | null, ipHash: string | null, now: number): Promise<Ban | null>;

  listRemovals(siteId: string, from: number, to: number): Promise<Removal[]>;

  /** `q` is already normalized (normalizeText) and matched against each comment's search text. */
  listQueue(siteId: string, status: QueueStatus, limit: number, after: Cursor | null, q: string | null): Promise<Page<StoredComment>>;
  queueCounts(siteId: string): Promise<Record<QueueStatus, number>>;
  /**
   * Sets the status of each comment, except comments their authors deleted (never brought back),
   * and answers the comments as read just before. With `by`, the same atomic write adds the audit
   * entries (`by.audit`) and, for a removal (rejected, spam, deleted), the removal register rows of
   * the comments whose status changes, from the status each had at that moment.
   */
  setStatus(ids: string[], status: Status, by?: StatusChange): Promise<StoredComment[]>;

  /** Every thread and comment of a site, every status, oldest first (`taliq export`: backups, migration). */
  exportSite(siteId: string): Promise<{ threads: Thread[]; comments: StoredComment[] }>;
  /** Every comment written with this email address, on every site (privacy export). */
  commentsByEmail(email: string): Promise<(StoredComment & { threadKey: string })[]>;
  /** Erases what identifies the author of each comment written with this email; answers their ids. */
  eraseByEmail(email: string, at: number): Promise<{ id: string; siteId: string }[]>;
  /**
   * Forgets the IP hashes of comments older than `before`, and those of bans no longer in force
   * (lifted, or expired by `now`); a ban in force keeps its own copy.
   */
  purgeIpHashes(before: number, now: number): Promise<number>;

  createToken(token: ModeratorToken & { hash: string }): Promise<void>;
  findTokenByHash(hash: string): Promise<ModeratorToken | null>;
  listTokens(siteId?: string): Promise<ModeratorToken[]>;
  revokeToken(id: string, at: number): Promise<boolean>;

  addAudit(entry: NewAuditEntry): Promise<void>;
  listAudit(siteId: string, limit: number, beforeId: number | null): Promise<AuditEntry[]>;

  /** Queues a webhook delivery, due at `at`. */
  enqueueWebhook(w: { siteId: string; event: string; body: string; at: number }): Promise<void>;
  /**
   * Takes up to `limit` due deliveries for `leaseMs` under the caller's `lease` id; a delivery
   * taken by another caller whose lease has not run out is left alone.
   */
  claimWebhooks(now: number, limit: number, leaseMs: number, lease: string): Promise<OutboxItem[]>;
  /** Ends a claimed delivery: done (delivered, or given up), or due again at `nextAt`. */
  settleWebhook(id: number, lease: string, outcome: { done: true; at: number; error?: string } | { done: false; nextAt: number; error: string }): Promise<void>;

  close(): Promise<void>;
}

/** Who changes a status, for the audit log and the removal register. */
export interface StatusChange {
  /** A token id, `env`, `cli` or `author`. */
  actor: string;
  /** The moderator's words, if any. */
  reason?: string | null;
  /** Write an audit entry per comment (moderators' actions; not an author deleting their own). */
  audit?: boolean;
  /** The audit action; `comment.<status>` by default. */
  action?: string;
  at?: number;
  /**
   * All or none (a moderator's decision): when any of the ids is unknown or deleted at the moment
   * of the write, nothing is written, neither status, audit, removal nor event.
   */
  whole?: boolean;
}

export interface OutboxItem {
  id: number;
  siteId: string;
  event: string;
  /** The JSON payload, as it will be signed and sent. */
  body: string;
  /** Attempts so far, this one included. */
  attempts: number;
  createdAt: number;
}
