/**
 * The one Store, written once over a Driver (SQLite, PostgreSQL or D1). Reads are plain SELECTs;
 * every write is a single statement or one atomic batch fixed before it starts, made correct by
 * its own SQL (`ON CONFLICT`, `INSERT … SELECT … WHERE`, conditional `UPDATE`s, counts recomputed
 * from the rows) rather than by a read in JS followed by a write. That is what D1 allows, and it
 * is what keeps concurrent votes, reports, idempotent posts and moderation exact when several
 * instances share one database. Where PostgreSQL needs a row lock first, dialect.ts says so.
 */
import type { QueueStatus, SiteSettings, Sort } from '../../../shared/src/index.js';
import type { Status } from '../../../shared/src/limits.js';
import { StoreError, type Driver, type Param, type Statement } from './driver.js';
import { dialects } from './dialect.js';
import { hotScore } from './hot.js';
import { likePattern, parseJson, toBan, toComment, toRemoval, toSite, toSiteSecret, toThread, toToken, type Row } from './rows.js';
import { LISTED_COLUMNS, REPLIES_PER_PAGE, toListed } from './store.js';
import type {
  AuditEntry, Ban, CommentPatch, Cursor, ModeratorToken, NewAuditEntry, NewStoredComment, NewThread, OutboxItem, Page,
  RepliesPage, ReportResult, SecretKind, SiteSecret, StatusChange, Store, StoredComment, ThreadEvent, ThreadMode, ThreadPage, VoteResult,
} from './store.js';
import { randomSiteSecret, SECRET_KINDS } from '../site-secrets.js';

/**
 * A number compared with a BIGINT column, kept inside its range: SQLite compares any number with
 * an integer column, PostgreSQL refuses a parameter that does not fit (or is written 1e+30).
 */
const int = (n: number) => (Number.isNaN(n) ? 0 : Math.trunc(Math.min(Math.max(n, -Number.MAX_SAFE_INTEGER), Number.MAX_SAFE_INTEGER)));

/** A moderator's free text is kept without U+0000, which PostgreSQL text cannot hold. */
const withoutNul = (s: string | null | undefined) => (s == null ? null : s.replace(/\u0000/g, ''));

const REMOVED: ReadonlySet<Status> = new Set(['rejected', 'spam', 'deleted']);

const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));

