/**
 * The Redis client behind REDIS_URL, set up so that a Redis that is down, unreachable or slow
 * costs a request at most COMMAND_TIMEOUT_MS, once per outage: no offline queue holding
 * commands until a reconnect, no retries per command, and reconnects tried forever in the
 * background. ioredis is loaded only when REDIS_URL is set.
 */
import { SharedRateLimiter, type SharedRateLimiterOptions } from '../abuse/shared-rate-limiter.js';

/** A command Redis has not answered by then counts as an outage. Redis answers in well under 1 ms. */
export const COMMAND_TIMEOUT_MS = 200;
/** A TCP connect (or TLS handshake) that takes longer is given up, and tried again. */
export const CONNECT_TIMEOUT_MS = 1000;
/**
 * A connection on which nothing comes back for this long while a command waits (a hung server,
 * or something that takes the connection and never answers) is dropped and made again.
 */
export const SOCKET_TIMEOUT_MS = 1000;
/** Reconnect attempts back off up to this. */
const RECONNECT_MAX_MS = 2000;

export async function openRedisLimiter(url: string, opts: SharedRateLimiterOptions = {}): Promise<SharedRateLimiter> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: CONNECT_TIMEOUT_MS,
    socketTimeout: SOCKET_TIMEOUT_MS,
    retryStrategy: (attempt) => Math.min(100 * attempt, RECONNECT_MAX_MS),
  });
  const limiter = new SharedRateLimiter(redis, opts);
  // A healthy Redis counts from the first request; a dead one delays the start by at most this.
  await limiter.whenSettled(CONNECT_TIMEOUT_MS);
  return limiter;
}
