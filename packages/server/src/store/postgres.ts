/**
 * The shared store: PostgreSQL through node-postgres, for sites where several API instances share
 * one database. It behaves as the SQLite store does (store/sqlite.ts is the reference); where
 * SQLite relies on its single writer, this store takes row locks (`SELECT … FOR NO KEY UPDATE`:
 * exclusive among writers, yet no obstacle to a reply's foreign-key check on its parent), unique
 * indexes with `ON CONFLICT`, and a per-thread advisory lock around the event log. Transactions
 * run at READ COMMITTED; multi-row locks are taken in id order, so they do not deadlock.
 *
 * Durability: every session runs `SET synchronous_commit = on`, so a COMMIT returns only once its
 * WAL is flushed (and, with synchronous replicas configured, confirmed by them): a comment
 * answered with 201 survives a crash of the API or of the database.
 */
import pg from 'pg';
import type { PoolClient } from 'pg';
import type { QueueStatus, SiteSettings, Sort } from '../../../shared/src/index.js';
import type { Status } from '../../../shared/src/limits.js';
import { ApiError } from '../errors.js';
import { postgresMigrations } from './postgres-migrations.js';
import { hotScore } from './hot.js';
import { LISTED_COLUMNS, toListed } from './store.js';
import { likePattern, parseJson, toBan, toComment, toRemoval, toSite, toThread, toToken, type Row } from './rows.js';
import type { EventType, ThreadEvent, VoteResult, NewThread, AuditEntry, Ban, CommentPatch, Cursor, ModeratorToken, NewAuditEntry, NewStoredComment, Page, Removal, ReportResult, Store, StoredComment, ThreadMode, ThreadPage } from './store.js';

type Queryable = Pick<PoolClient, 'query'>;

/** Key of the advisory lock that serializes migrations across instances (ASCII "taliqmig"). */
const MIGRATION_LOCK = 0x74616c69716d6967n;
/** First half of the two-key advisory lock taken per thread before logging an event (ASCII "tlqe"). */
const EVENT_LOCK = 0x746c7165;

const INT8 = 20;
/** BIGINT (and count(*)) as JS numbers: times are milliseconds and ids stay far below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 && format !== 'binary' ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/**
 * A number compared with a BIGINT column, kept inside BIGINT's range: SQLite compares any number
 * with an integer column, PostgreSQL refuses a parameter that does not fit (or is written 1e+30).
 */
const int8 = (n: number) => (Number.isNaN(n) ? 0 : Math.trunc(Math.min(Math.max(n, -Number.MAX_SAFE_INTEGER), Number.MAX_SAFE_INTEGER)));

/** SQLite's `COLLATE NOCASE`: ASCII letters only, whatever the database's locale. */
const NOCASE = (expr: string) => `translate(${expr}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')`;

/**
 * A moderator's free-text reason (a ban's, a removal's) is kept without U+0000, which PostgreSQL
 * text cannot hold: refusing it would fail a moderation whose status change is already stored.
 */
const withoutNul = (s: string | null) => (s == null ? s : s.replace(/\u0000/g, ''));

const hasNul = (v: unknown): boolean => (typeof v === 'string' ? v.includes('\u0000') : Array.isArray(v) && v.some(hasNul));

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Deadlocks and serialization failures are retried; the store's lock order makes them rare. */
const RETRYABLE = new Set(['40P01', '40001']);

export interface PostgresStoreOptions {
  /** A schema of its own (created when missing): tests, or several Taliq installs in one database. */
  schema?: string;
  /** Connections per instance (node-postgres default: 10). */
  max?: number;
}

export async function migrate(pool: pg.Pool, schema?: string): Promise<void> {
  const client = await pool.connect();
  try {
    const step = async (fn: () => Promise<void>) => {
      await client.query('BEGIN');
      try {
        // Held until COMMIT: an instance starting at the same time waits here, then finds the work done.
        await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK.toString()]);
        await fn();
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK').catch(() => {});
        throw e;
      }
    };
    await step(async () => {
      if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
    });
    for (const [i, sql] of postgresMigrations.entries()) {
      const version = i + 1;
      await step(async () => {
        const done = await client.query('SELECT 1 FROM schema_migrations WHERE version = $1', [version]);
        if (done.rowCount) return;
        await client.query(sql);
        await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [version, Date.now()]);
      });
    }
  } finally {
    client.release();
  }
}

