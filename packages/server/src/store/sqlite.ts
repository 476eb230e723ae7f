/**
 * The embedded store: one SQLite file through better-sqlite3, in WAL mode with
 * synchronous=FULL so that a comment acknowledged with 201 survives a crash or a power loss.
 * better-sqlite3 is synchronous; each method is async to honour the Store interface.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { QueueStatus, SiteSettings, Sort } from '../../../shared/src/index.js';
import type { Status } from '../../../shared/src/limits.js';
import { ApiError } from '../errors.js';
import { sqliteMigrations } from './sqlite-migrations.js';
import { hotScore } from './hot.js';
import { LISTED_COLUMNS, toListed } from './store.js';
import { likePattern, parseJson, toBan, toComment, toRemoval, toSite, toThread, toToken, type Row } from './rows.js';
import type { EventType, ThreadEvent, VoteResult, NewThread, AuditEntry, Ban, CommentPatch, Cursor, ModeratorToken, NewAuditEntry, NewStoredComment, Page, Removal, ReportResult, Store, StoredComment, ThreadMode, ThreadPage } from './store.js';


export function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const done = new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]);
  sqliteMigrations.forEach((sql, i) => {
    const version = i + 1;
    if (done.has(version)) return;
    db.transaction(() => {
      db.exec(sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(version, Date.now());
    })();
  });
}

export async function openSqliteStore(path: string): Promise<Store> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // FULL: the WAL is synced on every commit, so an acknowledged comment survives power loss.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return new SqliteStore(db);
}

class SqliteStore implements Store {
  readonly engine = 'sqlite' as const;
  constructor(private readonly db: Database.Database) {}

  private readonly statements = new Map<string, Database.Statement>();
  /** Prepared once, reused: preparing is most of the cost of a small query. */
  private q(sql: string) {
    let st = this.statements.get(sql);
    if (!st) this.statements.set(sql, (st = this.db.prepare(sql)));
    return st;
  }

  async ping() {
    this.q('SELECT 1').get();
  }

  async getMeta(key: string) {
    return (this.q('SELECT value FROM meta WHERE key = ?').pluck().get(key) as string | undefined) ?? null;
  }

  async initMeta(key: string, value: string) {
    this.q('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING').run(key, value);
    return (await this.getMeta(key))!;
  }

  async getSite(id: string) {
    const r = this.q('SELECT * FROM sites WHERE id = ?').get(id) as Row | undefined;
    return r ? toSite(r) : null;
  }

  async listSites() {
    return (this.q('SELECT * FROM sites ORDER BY id').all() as Row[]).map(toSite);
  }

  async createSite(id: string, settings: SiteSettings) {
    const now = Date.now();
    const r = this.q('INSERT INTO sites (id, settings, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING').run(id, JSON.stringify(settings), now);
    if (r.changes === 0) throw new ApiError(409, 'conflict', `Site "${id}" exists already`);
    return { id, settings, createdAt: now };
  }

  async updateSiteSettings(id: string, settings: SiteSettings) {
    this.q('UPDATE sites SET settings = ? WHERE id = ?').run(JSON.stringify(settings), id);
    return (await this.getSite(id))!;
  }

  async getThread(siteId: string, key: string) {
    const r = this.q('SELECT * FROM threads WHERE site_id = ? AND key = ?').get(siteId, key) as Row | undefined;
    return r ? toThread(r) : null;
  }

  async getThreadById(id: number) {
    const r = this.q('SELECT * FROM threads WHERE id = ?').get(id) as Row | undefined;
    return r ? toThread(r) : null;
  }

  async ensureThread(siteId: string, key: string, meta: { title: string | null; url: string | null }) {
    this.q('INSERT INTO threads (site_id, key, title, url, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (site_id, key) DO NOTHING')
      .run(siteId, key, meta.title, meta.url, Date.now());
    return (await this.getThread(siteId, key))!;
  }

  async insertComment(input: NewStoredComment, newThread?: NewThread) {
    return this.db.transaction(() => {
      if (input.idempotencyKey) {
        const earlier = this.q('SELECT * FROM comments WHERE site_id = ? AND idempotency_key = ?').get(input.siteId, input.idempotencyKey) as Row | undefined;
        if (earlier) return { comment: toComment(earlier), created: false };
      }
      let c = input;
      if (newThread) {
        this.q('INSERT INTO threads (site_id, key, title, url, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (site_id, key) DO NOTHING')
          .run(newThread.siteId, newThread.key, newThread.title, newThread.url, input.createdAt);
        c = { ...input, threadId: this.q('SELECT id FROM threads WHERE site_id = ? AND key = ?').pluck().get(newThread.siteId, newThread.key) as number };
      }
      this.q(`INSERT INTO comments (id, site_id, thread_id, parent_id, root_id, author_name, author_email, reader_id,
                verified, body, status, reasons, created_at, idempotency_key, search_text, ip_hash, flagged, hot, body_hash)
              VALUES (@id, @siteId, @threadId, @parentId, @rootId, @authorName, @authorEmail, @readerId,
                @verified, @body, @status, @reasons, @createdAt, @idempotencyKey, @searchText, @ipHash, @flagged, @hot, @bodyHash)`)
        .run({ ...c, verified: c.verified ? 1 : 0, flagged: c.flagged ? 1 : 0, reasons: JSON.stringify(c.reasons), hot: hotScore(0, 0, c.createdAt), bodyHash: c.bodyHash ?? null });
      if (c.status === 'approved') this.logEvent(c.threadId, 'comment.approved', c.id, c.createdAt);
      const { idempotencyKey: _k, searchText: _s, bodyHash: _h, ...stored } = c;
      return { comment: { ...stored, editedAt: null, likes: 0, dislikes: 0, reports: 0 }, created: true };
    }).immediate();
  }

  async getComment(id: string) {
    const r = this.q('SELECT * FROM comments WHERE id = ?').get(id) as Row | undefined;
    return r ? toComment(r) : null;
  }

  async getComments(ids: string[]) {
    if (ids.length === 0) return [];
    const rows = this.q(`SELECT * FROM comments WHERE id IN (SELECT value FROM json_each(?))`).all(JSON.stringify(ids)) as Row[];
    return rows.map(toComment);
  }

  async listThread(threadId: number, sort: Sort, limit: number, after: Cursor | null): Promise<ThreadPage> {
    const base = `SELECT ${LISTED_COLUMNS} FROM comments WHERE thread_id = ? AND status = 'approved' AND parent_id IS NULL`;
    let rows: Row[];
    if (sort === 'popular') {
      rows = after
        ? this.q(`${base} AND (hot, created_at, id) < (?, ?, ?) ORDER BY hot DESC, created_at DESC, id DESC LIMIT ?`)
            .all(threadId, after.s ?? 0, after.t, after.id, limit + 1) as Row[]
        : this.q(`${base} ORDER BY hot DESC, created_at DESC, id DESC LIMIT ?`).all(threadId, limit + 1) as Row[];
    } else {
      const [cmp, dir] = sort === 'oldest' ? ['>', 'ASC'] : ['<', 'DESC'];
      rows = after
        ? this.q(`${base} AND (created_at, id) ${cmp} (?, ?) ORDER BY created_at ${dir}, id ${dir} LIMIT ?`).all(threadId, after.t, after.id, limit + 1) as Row[]
        : this.q(`${base} ORDER BY created_at ${dir}, id ${dir} LIMIT ?`).all(threadId, limit + 1) as Row[];
    }
    const top = rows.slice(0, limit).map(toListed);
    const last = top[top.length - 1];
    const lastRow = rows[top.length - 1];
    const next = rows.length > limit && last ? { t: last.createdAt, s: sort === 'popular' ? (lastRow.hot as number) : undefined, id: last.id } : null;
    const replies = top.length
      ? (this.q(`SELECT ${LISTED_COLUMNS} FROM comments WHERE status = 'approved' AND root_id IN (SELECT value FROM json_each(?)) ORDER BY created_at, id`)
          .all(JSON.stringify(top.map((c) => c.id))) as Row[]).map(toListed)
      : [];
    return { top, replies, next };
  }

  async countApproved(threadId: number) {
    // Replies under a removed top-level comment are not shown, so they are not counted.
    return this.q(`SELECT count(*) FROM comments c WHERE c.thread_id = ? AND c.status = 'approved'
                     AND (c.root_id IS NULL OR EXISTS (SELECT 1 FROM comments r WHERE r.id = c.root_id AND r.status = 'approved'))`)
      .pluck().get(threadId) as number;
  }

  async updateComment(id: string, p: CommentPatch) {
    this.db.transaction(() => {
      const before = this.q('SELECT thread_id, status FROM comments WHERE id = ?').get(id) as Row | undefined;
      this.q('UPDATE comments SET body = ?, search_text = ?, edited_at = ?, status = ?, reasons = ?, flagged = ? WHERE id = ?')
        .run(p.body, p.searchText, p.editedAt, p.status, JSON.stringify(p.reasons), p.flagged ? 1 : 0, id);
      if (before?.status === 'approved') {
        this.logEvent(before.thread_id, p.status === 'approved' ? 'comment.edited' : 'comment.removed', id, p.editedAt);
      } else if (before && p.status === 'approved') this.logEvent(before.thread_id, 'comment.approved', id, p.editedAt);
    }).immediate();
  }

  private logEvent(threadId: number, type: EventType, commentId: string, at: number) {
    this.q('INSERT INTO events (thread_id, type, comment_id, at) VALUES (?, ?, ?, ?)').run(threadId, type, commentId, at);
  }

  async listEvents(threadId: number, afterId: number, limit: number): Promise<ThreadEvent[]> {
    return (this.q('SELECT id, type, comment_id, at FROM events WHERE thread_id = ? AND id > ? ORDER BY id LIMIT ?').all(threadId, afterId, limit) as Row[])
      .map((r) => ({ id: r.id, type: r.type, commentId: r.comment_id, at: r.at }));
  }

  async lastEventId(threadId: number) {
    return (this.q('SELECT max(id) FROM events WHERE thread_id = ?').pluck().get(threadId) as number | null) ?? 0;
  }

  async vote(commentId: string, readerId: string, value: -1 | 0 | 1, at: number): Promise<VoteResult> {
    return this.db.transaction(() => {
      if (value === 0) this.q('DELETE FROM votes WHERE comment_id = ? AND reader_id = ?').run(commentId, readerId);
      else {
        this.q('INSERT INTO votes (comment_id, reader_id, value, at) VALUES (?, ?, ?, ?) ON CONFLICT (comment_id, reader_id) DO UPDATE SET value = excluded.value, at = excluded.at')
          .run(commentId, readerId, value, at);
      }
      const counts = this.q(`SELECT coalesce(sum(value = 1), 0) AS likes, coalesce(sum(value = -1), 0) AS dislikes FROM votes WHERE comment_id = ?`).get(commentId) as Row;
      const created = this.q('SELECT created_at FROM comments WHERE id = ?').pluck().get(commentId) as number;
      this.q('UPDATE comments SET likes = ?, dislikes = ?, hot = ? WHERE id = ?').run(counts.likes, counts.dislikes, hotScore(counts.likes, counts.dislikes, created), commentId);
      return { likes: counts.likes, dislikes: counts.dislikes, value };
    }).immediate();
  }

  async readerHistory(siteId: string, readerId: string, limit: number) {
    return this.q(`SELECT status FROM comments WHERE site_id = ? AND reader_id = ? AND status IN ('approved', 'rejected', 'spam')
                   ORDER BY created_at DESC LIMIT ?`).pluck().all(siteId, readerId, limit) as Status[];
  }

  async hasDuplicate(threadId: number, bodyHash: string, since: number) {
    return !!this.q(`SELECT 1 FROM comments WHERE thread_id = ? AND body_hash = ? AND created_at >= ? AND status != 'deleted' LIMIT 1`).get(threadId, bodyHash, since);
  }

  async lastCommentBy(siteId: string, readerId: string) {
    const r = this.q('SELECT * FROM comments WHERE site_id = ? AND reader_id = ? ORDER BY created_at DESC LIMIT 1').get(siteId, readerId) as Row | undefined;
    return r ? toComment(r) : null;
  }

  async setThreadMode(threadId: number, mode: ThreadMode) {
    this.q('UPDATE threads SET mode = ?, closed = ? WHERE id = ?').run(mode, mode === 'closed' ? 1 : 0, threadId);
  }

  async addReport(r: { commentId: string; readerId: string; reason: string; note: string | null; at: number }, threshold: number): Promise<ReportResult> {
    return this.db.transaction(() => {
      const created = this.q('INSERT INTO reports (comment_id, reader_id, reason, note, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING')
        .run(r.commentId, r.readerId, r.reason, r.note, r.at).changes > 0;
      if (created) this.q('UPDATE comments SET reports = reports + 1 WHERE id = ?').run(r.commentId);
      const c = this.q('SELECT reports, flagged, status, reasons FROM comments WHERE id = ?').get(r.commentId) as Row;
      const newlyFlagged = created && !c.flagged && c.reports >= threshold && (c.status === 'approved' || c.status === 'pending');
      if (newlyFlagged) {
        const reasons = (JSON.parse(c.reasons) as { code: string }[]).filter((x) => x.code !== 'reports');
        reasons.push({ code: 'reports', detail: String(c.reports) } as never);
        this.q('UPDATE comments SET flagged = 1, reasons = ? WHERE id = ?').run(JSON.stringify(reasons), r.commentId);
      }
      return { created, reports: c.reports, newlyFlagged };
    }).immediate();
  }

  async createBan(b: Ban) {
    this.q(`INSERT INTO bans (id, site_id, reader_id, ip_hash, shadow, reason, expires_at, created_at, created_by, lifted_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(b.id, b.siteId, b.readerId, b.ipHash, b.shadow ? 1 : 0, b.reason, b.expiresAt, b.createdAt, b.createdBy, b.liftedAt);
  }

  async listBans(siteId: string) {
    return (this.q('SELECT * FROM bans WHERE site_id = ? ORDER BY created_at DESC').all(siteId) as Row[]).map(toBan);
  }

  async liftBan(siteId: string, id: string, at: number) {
    return this.q('UPDATE bans SET lifted_at = ? WHERE site_id = ? AND id = ? AND lifted_at IS NULL').run(at, siteId, id).changes > 0;
  }

  async activeBan(siteId: string, readerId: string | null, ipHash: string | null, now: number) {
    const r = this.q(`SELECT * FROM bans WHERE site_id = ? AND lifted_at IS NULL AND (expires_at IS NULL OR expires_at > ?)
                        AND (reader_id = ? OR ip_hash = ?)
                      ORDER BY shadow ASC LIMIT 1`).get(siteId, now, readerId, ipHash) as Row | undefined;
    return r ? toBan(r) : null;
  }

  async addRemovals(removals: Removal[]) {
    const insert = this.q(`INSERT INTO removals (site_id, comment_id, status, thread_key, thread_title, thread_url, author_name, reader_id,
                             body, codes, reason, moderator, created_at, at)
                           VALUES (@siteId, @commentId, @status, @threadKey, @threadTitle, @threadUrl, @authorName, @readerId,
                             @body, @codes, @reason, @moderator, @createdAt, @at)`);
    this.db.transaction(() => {
      for (const r of removals) insert.run({ ...r, codes: JSON.stringify(r.codes) });
    })();
  }

  async listRemovals(siteId: string, from: number, to: number) {
    return (this.q('SELECT * FROM removals WHERE site_id = ? AND at >= ? AND at < ? ORDER BY at, id').all(siteId, from, to) as Row[]).map(toRemoval);
  }

  async listQueue(siteId: string, status: QueueStatus, limit: number, after: Cursor | null, q: string | null): Promise<Page<StoredComment>> {
    const where = [status === 'flagged' ? 'site_id = ? AND flagged = 1' : 'site_id = ? AND status = ?'];
    const args: unknown[] = status === 'flagged' ? [siteId] : [siteId, status];
    if (after) {
      where.push('(created_at, id) < (?, ?)');
      args.push(after.t, after.id);
    }
    if (q) {
      where.push(`search_text LIKE ? ESCAPE '\\'`);
      args.push(likePattern(q));
    }
    const rows = this.q(`SELECT * FROM comments WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT ?`).all(...args, limit + 1) as Row[];
    const items = rows.slice(0, limit).map(toComment);
    const last = items[items.length - 1];
    return { items, next: rows.length > limit && last ? { t: last.createdAt, id: last.id } : null };
  }

  async queueCounts(siteId: string) {
    const counts: Record<QueueStatus, number> = { pending: 0, approved: 0, rejected: 0, spam: 0, flagged: 0 };
    for (const r of this.q('SELECT status, count(*) AS n FROM comments WHERE site_id = ? GROUP BY status').all(siteId) as Row[]) {
      if (r.status in counts) counts[r.status as QueueStatus] = r.n;
    }
    counts.flagged = this.q('SELECT count(*) FROM comments WHERE site_id = ? AND flagged = 1').pluck().get(siteId) as number;
    return counts;
  }

  async setStatus(ids: string[], status: Status) {
    return this.db.transaction(() => {
      const before = (this.q(`SELECT * FROM comments WHERE id IN (SELECT value FROM json_each(?))`).all(JSON.stringify(ids)) as Row[]).map(toComment);
      // A moderator's decision settles the reports: the comment leaves the flagged queue.
      this.q(`UPDATE comments SET status = ?, flagged = 0 WHERE id IN (SELECT value FROM json_each(?))`).run(status, JSON.stringify(ids));
      const now = Date.now();
      for (const b of before) {
        if (b.status !== 'approved' && status === 'approved') this.logEvent(b.threadId, 'comment.approved', b.id, now);
        if (b.status === 'approved' && status !== 'approved') this.logEvent(b.threadId, 'comment.removed', b.id, now);
      }
      return before;
    }).immediate();
  }

  async exportSite(siteId: string) {
    const threads = (this.q('SELECT * FROM threads WHERE site_id = ? ORDER BY id').all(siteId) as Row[]).map(toThread);
    const comments = (this.q('SELECT * FROM comments WHERE site_id = ? ORDER BY created_at, id').all(siteId) as Row[]).map(toComment);
    return { threads, comments };
  }

  async commentsByEmail(email: string) {
    const rows = this.q(`SELECT c.*, t.key AS thread_key FROM comments c JOIN threads t ON t.id = c.thread_id
                         WHERE c.author_email = ? COLLATE NOCASE ORDER BY c.created_at`).all(email) as Row[];
    return rows.map((r) => ({ ...toComment(r), threadKey: r.thread_key as string }));
  }

  async eraseByEmail(email: string, at: number) {
    return this.db.transaction(() => {
      const rows = this.q('SELECT id, site_id, thread_id, status FROM comments WHERE author_email = ? COLLATE NOCASE').all(email) as Row[];
      for (const r of rows) {
        this.q(`UPDATE comments SET author_name = '', author_email = NULL, body = '', reader_id = NULL, ip_hash = NULL,
                  search_text = '', body_hash = NULL, status = 'deleted' WHERE id = ?`).run(r.id);
        if (r.status === 'approved') this.logEvent(r.thread_id, 'comment.removed', r.id, at);
      }
      return rows.map((r) => ({ id: r.id as string, siteId: r.site_id as string }));
    }).immediate();
  }

  async purgeIpHashes(before: number) {
    return this.q('UPDATE comments SET ip_hash = NULL WHERE created_at < ? AND ip_hash IS NOT NULL').run(before).changes;
  }

  async createToken(t: ModeratorToken & { hash: string }) {
    this.q('INSERT INTO moderator_tokens (id, site_id, hash, label, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(t.id, t.siteId, t.hash, t.label, t.createdAt, t.revokedAt);
  }

  async findTokenByHash(hash: string) {
    const r = this.q('SELECT * FROM moderator_tokens WHERE hash = ?').get(hash) as Row | undefined;
    return r ? toToken(r) : null;
  }

  async listTokens(siteId?: string) {
    const rows = siteId
      ? this.q('SELECT * FROM moderator_tokens WHERE site_id = ? ORDER BY created_at').all(siteId)
      : this.q('SELECT * FROM moderator_tokens ORDER BY created_at').all();
    return (rows as Row[]).map(toToken);
  }

  async revokeToken(id: string, at: number) {
    return this.q('UPDATE moderator_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(at, id).changes > 0;
  }

  async addAudit(e: NewAuditEntry) {
    this.q('INSERT INTO audit (site_id, actor, action, target, before, after, at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(e.siteId, e.actor, e.action, e.target, e.before === undefined ? null : JSON.stringify(e.before), e.after === undefined ? null : JSON.stringify(e.after), e.at);
  }

  async listAudit(siteId: string, limit: number, beforeId: number | null): Promise<AuditEntry[]> {
    const rows = this.q('SELECT * FROM audit WHERE site_id = ? AND id < ? ORDER BY id DESC LIMIT ?').all(siteId, beforeId ?? Number.MAX_SAFE_INTEGER, limit) as Row[];
    return rows.map((r) => ({ id: r.id, siteId: r.site_id, actor: r.actor, action: r.action, target: r.target, before: parseJson(r.before), after: parseJson(r.after), at: r.at }));
  }

  async close() {
    this.db.close();
  }
}