export function sqlStore(db: Driver): Store {
  const d = dialects[db.dialect];
  const all = (text: string, ...params: Param[]) => db.all(text, params);
  const one = async (text: string, ...params: Param[]) => (await db.all(text, params))[0] as Row | undefined;
  const st = (text: string, ...params: Param[]): Statement => ({ sql: text, params });
  /** A batch with PostgreSQL's lock statements (null elsewhere) left out. */
  const batch = (statements: (Statement | null)[]) => db.batch(statements.filter((s): s is Statement => s !== null));
  const lock = (text: string | null, ...params: Param[]) => (text ? st(text, ...params) : null);

  const getThread = async (siteId: string, key: string) => {
    const r = await one('SELECT * FROM threads WHERE site_id = ? AND key = ?', siteId, key);
    return r ? toThread(r) : null;
  };
  const getComment = async (id: string) => {
    const r = await one('SELECT * FROM comments WHERE id = ?', id);
    return r ? toComment(r) : null;
  };
  const getComments = async (ids: string[]) => {
    // No stored id has a U+0000 or a lone surrogate, and PostgreSQL's JSON refuses both.
    ids = ids.filter((id) => !/[\u0000\p{Cs}]/u.test(id));
    return ids.length ? (await all(`SELECT * FROM comments WHERE id ${d.inJson} ORDER BY id`, JSON.stringify(ids))).map(toComment) : [];
  };
  const getSite = async (id: string) => {
    const r = await one('SELECT * FROM sites WHERE id = ?', id);
    return r ? toSite(r) : null;
  };

  const getSiteSecret = async (siteId: string, kind: SecretKind): Promise<SiteSecret | null> => {
    const r = await one('SELECT * FROM site_secrets WHERE site_id = ? AND kind = ?', siteId, kind);
    return r ? toSiteSecret(r) : null;
  };
  /** Stores a site's first secret of a kind: only for a site that exists, never over one stored. */
  const seedSecret = (siteId: string, kind: SecretKind, secret: string) =>
    st(`INSERT INTO site_secrets (site_id, kind, secret) SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM sites WHERE id = ?)
        ON CONFLICT (site_id, kind) DO NOTHING`, siteId, kind, secret, siteId);

  const store: Store = {
    engine: db.engine,

    async ping() {
      await all('SELECT 1 AS ok');
    },

    async getMeta(key) {
      return ((await one('SELECT value FROM meta WHERE key = ?', key))?.value as string | undefined) ?? null;
    },

    async initMeta(key, value) {
      await batch([st('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING', key, value)]);
      return (await store.getMeta(key))!;
    },

    getSite,

    async listSites() {
      return (await all('SELECT * FROM sites ORDER BY id')).map(toSite);
    },

    async createSite(id: string, settings: SiteSettings) {
      const now = Date.now();
      // The secrets first, and only while there is no such site: a site made before secrets were
      // stored has none, and a taken id must not give it random ones in place of its own.
      const results = await batch([
        ...SECRET_KINDS.map((kind) => st(`INSERT INTO site_secrets (site_id, kind, secret) SELECT ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM sites WHERE id = ?)
                                         ON CONFLICT (site_id, kind) DO NOTHING`, id, kind, randomSiteSecret(kind), id)),
        st('INSERT INTO sites (id, settings, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING', id, JSON.stringify(settings), now),
      ]);
      if (results[results.length - 1].changes === 0) throw new StoreError('conflict', `Site "${id}" exists already`);
      return { id, settings, createdAt: now };
    },

    async updateSiteSettings(id, settings) {
      await batch([st('UPDATE sites SET settings = ? WHERE id = ?', JSON.stringify(settings), id)]);
      const site = await getSite(id);
      if (!site) throw new StoreError('not_found', `No site "${id}"`);
      return site;
    },

    getSiteSecret,

    async initSiteSecret(siteId, kind, secret) {
      await batch([seedSecret(siteId, kind, secret)]);
      return getSiteSecret(siteId, kind);
    },

    async rotateSiteSecret(siteId, kind, r) {
      await batch([
        seedSecret(siteId, kind, r.initial),
        // The right-hand sides read the row as it was: the current secret becomes the previous.
        st('UPDATE site_secrets SET previous = secret, secret = ?, previous_until = ?, rotated_at = ? WHERE site_id = ? AND kind = ?',
          r.secret, int(r.previousUntil), int(r.at), siteId, kind),
      ]);
      return getSiteSecret(siteId, kind);
    },

    getThread,

    async getThreadById(id) {
      const r = await one('SELECT * FROM threads WHERE id = ?', int(id));
      return r ? toThread(r) : null;
    },

    async ensureThread(siteId, key, meta) {
      await batch([st('INSERT INTO threads (site_id, key, title, url, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (site_id, key) DO NOTHING',
        siteId, key, meta.title, meta.url, Date.now())]);
      return (await getThread(siteId, key))!;
    },

    async insertComment(input: NewStoredComment, newThread?: NewThread) {
      const c = input;
      // The thread's id as SQL: known, or found after the thread's own insert in the same batch.
      const threadId = newThread ? '(SELECT id FROM threads WHERE site_id = ? AND key = ?)' : '?';
      const threadParams: Param[] = newThread ? [newThread.siteId, newThread.key] : [c.threadId];
      await batch([
        newThread ? st('INSERT INTO threads (site_id, key, title, url, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (site_id, key) DO NOTHING',
          newThread.siteId, newThread.key, newThread.title, newThread.url, c.createdAt) : null,
        // `WHERE true` keeps SQLite from reading ON CONFLICT as part of the SELECT.
        st(`INSERT INTO comments (id, site_id, thread_id, parent_id, root_id, author_name, author_email, reader_id,
              verified, body, status, reasons, created_at, idempotency_key, search_text, ip_hash, flagged, hot, body_hash)
            SELECT ?, ?, ${threadId}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE true
            ON CONFLICT (site_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING`,
          c.id, c.siteId, ...threadParams, c.parentId, c.rootId, c.authorName, c.authorEmail, c.readerId,
          c.verified, c.body, c.status, JSON.stringify(c.reasons), c.createdAt, c.idempotencyKey, c.searchText, c.ipHash,
          c.flagged, hotScore(0, 0, c.createdAt), c.bodyHash ?? null),
        ...(c.status === 'approved'
          ? [
              lock(d.lockThreads(`SELECT thread_id FROM comments WHERE id = ?`), c.id),
              // The comment exists under this id only if this batch wrote it (ids are random).
              st(`INSERT INTO events (thread_id, type, comment_id, at) SELECT thread_id, 'comment.approved', id, created_at FROM comments WHERE id = ?`, c.id),
            ]
          : []),
        // A replayed key leaves no empty thread behind (the replay answers 409 or the first comment).
        newThread && c.idempotencyKey
          // (Only the thread this batch made: it carries the comment's time. An importer's empty
          // thread made at the same moment by ensureThread is not this one.)
          ? st('DELETE FROM threads WHERE site_id = ? AND key = ? AND created_at = ? AND NOT EXISTS (SELECT 1 FROM comments WHERE comments.thread_id = threads.id)', newThread.siteId, newThread.key, c.createdAt)
          : null,
      ]);
      const mine = await getComment(c.id);
      if (mine) return { comment: mine, created: true };
      const earlier = c.idempotencyKey ? await one('SELECT * FROM comments WHERE site_id = ? AND idempotency_key = ?', c.siteId, c.idempotencyKey) : undefined;
      if (!earlier) throw new StoreError('conflict', 'The comment was not stored');
      return { comment: toComment(earlier), created: false };
    },

    getComment,
    getComments,

    async listThread(threadId: number, sort: Sort, limit: number, after: Cursor | null, repliesPer = REPLIES_PER_PAGE): Promise<ThreadPage> {
      const base = `SELECT ${LISTED_COLUMNS} FROM comments WHERE thread_id = ? AND status = 'approved' AND parent_id IS NULL`;
      let rows: Row[];
      if (sort === 'popular') {
        rows = after
          ? await all(`${base} AND (hot, created_at, id) < (?, ?, ?) ORDER BY hot DESC, created_at DESC, id DESC LIMIT ?`, threadId, after.s ?? 0, int(after.t), after.id, limit + 1)
          : await all(`${base} ORDER BY hot DESC, created_at DESC, id DESC LIMIT ?`, threadId, limit + 1);
      } else {
        const [cmp, dir] = sort === 'oldest' ? ['>', 'ASC'] : ['<', 'DESC'];
        rows = after
          ? await all(`${base} AND (created_at, id) ${cmp} (?, ?) ORDER BY created_at ${dir}, id ${dir} LIMIT ?`, threadId, int(after.t), after.id, limit + 1)
          : await all(`${base} ORDER BY created_at ${dir}, id ${dir} LIMIT ?`, threadId, limit + 1);
      }
      const top = rows.slice(0, limit).map(toListed);
      const last = top[top.length - 1];
      const lastRow = rows[top.length - 1];
      const next = rows.length > limit && last ? { t: last.createdAt, s: sort === 'popular' ? (lastRow.hot as number) : undefined, id: last.id } : null;
      // The first `repliesPer` replies of each, and how many each has: a comment with 100,000
      // replies costs the database a count (on the comments_replies index), not the page.
      const replyRows = top.length
        ? await all(`SELECT * FROM (SELECT ${LISTED_COLUMNS}, row_number() OVER (PARTITION BY root_id ORDER BY created_at, id) AS rn,
                       count(*) OVER (PARTITION BY root_id) AS n
                     FROM comments WHERE status = 'approved' AND root_id ${d.inJson}) r
                     WHERE rn <= ? ORDER BY created_at, id`,
            JSON.stringify(top.map((x) => x.id)), repliesPer)
        : [];
      const moreReplies: Record<string, number> = {};
      for (const r of replyRows) if (Number(r.n) > repliesPer) moreReplies[r.root_id] = Number(r.n) - repliesPer;
      return { top, replies: replyRows.map(toListed), next, moreReplies };
    },

    async listReplies(rootId: string, after: Cursor | null, limit: number): Promise<RepliesPage> {
      // count(*) OVER () is taken before LIMIT: every reply after the cursor.
      const base = `SELECT ${LISTED_COLUMNS}, count(*) OVER () AS n FROM comments WHERE status = 'approved' AND root_id = ?`;
      const rows = after
        ? await all(`${base} AND (created_at, id) > (?, ?) ORDER BY created_at, id LIMIT ?`, rootId, int(after.t), after.id, limit)
        : await all(`${base} ORDER BY created_at, id LIMIT ?`, rootId, limit);
      const replies = rows.map(toListed);
      const more = rows.length ? Number(rows[0].n) - rows.length : 0;
      const last = replies[replies.length - 1];
      return { replies, next: more > 0 && last ? { t: last.createdAt, id: last.id } : null, more };
    },

    async countApproved(threadId) {
      // Replies under a removed top-level comment are not shown, so they are not counted.
      const r = await one(`SELECT count(*) AS n FROM comments c WHERE c.thread_id = ? AND c.status = 'approved'
                             AND (c.root_id IS NULL OR EXISTS (SELECT 1 FROM comments r WHERE r.id = c.root_id AND r.status = 'approved'))`, threadId);
      return Number(r?.n ?? 0);
    },

    async updateComment(id: string, p: CommentPatch) {
      // Only a comment still open to its author changes: a moderator's decision made meanwhile stands.
      const editable = `id = ? AND status IN ('approved', 'pending')`;
      await batch([
        lock(d.lockComments(editable), id),
        lock(d.lockThreads('SELECT thread_id FROM comments WHERE id = ?'), id),
        st(`INSERT INTO events (thread_id, type, comment_id, at)
            SELECT thread_id, CASE WHEN status = 'approved' THEN ? ELSE 'comment.approved' END, id, ? FROM comments
            WHERE ${editable} AND (status = 'approved' OR ?)`,
          p.status === 'approved' ? 'comment.edited' : 'comment.removed', p.editedAt, id, p.status === 'approved'),
        st(`UPDATE comments SET body = ?, search_text = ?, edited_at = ?, status = ?, reasons = ?, flagged = ? WHERE ${editable}`,
          p.body, p.searchText, p.editedAt, p.status, JSON.stringify(p.reasons), p.flagged, id),
      ]);
    },

    async listEvents(threadId, afterId, limit): Promise<ThreadEvent[]> {
      return (await all('SELECT id, type, comment_id, at FROM events WHERE thread_id = ? AND id > ? ORDER BY id LIMIT ?', threadId, int(afterId), limit))
        .map((r) => ({ id: r.id, type: r.type, commentId: r.comment_id, at: r.at }));
    },

    async lastEventId(threadId) {
      return Number((await one('SELECT max(id) AS id FROM events WHERE thread_id = ?', threadId))?.id ?? 0);
    },

    async vote(commentId, readerId, value, at): Promise<VoteResult> {
      await batch([
        lock(d.lockComments('id = ?'), commentId),
        value === 0
          ? st('DELETE FROM votes WHERE comment_id = ? AND reader_id = ?', commentId, readerId)
          : st('INSERT INTO votes (comment_id, reader_id, value, at) VALUES (?, ?, ?, ?) ON CONFLICT (comment_id, reader_id) DO UPDATE SET value = excluded.value, at = excluded.at',
              commentId, readerId, value, at),
        // Counted from the votes, not incremented: exact whatever ran before or beside this.
        st(`UPDATE comments SET
              likes = (SELECT count(*) FROM votes WHERE comment_id = ? AND value = 1),
              dislikes = (SELECT count(*) FROM votes WHERE comment_id = ? AND value = -1)
            WHERE id = ?`, commentId, commentId, commentId),
      ]);
      const c = await one('SELECT likes, dislikes, created_at FROM comments WHERE id = ?', commentId);
      if (!c) throw new StoreError('not_found', `No comment "${commentId}"`);
      // The popular score needs log10, which D1 does not offer, so it is computed here and written
      // only if the counts are still the ones it was computed from: the batch that changed them
      // last also reads them last, so the score left standing is the one of the final counts.
      await batch([st('UPDATE comments SET hot = ? WHERE id = ? AND likes = ? AND dislikes = ?', hotScore(c.likes, c.dislikes, c.created_at), commentId, c.likes, c.dislikes)]);
      return { likes: c.likes, dislikes: c.dislikes, value };
    },

    async readerHistory(siteId, readerId, limit) {
      return (await all(`SELECT status FROM comments WHERE site_id = ? AND reader_id = ? AND status IN ('approved', 'rejected', 'spam')
                         ORDER BY created_at DESC LIMIT ?`, siteId, readerId, limit)).map((r) => r.status as Status);
    },

    async hasDuplicate(threadId, bodyHash, since) {
      return !!(await one(`SELECT 1 AS hit FROM comments WHERE thread_id = ? AND body_hash = ? AND created_at >= ? AND status != 'deleted' LIMIT 1`, threadId, bodyHash, int(since)));
    },

    async lastCommentBy(siteId, readerId) {
      const r = await one('SELECT * FROM comments WHERE site_id = ? AND reader_id = ? ORDER BY created_at DESC LIMIT 1', siteId, readerId);
      return r ? toComment(r) : null;
    },

    async setThreadMode(threadId: number, mode: ThreadMode) {
      await batch([st('UPDATE threads SET mode = ?, closed = ? WHERE id = ?', mode, mode === 'closed', int(threadId))]);
    },

    async addReport(r, threshold): Promise<ReportResult> {
      const locks = [lock(d.lockComments('id = ?'), r.commentId)].filter((x): x is Statement => x !== null);
      const [inserted, , flagged] = (await db.batch([
        ...locks,
        st('INSERT INTO reports (comment_id, reader_id, reason, note, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (comment_id, reader_id) DO NOTHING',
          r.commentId, r.readerId, r.reason, r.note, r.at),
        st('UPDATE comments SET reports = (SELECT count(*) FROM reports WHERE comment_id = ?) WHERE id = ?', r.commentId, r.commentId),
        // Crossing the threshold flags once; the moderator's decision clears the flag.
        st(`UPDATE comments SET flagged = TRUE, reasons = ${d.reasonsWithReports}
            WHERE id = ? AND flagged = FALSE AND reports >= ? AND status IN ('approved', 'pending')`, r.commentId, threshold),
      ])).slice(locks.length);
      const c = await one('SELECT reports FROM comments WHERE id = ?', r.commentId);
      if (!c) throw new StoreError('not_found', `No comment "${r.commentId}"`);
      return { created: inserted.changes > 0, reports: c.reports, newlyFlagged: flagged.changes > 0 };
    },

    async createBan(b: Ban) {
      await batch([st(`INSERT INTO bans (id, site_id, reader_id, ip_hash, covers_ip, shadow, reason, expires_at, created_at, created_by, lifted_at)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        b.id, b.siteId, b.readerId, b.ipHash, b.coversIp, b.shadow, withoutNul(b.reason), b.expiresAt, b.createdAt, b.createdBy, b.liftedAt)]);
    },

    async listBans(siteId) {
      return (await all(`SELECT * FROM bans WHERE site_id = ? ORDER BY created_at DESC, ${d.insertionOrder} DESC`, siteId)).map(toBan);
    },

    async liftBan(siteId, id, at) {
      const [r] = await batch([st('UPDATE bans SET lifted_at = ? WHERE site_id = ? AND id = ? AND lifted_at IS NULL', at, siteId, id)]);
      return r.changes > 0;
    },

    async activeBan(siteId, readerId, ipHash, now) {
      const r = await one(`SELECT * FROM bans WHERE site_id = ? AND lifted_at IS NULL AND (expires_at IS NULL OR expires_at > ?)
                             AND (reader_id = ? OR ip_hash = ?)
                           ORDER BY shadow ASC, ${d.insertionOrder} ASC LIMIT 1`, siteId, int(now), readerId, ipHash);
      return r ? toBan(r) : null;
    },

    async listRemovals(siteId, from, to) {
      return (await all('SELECT * FROM removals WHERE site_id = ? AND at >= ? AND at < ? ORDER BY at, id', siteId, int(from), int(to))).map(toRemoval);
    },

    async listQueue(siteId: string, status: QueueStatus, limit: number, after: Cursor | null, q: string | null): Promise<Page<StoredComment>> {
      const where = [status === 'flagged' ? 'site_id = ? AND flagged = TRUE' : 'site_id = ? AND status = ?'];
      const params: Param[] = status === 'flagged' ? [siteId] : [siteId, status];
      if (after) {
        where.push('(created_at, id) < (?, ?)');
        params.push(int(after.t), after.id);
      }
      if (q) {
        where.push(`search_text LIKE ? ESCAPE '\\'`);
        params.push(likePattern(q));
      }
      const rows = await all(`SELECT * FROM comments WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT ?`, ...params, limit + 1);
      const items = rows.slice(0, limit).map(toComment);
      const last = items[items.length - 1];
      return { items, next: rows.length > limit && last ? { t: last.createdAt, id: last.id } : null };
    },

    async queueCounts(siteId) {
      const counts: Record<QueueStatus, number> = { pending: 0, approved: 0, rejected: 0, spam: 0, flagged: 0 };
      const rows = await all(`SELECT status, count(*) AS n, sum(CASE WHEN flagged = TRUE THEN 1 ELSE 0 END) AS f
                              FROM comments WHERE site_id = ? GROUP BY status`, siteId);
      for (const r of rows) {
        if (r.status in counts && r.status !== 'flagged') counts[r.status as QueueStatus] = Number(r.n);
        counts.flagged += Number(r.f ?? 0);
      }
      return counts;
    },

    async setStatus(ids: string[], status: Status, by?: StatusChange) {
      ids = [...new Set(ids)].filter((id) => !id.includes('\u0000'));
      if (ids.length === 0) return [];
      const list = JSON.stringify(ids);
      const at = by?.at ?? Date.now();
      // What an author deleted stays deleted; nothing here brings it back. A whole change also
      // needs every one of them live when it runs, read in each statement of the batch.
      const whole = by?.whole ? ` AND (SELECT count(*) FROM comments w WHERE w.id ${d.inJson} AND w.status != 'deleted') = ${ids.length}` : '';
      const alive = `id ${d.inJson} AND status != 'deleted'`;
      const live = `${alive}${whole}`;
      const w: Param[] = by?.whole ? [list] : [];
      const before = await getComments(ids);
      const events = status === 'approved'
        ? st(`INSERT INTO events (thread_id, type, comment_id, at) SELECT thread_id, 'comment.approved', id, ? FROM comments
              WHERE ${live} AND status != 'approved' ORDER BY created_at, id`, at, list, ...w)
        : st(`INSERT INTO events (thread_id, type, comment_id, at) SELECT thread_id, 'comment.removed', id, ? FROM comments
              WHERE ${live} AND status = 'approved' ORDER BY created_at, id`, at, list, ...w);
      await batch([
        lock(d.lockComments(alive), list),
        lock(d.lockThreads(`SELECT thread_id FROM comments WHERE ${alive}`), list),
        // The audit entry and the removal register row are written with the change itself, from
        // the status the comment had at that moment: two moderators acting at once leave one row.
        by?.audit
          ? st(`INSERT INTO audit (site_id, actor, action, target, before, after, at)
                SELECT site_id, ?, ?, id, '{"status":"' || status || '"}', ?, ? FROM comments WHERE ${live} ORDER BY id`,
              by.actor, by.action ?? `comment.${status}`, JSON.stringify({ status, ...(by.reason ? { reason: withoutNul(by.reason) } : {}) }), at, list, ...w)
          : null,
        by && REMOVED.has(status)
          ? st(`INSERT INTO removals (site_id, comment_id, status, thread_key, thread_title, thread_url, author_name, reader_id,
                  body, codes, reason, moderator, created_at, at)
                SELECT c.site_id, c.id, ?, t.key, t.title, t.url, c.author_name, c.reader_id,
                  c.body, ${d.reasonCodes('c.reasons')}, ?, ?, c.created_at, ?
                FROM comments c JOIN threads t ON t.id = c.thread_id
                WHERE c.id ${d.inJson} AND c.status != 'deleted' AND c.status != ?${whole} ORDER BY c.id`,
              status, withoutNul(by.reason), by.actor, at, list, status, ...w)
          : null,
        events,
        // A moderator's decision settles the reports: the comment leaves the flagged queue.
        st(`UPDATE comments SET status = ?, flagged = FALSE WHERE ${live}`, status, list, ...w),
      ]);
      return before;
    },

    async exportSite(siteId) {
      const threads = (await all('SELECT * FROM threads WHERE site_id = ? ORDER BY id', siteId)).map(toThread);
      const comments = (await all('SELECT * FROM comments WHERE site_id = ? ORDER BY created_at, id', siteId)).map(toComment);
      return { threads, comments };
    },

    async commentsByEmail(email) {
      const rows = await all(`SELECT c.*, t.key AS thread_key FROM comments c JOIN threads t ON t.id = c.thread_id
                              WHERE ${d.nocaseEq('c.author_email')} ORDER BY c.created_at, c.id`, email);
      return rows.map((r) => ({ ...toComment(r), threadKey: r.thread_key as string }));
    },

    async eraseByEmail(email, at) {
      const mine = d.nocaseEq('author_email');
      const rows = await all(`SELECT id, site_id FROM comments WHERE ${mine} ORDER BY created_at, id`, email);
      if (rows.length === 0) return [];
      await batch([
        lock(d.lockComments(mine), email),
        lock(d.lockThreads(`SELECT thread_id FROM comments WHERE ${mine} AND status = 'approved'`), email),
        st(`INSERT INTO events (thread_id, type, comment_id, at) SELECT thread_id, 'comment.removed', id, ? FROM comments
            WHERE ${mine} AND status = 'approved' ORDER BY created_at, id`, at, email),
        st(`UPDATE comments SET author_name = '', author_email = NULL, body = '', reader_id = NULL, ip_hash = NULL,
              search_text = '', body_hash = NULL, status = 'deleted' WHERE ${mine}`, email),
      ]);
      return rows.map((r) => ({ id: r.id as string, siteId: r.site_id as string }));
    },

    async purgeIpHashes(before, now) {
      const [r, bans] = await batch([
        st('UPDATE comments SET ip_hash = NULL WHERE created_at < ? AND ip_hash IS NOT NULL', int(before)),
        // A ban that no longer stops anyone has no reason to keep an address.
        st('UPDATE bans SET ip_hash = NULL WHERE ip_hash IS NOT NULL AND (lifted_at IS NOT NULL OR expires_at <= ?)', int(now)),
      ]);
      return r.changes + bans.changes;
    },

    async createToken(t: ModeratorToken & { hash: string }) {
      await batch([st('INSERT INTO moderator_tokens (id, site_id, role, hash, label, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        t.id, t.siteId, t.role, t.hash, t.label, t.createdAt, t.revokedAt)]);
    },

    async findTokenByHash(hash) {
      const r = await one('SELECT * FROM moderator_tokens WHERE hash = ?', hash);
      return r ? toToken(r) : null;
    },

    async listTokens(siteId) {
      const order = `ORDER BY created_at, ${d.insertionOrder}`;
      const rows = siteId
        ? await all(`SELECT * FROM moderator_tokens WHERE site_id = ? ${order}`, siteId)
        : await all(`SELECT * FROM moderator_tokens ${order}`);
      return rows.map(toToken);
    },

    async revokeToken(id, at) {
      const [r] = await batch([st('UPDATE moderator_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', at, id)]);
      return r.changes > 0;
    },

    async addAudit(e: NewAuditEntry) {
      await batch([st('INSERT INTO audit (site_id, actor, action, target, before, after, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        e.siteId, e.actor, e.action, e.target, json(e.before), json(e.after), e.at)]);
    },

    async listAudit(siteId, limit, beforeId): Promise<AuditEntry[]> {
      const rows = await all('SELECT * FROM audit WHERE site_id = ? AND id < ? ORDER BY id DESC LIMIT ?', siteId, int(beforeId ?? Number.MAX_SAFE_INTEGER), limit);
      return rows.map((r) => ({ id: r.id, siteId: r.site_id, actor: r.actor, action: r.action, target: r.target, before: parseJson(r.before), after: parseJson(r.after), at: r.at }));
    },

    // ---- webhook outbox ------------------------------------------------------------------------

    async enqueueWebhook(w) {
      await batch([st('INSERT INTO webhook_outbox (site_id, event, body, next_at, created_at) VALUES (?, ?, ?, ?, ?)', w.siteId, w.event, w.body, w.at, w.at)]);
    },

    async claimWebhooks(now, limit, leaseMs, lease) {
      const due = await all(`SELECT id FROM webhook_outbox WHERE done_at IS NULL AND next_at <= ? AND (lease_until IS NULL OR lease_until <= ?)
                             ORDER BY next_at, id LIMIT ?`, now, now, limit);
      if (due.length === 0) return [];
      // Each row is taken only if nobody took it since the look above; the lease runs out by
      // itself if this instance dies while sending, and another sends it then.
      const claims = await batch(due.map((r) => st(
        `UPDATE webhook_outbox SET lease_until = ?, lease = ?, attempts = attempts + 1
         WHERE id = ? AND done_at IS NULL AND (lease_until IS NULL OR lease_until <= ?)`, now + leaseMs, lease, r.id, now)));
      const ids = due.filter((_, i) => claims[i].changes > 0).map((r) => String(r.id));
      if (ids.length === 0) return [];
      return (await all(`SELECT * FROM webhook_outbox WHERE lease = ? AND CAST(id AS TEXT) ${d.inJson} ORDER BY id`, lease, JSON.stringify(ids)))
        .map((r): OutboxItem => ({ id: Number(r.id), siteId: r.site_id, event: r.event, body: r.body, attempts: r.attempts, createdAt: r.created_at }));
    },

    async settleWebhook(id, lease, outcome) {
      await batch([outcome.done
        ? st('UPDATE webhook_outbox SET done_at = ?, lease_until = NULL, last_error = ? WHERE id = ? AND lease = ?', outcome.at, outcome.error ?? null, id, lease)
        : st('UPDATE webhook_outbox SET next_at = ?, lease_until = NULL, last_error = ? WHERE id = ? AND lease = ?', outcome.nextAt, outcome.error, id, lease)]);
    },

    async close() {
      await db.close();
    },
  };
  return store;
}
