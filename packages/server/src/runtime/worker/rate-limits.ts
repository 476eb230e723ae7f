/**
 * Rate-limit windows in Durable Objects, so every isolate everywhere counts against the same
 * limit. A key always lives in the same object (durable-rate-limiter.ts shards by a hash of it),
 * and an object handles one call at a time: the count is strongly consistent, and a
 * proof-of-work answer (counted here with limit 1) is single-use across isolates.
 *
 * Windows are rows in the object's own SQLite storage rather than only in memory: an idle object
 * is evicted, and a forgotten window would let a used challenge pass again. An alarm deletes
 * expired rows, so storage stays bounded by the keys active in the last window.
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
    if (!this.alarmSet) {
      this.alarmSet = true;
      if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(now + SWEEP_MS);
    }
    const allowed = row.count <= limit;
    return { allowed, retryAfterMs: allowed ? 0 : Math.max(row.reset_at - now, 1) };
  }

  override async alarm() {
    const sql = this.ctx.storage.sql;
    sql.exec('DELETE FROM windows WHERE reset_at <= ?', Date.now());
    const left = sql.exec<{ n: number }>('SELECT count(*) AS n FROM windows').one().n;
    this.alarmSet = left > 0;
    if (left > 0) await this.ctx.storage.setAlarm(Date.now() + SWEEP_MS);
  }
}
