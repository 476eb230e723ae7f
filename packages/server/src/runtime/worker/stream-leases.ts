/**
 * Live-update streams per client address across every thread, on Workers. Each thread's object
 * counts only its own readers; an address's streams on all threads are leases in the RateLimits
 * objects (sharded like rate limits), taken when a stream opens and given back when it ends. A
 * lease outlives the longest stream by a minute, so one never given back expires by itself.
 * The address arrives as a keyed hash made by the app (addressKey), never the address itself.
 */
import { shardOf } from './durable-rate-limiter.js';
import type { RateLimits } from './rate-limits.js';

/** ThreadHub's default maxStreamMs (10 min) and a minute's margin. */
const LEASE_MS = 11 * 60_000;

/**
 * Takes a place for one stream of `addressKey`: the function that gives it back, or null when the
 * address holds `limit` already. A limiter that cannot answer lets the stream in (as limits do).
 */
export async function leaseStream(ns: DurableObjectNamespace<RateLimits>, addressKey: string, limit: number): Promise<(() => void) | null> {
  const key = `streams:${addressKey}`;
  const stub = ns.get(ns.idFromName(`rate-limits-${shardOf(key)}`));
  let id: string | null;
  try {
    id = await stub.lease(key, limit, LEASE_MS);
  } catch (e) {
    console.warn('taliq: stream leases unavailable, stream let in:', (e as Error).message);
    return () => {};
  }
  if (id === null) return null;
  const leased = id;
  let given = false;
  return () => {
    if (given) return;
    given = true;
    stub.release(key, leased).catch((e: Error) => console.warn('taliq: a stream lease was not given back (it expires by itself):', e.message));
  };
}
