/**
 * The app's RateLimiter over the RateLimits Durable Objects: each key goes to one of SHARDS
 * objects chosen by a hash of the key, so one key is always counted in one place while the load
 * spreads. Changing SHARDS moves keys (their windows restart once).
 */
import type { RateLimiter } from '../../abuse/rate-limiter.js';
import type { RateLimits } from './rate-limits.js';

export const SHARDS = 16;

/** FNV-1a, 32 bits: stable, fast, good enough to spread keys. */
export function shardOf(key: string, shards = SHARDS): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % shards;
}

export class DurableRateLimiter implements RateLimiter {
  constructor(private readonly ns: DurableObjectNamespace<RateLimits>) {}

  async hit(key: string, limit: number, windowMs: number, cost = 1) {
    const stub = this.ns.get(this.ns.idFromName(`rate-limits-${shardOf(key)}`));
    const { allowed, retryAfterMs } = await stub.hit(key, limit, windowMs, cost);
    return { allowed, retryAfterMs };
  }
}
