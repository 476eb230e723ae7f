/**
 * Rate limits: fixed windows counted per key. The interface is tiny so the counter can live in
 * this process (one API instance) or in Redis (several instances sharing one limit).
 */
export interface RateLimiter {
  /**
   * Counts `cost` hits (1 by default; 0 reads the window without counting); `allowed` is false
   * past `limit` hits in the current window.
   */
  hit(key: string, limit: number, windowMs: number, cost?: number): Promise<{ allowed: boolean; retryAfterMs: number }>;
  /**
   * Limiters shared through Redis say whether they count for every instance now (`shared`) or
   * only for this process (`degraded`, Redis not answering); /healthz reports it.
   */
  mode?(): 'shared' | 'degraded';
  close?(): Promise<void>;
}

export class MemoryRateLimiter implements RateLimiter {
  private windows = new Map<string, { count: number; resetAt: number }>();
  private lastSweep = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async hit(key: string, limit: number, windowMs: number, cost = 1) {
    const now = this.now();
    this.sweep(now);
    let w = this.windows.get(key);
    if (!w || w.resetAt <= now) {
      if (cost === 0) return { allowed: true, retryAfterMs: 0 };
      this.windows.set(key, (w = { count: 0, resetAt: now + windowMs }));
    }
    w.count += cost;
    return { allowed: w.count <= limit, retryAfterMs: w.count <= limit ? 0 : w.resetAt - now };
  }

  /** Drops expired windows now and then, so memory stays bounded by the active keys. */
  private sweep(now: number) {
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [k, w] of this.windows) if (w.resetAt <= now) this.windows.delete(k);
  }
}

/** The subset of a Redis client this needs (ioredis has it). */
export interface RedisLike {
  eval(script: string, keys: number, ...args: (string | number)[]): Promise<unknown>;
  quit(): Promise<unknown>;
}

// Atomic: count (by ARGV[2]; 0 only reads), set the window's expiry on its first hit, answer the
// count and the time left.
const HIT = `local n = tonumber(redis.call('GET', KEYS[1]) or '0')
local cost = tonumber(ARGV[2])
if cost == 0 then return {n, redis.call('PTTL', KEYS[1])} end
n = redis.call('INCRBY', KEYS[1], cost)
if n == cost then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('PTTL', KEYS[1])}`;

export class RedisRateLimiter implements RateLimiter {
  constructor(private readonly redis: RedisLike, private readonly prefix = 'taliq:rl:') {}

  async hit(key: string, limit: number, windowMs: number, cost = 1) {
    const [count, ttl] = (await this.redis.eval(HIT, 1, this.prefix + key, windowMs, cost)) as [number, number];
    const allowed = count <= limit;
    return { allowed, retryAfterMs: allowed ? 0 : Math.max(ttl, 1) };
  }

  async close() {
    await this.redis.quit();
  }
}