export async function openPostgresStore(url: string, opts: PostgresStoreOptions = {}): Promise<Store> {
  const pool = new pg.Pool({ connectionString: url, types, max: opts.max, application_name: 'taliq' } as pg.PoolConfig);
  // An idle connection that breaks (database restart, network) is dropped and replaced; it must
  // not take the process down.
  pool.on('error', (e) => console.error('taliq: PostgreSQL connection error:', e.message));
  const session = [
    // Acknowledged means durable, whatever the server's or the role's default.
    'SET synchronous_commit = on',
    ...(opts.schema ? [`SET search_path = ${quoteIdent(opts.schema)}`] : []),
  ].join('; ');
  // Queued on each new connection before the query that asked for it.
  pool.on('connect', (client) => {
    client.query(session).catch((e) => console.error('taliq: PostgreSQL session setup failed:', e.message));
  });
  try {
    await migrate(pool, opts.schema);
  } catch (e) {
    await pool.end().catch(() => {});
    throw e;
  }
  return new PostgresStore(pool);
}

class PostgresStore implements Store {
  readonly engine = 'postgres' as const;
  constructor(private readonly pool: pg.Pool) {}

  /**
   * Every query goes through here. PostgreSQL text cannot hold U+0000, so no stored value equals a
   * string that contains one: a read with such a parameter finds nothing (as SQLite would, where
   * no such value was ever written), and a write of one is refused as bad input, not a 500.
   */
  private async query(sql: string, params: unknown[] = [], c: Queryable = this.pool) {
    if (params.some(hasNul)) {
      if (/^\s*SELECT\b/i.test(sql)) return { rows: [] as Row[], rowCount: 0 };
      throw new ApiError(400, 'bad_request', 'Text with a NUL character (U+0000) cannot be stored');
    }
    return c.query(sql, params);
  }

  private async rows(sql: string, params: unknown[] = [], c: Queryable = this.pool): Promise<Row[]> {
    return (await this.query(sql, params, c)).rows;
  }

  private async row(sql: string, params: unknown[] = [], c: Queryable = this.pool): Promise<Row | undefined> {
    return (await this.query(sql, params, c)).rows[0];
  }

  private async run(sql: string, params: unknown[] = [], c: Queryable = this.pool): Promise<number> {
    return (await this.query(sql, params, c)).rowCount ?? 0;
  }

