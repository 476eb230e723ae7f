/**
 * Rate-limit windows in Durable Objects, so every isolate everywhere counts against the same
 * limit. A key always lives in the same object (durable-rate-limiter.ts shards by a hash of it),
 * and an object handles one call at a time: the count is strongly consistent, and a
 * proof-of-work answer (counted here with limit 1) is single-use across isolates.
 *
 * Windows are rows in the object's own SQLite storage rather than only in memory: an idle object
 * is evicted, and a forgotten window would let a used challenge pass again. An alarm deletes
 * expired rows, so storage stays bounded by the keys active in the last window.
 *
 * Leases count what is held rather than what was done: the live-update streams one address has
 * open across every thread (stream-leases.ts). Each lease expires on its own, so a thread object
 * that goes away without giving its leases back cannot hold an address's places for ever.
 */
import { DurableObject } from 'cloudflare:workers';
import type { RateLimiter } from '../../abuse/rate-limiter.js';
import type { Env } from './env.js';

const SWEEP_MS = 60_000;

export class RateLimits extends DurableObject<Env> implements RateLimiter {
  private alarmSet = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS windows (key TEXT PRIMARY KEY, count INTEGER NOT NULL, reset_at INTEGER NOT NULL) WITHOUT ROWID`);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS leases (key TEXT NOT NULL, id TEXT NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (key, id)) WITHOUT ROWID`);
  }

  /** A place under `key` for `ttlMs` if fewer than `limit` are held: its id, else null. */
  async lease(key: string, limit: number, ttlMs: number): Promise<string | null> {
    const now = Date.now();
    const sql = this.ctx.storage.sql;
    // One call at a time per object, no await until the insert: count and take are one step.
    sql.exec('DELETE FROM leases WHERE key = ?1 AND expires_at <= ?2', key, now);
    if (sql.exec<{ n: number }>('SELECT count(*) AS n FROM leases WHERE key = ?1', key).one().n >= limit) return null;
    const id = crypto.randomUUID();
    sql.exec('INSERT INTO leases (key, id, expires_at) VALUES (?1, ?2, ?3)', key, id, now + ttlMs);
    await this.sweepLater(now);
    return id;
  }

  /** Gives a place back (nothing if it has expired or was given back already). */
  release(key: string, id: string) {
    this.ctx.storage.sql.exec('DELETE FROM leases WHERE key = ?1 AND id = ?2', key, id);
  }

  private async sweepLater(now: number) {
    if (this.alarmSet) return;
    this.alarmSet = true;
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(now + SWEEP_MS);
  }

  async hit(key: string, limit: number, windowMs: number, cost = 1) {
    const now = Date.now();
    if (cost === 0) {
      // Only a look: a window that has run out counts nothing.
      const seen = this.ctx.storage.sql.exec<{ count: number; reset_at: number }>('SELECT count, reset_at FROM windows WHERE key = ?1 AND reset_at > ?2', key, now).toArray()[0];
      const allowed = !seen || seen.count <= limit;
      return { allowed, retryAfterMs: allowed ? 0 : Math.max(seen!.reset_at - now, 1) };
    }
    // One statement: a window that has run out starts again at `cost`.
    const row = this.ctx.storage.sql.exec<{ count: number; reset_at: number }>(
      `INSERT INTO windows (key, count, reset_at) VALUES (?1, ?4, ?2)
       ON CONFLICT (key) DO UPDATE SET
         count = CASE WHEN reset_at <= ?3 THEN ?4 ELSE count + ?4 END,
         reset_at = CASE WHEN reset_at <= ?3 THEN ?2 ELSE reset_at END
       RETURNING count, reset_at`,
      key, now + windowMs, now, cost,
    ).one();
    await this.sweepLater(now);
    const allowed = row.count <= limit;
    return { allowed, retryAfterMs: allowed ? 0 : Math.max(row.reset_at - now, 1) };
  }

  override async alarm() {
    const sql = this.ctx.storage.sql;
    sql.exec('DELETE FROM windows WHERE reset_at <= ?', Date.now());
    sql.exec('DELETE FROM leases WHERE expires_at <= ?', Date.now());
    const left = sql.exec<{ n: number }>('SELECT (SELECT count(*) FROM windows) + (SELECT count(*) FROM leases) AS n').one().n;
    this.alarmSet = left > 0;
    if (left > 0) await this.ctx.storage.setAlarm(Date.now() + SWEEP_MS);
  }
}