  /** BEGIN … COMMIT on one connection; ROLLBACK on any error; retried on a deadlock. */
  private async tx<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const c = await this.pool.connect();
      let broken: Error | undefined;
      try {
        await c.query('BEGIN');
        const result = await fn(c);
        await c.query('COMMIT');
        return result;
      } catch (e) {
        await c.query('ROLLBACK').catch((err: Error) => (broken = err));
        if (attempt < 4 && RETRYABLE.has((e as { code?: string }).code ?? '')) continue;
        throw e;
      } finally {
        // A connection that cannot even roll back is discarded, not returned to the pool.
        c.release(broken);
      }
    }
  }

  /**
   * Logs an event under the thread's advisory lock, held to COMMIT. Event ids come from one
   * sequence; without the lock, a transaction could take id 10, another id 11 and commit first,
   * and a stream that had read 11 would never see 10. With it, the events of one thread become
   * visible in id order (a commit is visible before its locks are released).
   */
  private async logEvent(c: Queryable, threadId: number, type: EventType, commentId: string, at: number) {
    await this.lockThreads(c, [threadId]);
    await this.query('INSERT INTO events (thread_id, type, comment_id, at) VALUES ($1, $2, $3, $4)', [threadId, type, commentId, at], c);
  }

  /** Takes the threads' event locks in ascending order, so two transactions never wait on each other in a circle. */
  private async lockThreads(c: Queryable, threadIds: number[]) {
    for (const id of [...new Set(threadIds)].sort((a, b) => a - b)) {
      await this.query('SELECT pg_advisory_xact_lock($1::int, ($2::bigint % 2147483647)::int)', [EVENT_LOCK, id], c);
    }
  }

  async ping() {
    await this.pool.query('SELECT 1');
  }

  async getMeta(key: string) {
    return (await this.row('SELECT value FROM meta WHERE key = $1', [key]))?.value ?? null;
  }

  async initMeta(key: string, value: string) {
    await this.run('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, value]);
    return (await this.getMeta(key))!;
  }

  async getSite(id: string) {
    const r = await this.row('SELECT * FROM sites WHERE id = $1', [id]);
    return r ? toSite(r) : null;
  }

  async listSites() {
    return (await this.rows('SELECT * FROM sites ORDER BY id')).map(toSite);
  }

  async createSite(id: string, settings: SiteSettings) {
    const now = Date.now();
    const n = await this.run('INSERT INTO sites (id, settings, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING', [id, JSON.stringify(settings), now]);
    if (n === 0) throw new ApiError(409, 'conflict', `Site "${id}" exists already`);
    return { id, settings, createdAt: now };
  }

  async updateSiteSettings(id: string, settings: SiteSettings) {
    await this.run('UPDATE sites SET settings = $1 WHERE id = $2', [JSON.stringify(settings), id]);
    return (await this.getSite(id))!;
  }

  async getThread(siteId: string, key: string) {
    const r = await this.row('SELECT * FROM threads WHERE site_id = $1 AND key = $2', [siteId, key]);
    return r ? toThread(r) : null;
  }

  async getThreadById(id: number) {
    const r = await this.row('SELECT * FROM threads WHERE id = $1', [int8(id)]);
    return r ? toThread(r) : null;
  }

  async ensureThread(siteId: string, key: string, meta: { title: string | null; url: string | null }) {
    await this.run('INSERT INTO threads (site_id, key, title, url, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (site_id, key) DO NOTHING',
      [siteId, key, meta.title, meta.url, Date.now()]);
    return (await this.getThread(siteId, key))!;
  }

  async insertComment(input: NewStoredComment, newThread?: NewThread): Promise<{ comment: StoredComment; created: boolean }> {
    const earlier = async (c: Queryable = this.pool) => {
      const r = await this.row('SELECT * FROM comments WHERE site_id = $1 AND idempotency_key = $2', [input.siteId, input.idempotencyKey], c);
      return r ? { comment: toComment(r), created: false } : null;
    };
    const REPLAY = Symbol('replay');
    try {
      return await this.tx(async (c) => {
        if (input.idempotencyKey) {
          const found = await earlier(c);
          if (found) return found;
        }
        let threadId = input.threadId;
        if (newThread) {
          await this.query('INSERT INTO threads (site_id, key, title, url, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (site_id, key) DO NOTHING',
            [newThread.siteId, newThread.key, newThread.title, newThread.url, input.createdAt], c);
          threadId = (await this.row('SELECT id FROM threads WHERE site_id = $1 AND key = $2', [newThread.siteId, newThread.key], c))!.id;
        }
        const inserted = await this.run(
          `INSERT INTO comments (id, site_id, thread_id, parent_id, root_id, author_name, author_email, reader_id,
             verified, body, status, reasons, created_at, idempotency_key, search_text, ip_hash, flagged, hot, body_hash)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
           ON CONFLICT (site_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING`,
          [input.id, input.siteId, threadId, input.parentId, input.rootId, input.authorName, input.authorEmail, input.readerId,
            input.verified, input.body, input.status, JSON.stringify(input.reasons), input.createdAt, input.idempotencyKey,
            input.searchText, input.ipHash, input.flagged, hotScore(0, 0, input.createdAt), input.bodyHash ?? null],
          c,
        );
        // Another instance stored a comment under this key since our look: roll back (no thread left
        // behind) and answer with that comment, as SQLite's single writer would have.
        if (inserted === 0) throw REPLAY;
        if (input.status === 'approved') await this.logEvent(c, threadId, 'comment.approved', input.id, input.createdAt);
        const { idempotencyKey: _k, searchText: _s, bodyHash: _h, ...stored } = input;
        return { comment: { ...stored, threadId, editedAt: null, likes: 0, dislikes: 0, reports: 0 }, created: true };
      });
    } catch (e) {
      if (e !== REPLAY) throw e;
      return (await earlier())!;
    }
  }

  async getComment(id: string) {
    const r = await this.row('SELECT * FROM comments WHERE id = $1', [id]);
    return r ? toComment(r) : null;
  }

  async getComments(ids: string[]) {
    ids = ids.filter((id) => !hasNul(id)); // no stored id has one
    if (ids.length === 0) return [];
    return (await this.rows('SELECT * FROM comments WHERE id = ANY($1::text[]) ORDER BY id', [ids])).map(toComment);
  }

  async listThread(threadId: number, sort: Sort, limit: number, after: Cursor | null): Promise<ThreadPage> {
    const base = `SELECT ${LISTED_COLUMNS} FROM comments WHERE thread_id = $1 AND status = 'approved' AND parent_id IS NULL`;
    let rows: Row[];
    if (sort === 'popular') {
      rows = after
        ? await this.rows(`${base} AND (hot, created_at, id) < ($2::float8, $3::bigint, $4::text) ORDER BY hot DESC, created_at DESC, id DESC LIMIT $5`,
            [threadId, after.s ?? 0, int8(after.t), after.id, limit + 1])
        : await this.rows(`${base} ORDER BY hot DESC, created_at DESC, id DESC LIMIT $2`, [threadId, limit + 1]);
    } else {
      const [cmp, dir] = sort === 'oldest' ? ['>', 'ASC'] : ['<', 'DESC'];
      rows = after
        ? await this.rows(`${base} AND (created_at, id) ${cmp} ($2::bigint, $3::text) ORDER BY created_at ${dir}, id ${dir} LIMIT $4`,
            [threadId, int8(after.t), after.id, limit + 1])
        : await this.rows(`${base} ORDER BY created_at ${dir}, id ${dir} LIMIT $2`, [threadId, limit + 1]);
    }
    const top = rows.slice(0, limit).map(toListed);
    const last = top[top.length - 1];
    const lastRow = rows[top.length - 1];
    const next = rows.length > limit && last ? { t: last.createdAt, s: sort === 'popular' ? (lastRow.hot as number) : undefined, id: last.id } : null;
    const replies = top.length
      ? (await this.rows(`SELECT ${LISTED_COLUMNS} FROM comments WHERE status = 'approved' AND root_id = ANY($1::text[]) ORDER BY created_at, id`, [top.map((c) => c.id)])).map(toListed)
      : [];
    return { top, replies, next };
  }

  async countApproved(threadId: number) {
    // Replies under a removed top-level comment are not shown, so they are not counted.
    const r = await this.row(`SELECT count(*) AS n FROM comments c WHERE c.thread_id = $1 AND c.status = 'approved'
                                AND (c.root_id IS NULL OR EXISTS (SELECT 1 FROM comments r WHERE r.id = c.root_id AND r.status = 'approved'))`, [threadId]);
    return r!.n as number;
  }

  async updateComment(id: string, p: CommentPatch) {
    await this.tx(async (c) => {
      const before = await this.row('SELECT thread_id, status FROM comments WHERE id = $1 FOR NO KEY UPDATE', [id], c);
      await this.query('UPDATE comments SET body = $1, search_text = $2, edited_at = $3, status = $4, reasons = $5, flagged = $6 WHERE id = $7',
        [p.body, p.searchText, p.editedAt, p.status, JSON.stringify(p.reasons), p.flagged, id], c);
      if (before?.status === 'approved') {
        await this.logEvent(c, before.thread_id, p.status === 'approved' ? 'comment.edited' : 'comment.removed', id, p.editedAt);
      } else if (before && p.status === 'approved') await this.logEvent(c, before.thread_id, 'comment.approved', id, p.editedAt);
    });
  }

  async listEvents(threadId: number, afterId: number, limit: number): Promise<ThreadEvent[]> {
    return (await this.rows('SELECT id, type, comment_id, at FROM events WHERE thread_id = $1 AND id > $2 ORDER BY id LIMIT $3', [threadId, int8(afterId), limit]))
      .map((r) => ({ id: r.id, type: r.type, commentId: r.comment_id, at: r.at }));
  }

  async lastEventId(threadId: number) {
    return ((await this.row('SELECT max(id) AS id FROM events WHERE thread_id = $1', [threadId]))?.id as number | null) ?? 0;
  }

  async vote(commentId: string, readerId: string, value: -1 | 0 | 1, at: number): Promise<VoteResult> {
    return this.tx(async (c) => {
      // The comment's row lock serializes the votes on it, so the counts written are the counts.
      const comment = await this.row('SELECT created_at FROM comments WHERE id = $1 FOR NO KEY UPDATE', [commentId], c);
      if (!comment) throw new ApiError(404, 'not_found', `No comment "${commentId}"`);
      if (value === 0) await this.query('DELETE FROM votes WHERE comment_id = $1 AND reader_id = $2', [commentId, readerId], c);
      else {
        await this.query('INSERT INTO votes (comment_id, reader_id, value, at) VALUES ($1, $2, $3, $4) ON CONFLICT (comment_id, reader_id) DO UPDATE SET value = excluded.value, at = excluded.at',
          [commentId, readerId, value, at], c);
      }
      const counts = (await this.row(`SELECT count(*) FILTER (WHERE value = 1) AS likes, count(*) FILTER (WHERE value = -1) AS dislikes FROM votes WHERE comment_id = $1`, [commentId], c))!;
      const likes = counts.likes as number, dislikes = counts.dislikes as number;
      await this.query('UPDATE comments SET likes = $1, dislikes = $2, hot = $3 WHERE id = $4', [likes, dislikes, hotScore(likes, dislikes, comment.created_at), commentId], c);
      return { likes, dislikes, value };
    });
  }

  async readerHistory(siteId: string, readerId: string, limit: number) {
    return (await this.rows(`SELECT status FROM comments WHERE site_id = $1 AND reader_id = $2 AND status IN ('approved', 'rejected', 'spam')
                             ORDER BY created_at DESC LIMIT $3`, [siteId, readerId, limit])).map((r) => r.status as Status);
  }

  async hasDuplicate(threadId: number, bodyHash: string, since: number) {
    return !!(await this.row(`SELECT 1 FROM comments WHERE thread_id = $1 AND body_hash = $2 AND created_at >= $3 AND status != 'deleted' LIMIT 1`, [threadId, bodyHash, int8(since)]));
  }

  async lastCommentBy(siteId: string, readerId: string) {
    const r = await this.row('SELECT * FROM comments WHERE site_id = $1 AND reader_id = $2 ORDER BY created_at DESC LIMIT 1', [siteId, readerId]);
    return r ? toComment(r) : null;
  }

  async setThreadMode(threadId: number, mode: ThreadMode) {
    await this.run('UPDATE threads SET mode = $1, closed = $2 WHERE id = $3', [mode, mode === 'closed', threadId]);
  }

  async addReport(r: { commentId: string; readerId: string; reason: string; note: string | null; at: number }, threshold: number): Promise<ReportResult> {
    return this.tx(async (c) => {
      // Locked first: two reports at once on two instances count one after the other, and exactly
      // one of them is the report that reaches the threshold (the counter's UPDATE would lock the
      // row too, but only for a new report; this states the rule once for every path).
      const locked = await this.row('SELECT id FROM comments WHERE id = $1 FOR NO KEY UPDATE', [r.commentId], c);
      if (!locked) throw new ApiError(404, 'not_found', `No comment "${r.commentId}"`);
      const created = (await this.run('INSERT INTO reports (comment_id, reader_id, reason, note, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING',
        [r.commentId, r.readerId, r.reason, r.note, r.at], c)) > 0;
      if (created) await this.query('UPDATE comments SET reports = reports + 1 WHERE id = $1', [r.commentId], c);
      const row = (await this.row('SELECT reports, flagged, status, reasons FROM comments WHERE id = $1', [r.commentId], c))!;
      const newlyFlagged = created && !row.flagged && row.reports >= threshold && (row.status === 'approved' || row.status === 'pending');
      if (newlyFlagged) {
        const reasons = (JSON.parse(row.reasons) as { code: string }[]).filter((x) => x.code !== 'reports');
        reasons.push({ code: 'reports', detail: String(row.reports) } as never);
        await this.query('UPDATE comments SET flagged = true, reasons = $1 WHERE id = $2', [JSON.stringify(reasons), r.commentId], c);
      }
      return { created, reports: row.reports as number, newlyFlagged };
    });
  }

  async createBan(b: Ban) {
    await this.run(`INSERT INTO bans (id, site_id, reader_id, ip_hash, shadow, reason, expires_at, created_at, created_by, lifted_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [b.id, b.siteId, b.readerId, b.ipHash, b.shadow, withoutNul(b.reason), b.expiresAt, b.createdAt, b.createdBy, b.liftedAt]);
  }

  async listBans(siteId: string) {
    return (await this.rows('SELECT * FROM bans WHERE site_id = $1 ORDER BY created_at DESC, seq DESC', [siteId])).map(toBan);
  }

  async liftBan(siteId: string, id: string, at: number) {
    if (hasNul([siteId, id])) return false;
    return (await this.run('UPDATE bans SET lifted_at = $1 WHERE site_id = $2 AND id = $3 AND lifted_at IS NULL', [at, siteId, id])) > 0;
  }

  async activeBan(siteId: string, readerId: string | null, ipHash: string | null, now: number) {
    const r = await this.row(`SELECT * FROM bans WHERE site_id = $1 AND lifted_at IS NULL AND (expires_at IS NULL OR expires_at > $2)
                                AND (reader_id = $3 OR ip_hash = $4)
                              ORDER BY shadow ASC, seq ASC LIMIT 1`, [siteId, int8(now), readerId, ipHash]);
    return r ? toBan(r) : null;
  }

  async addRemovals(removals: Removal[]) {
    if (removals.length === 0) return;
    await this.tx(async (c) => {
      for (const r of removals) {
        await this.query(`INSERT INTO removals (site_id, comment_id, status, thread_key, thread_title, thread_url, author_name, reader_id,
                         body, codes, reason, moderator, created_at, at)
                       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
          [r.siteId, r.commentId, r.status, r.threadKey, r.threadTitle, r.threadUrl, r.authorName, r.readerId,
            r.body, JSON.stringify(r.codes), withoutNul(r.reason), r.moderator, r.createdAt, r.at], c);
      }
    });
  }

  async listRemovals(siteId: string, from: number, to: number) {
    return (await this.rows('SELECT * FROM removals WHERE site_id = $1 AND at >= $2 AND at < $3 ORDER BY at, id', [siteId, int8(from), int8(to)])).map(toRemoval);
  }

  async listQueue(siteId: string, status: QueueStatus, limit: number, after: Cursor | null, q: string | null): Promise<Page<StoredComment>> {
    const args: unknown[] = [siteId];
    const p = (v: unknown) => `$${args.push(v)}`;
    const where = [status === 'flagged' ? 'site_id = $1 AND flagged' : `site_id = $1 AND status = ${p(status)}`];
    if (after) where.push(`(created_at, id) < (${p(int8(after.t))}::bigint, ${p(after.id)}::text)`);
    if (q) where.push(`search_text LIKE ${p(likePattern(q))} ESCAPE '\\'`);
    const rows = await this.rows(`SELECT * FROM comments WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT ${p(limit + 1)}`, args);
    const items = rows.slice(0, limit).map(toComment);
    const last = items[items.length - 1];
    return { items, next: rows.length > limit && last ? { t: last.createdAt, id: last.id } : null };
  }

  async queueCounts(siteId: string) {
    const counts: Record<QueueStatus, number> = { pending: 0, approved: 0, rejected: 0, spam: 0, flagged: 0 };
    for (const r of await this.rows('SELECT status, count(*) AS n FROM comments WHERE site_id = $1 GROUP BY status', [siteId])) {
      if (r.status in counts) counts[r.status as QueueStatus] = r.n;
    }
    counts.flagged = (await this.row('SELECT count(*) AS n FROM comments WHERE site_id = $1 AND flagged', [siteId]))!.n;
    return counts;
  }

  async setStatus(ids: string[], status: Status) {
    ids = ids.filter((id) => !hasNul(id)); // no stored id has one
    if (ids.length === 0) return [];
    return this.tx(async (c) => {
      // Locked in id order, as every multi-row lock of this store is taken.
      const before = (await this.rows('SELECT * FROM comments WHERE id = ANY($1::text[]) ORDER BY id FOR NO KEY UPDATE', [ids], c)).map(toComment);
      // A moderator's decision settles the reports: the comment leaves the flagged queue.
      await this.query('UPDATE comments SET status = $1, flagged = false WHERE id = ANY($2::text[])', [status, ids], c);
      const now = Date.now();
      const events = before.flatMap((b): [number, EventType, string][] =>
        b.status !== 'approved' && status === 'approved' ? [[b.threadId, 'comment.approved', b.id]]
        : b.status === 'approved' && status !== 'approved' ? [[b.threadId, 'comment.removed', b.id]]
        : []);
      await this.lockThreads(c, events.map(([t]) => t));
      for (const [threadId, type, id] of events) await this.logEvent(c, threadId, type, id, now);
      return before;
    });
  }

  async exportSite(siteId: string) {
    const threads = (await this.rows('SELECT * FROM threads WHERE site_id = $1 ORDER BY id', [siteId])).map(toThread);
    const comments = (await this.rows('SELECT * FROM comments WHERE site_id = $1 ORDER BY created_at, id', [siteId])).map(toComment);
    return { threads, comments };
  }

  async commentsByEmail(email: string) {
    const rows = await this.rows(`SELECT c.*, t.key AS thread_key FROM comments c JOIN threads t ON t.id = c.thread_id
                                  WHERE ${NOCASE('c.author_email')} = ${NOCASE('$1')} ORDER BY c.created_at, c.id`, [email]);
    return rows.map((r) => ({ ...toComment(r), threadKey: r.thread_key as string }));
  }

  async eraseByEmail(email: string, at: number) {
    return this.tx(async (c) => {
      const rows = await this.rows(`SELECT id, site_id, thread_id, status, created_at FROM comments WHERE ${NOCASE('author_email')} = ${NOCASE('$1')} ORDER BY id FOR NO KEY UPDATE`, [email], c);
      await this.lockThreads(c, rows.filter((r) => r.status === 'approved').map((r) => r.thread_id));
      rows.sort((a, b) => a.created_at - b.created_at || (a.id < b.id ? -1 : 1));
      for (const r of rows) {
        await this.query(`UPDATE comments SET author_name = '', author_email = NULL, body = '', reader_id = NULL, ip_hash = NULL,
                         search_text = '', body_hash = NULL, status = 'deleted' WHERE id = $1`, [r.id], c);
        if (r.status === 'approved') await this.logEvent(c, r.thread_id, 'comment.removed', r.id, at);
      }
      return rows.map((r) => ({ id: r.id as string, siteId: r.site_id as string }));
    });
  }

  async purgeIpHashes(before: number) {
    return this.run('UPDATE comments SET ip_hash = NULL WHERE created_at < $1 AND ip_hash IS NOT NULL', [int8(before)]);
  }

  async createToken(t: ModeratorToken & { hash: string }) {
    await this.run('INSERT INTO moderator_tokens (id, site_id, hash, label, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [t.id, t.siteId, t.hash, t.label, t.createdAt, t.revokedAt]);
  }

  async findTokenByHash(hash: string) {
    const r = await this.row('SELECT * FROM moderator_tokens WHERE hash = $1', [hash]);
    return r ? toToken(r) : null;
  }

  async listTokens(siteId?: string) {
    const rows = siteId
      ? await this.rows('SELECT * FROM moderator_tokens WHERE site_id = $1 ORDER BY created_at, seq', [siteId])
      : await this.rows('SELECT * FROM moderator_tokens ORDER BY created_at, seq');
    return rows.map(toToken);
  }

  async revokeToken(id: string, at: number) {
    if (hasNul(id)) return false;
    return (await this.run('UPDATE moderator_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [at, id])) > 0;
  }

  async addAudit(e: NewAuditEntry) {
    await this.run('INSERT INTO audit (site_id, actor, action, target, before, after, at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [e.siteId, e.actor, e.action, e.target, e.before === undefined ? null : JSON.stringify(e.before), e.after === undefined ? null : JSON.stringify(e.after), e.at]);
  }

  async listAudit(siteId: string, limit: number, beforeId: number | null): Promise<AuditEntry[]> {
    const rows = await this.rows('SELECT * FROM audit WHERE site_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3', [siteId, int8(beforeId ?? Number.MAX_SAFE_INTEGER), limit]);
    return rows.map((r) => ({ id: r.id, siteId: r.site_id, actor: r.actor, action: r.action, target: r.target, before: parseJson(r.before), after: parseJson(r.after), at: r.at }));
  }

  async close() {
    await this.pool.end();
  }
}
