/**
 * Per-site limits on posting, editing, voting and reporting, counted per reader identity and per IP
 * address. The IP is counted under a keyed hash that changes every day, so the limiter never
 * holds an address in clear nor a hash that outlives the day.
 */
import { DEFAULT_SETTINGS, type SiteSettings } from '../../../shared/src/index.js';
import { ApiError } from '../errors.js';
import type { Services } from '../context.js';
import { limitSubject } from './client-ip.js';

export type LimitedAction = keyof SiteSettings['limits'];

export async function enforceLimit(s: Services, site: { id: string; settings: SiteSettings }, action: LimitedAction, readerId: string | null, ip: string | undefined) {
  const { perReader, perIp, windowSeconds } = site.settings.limits[action] ?? DEFAULT_SETTINGS.limits[action]!;
  const windowMs = windowSeconds * 1000;
  const ipKey = async (addr: string) => `${site.id}:${action}:ip:${await s.signer.mac(`ip-day:${Math.floor(s.now() / 86_400_000)}`, limitSubject(addr), 12)}`;
  try {
    // The reader's own counter first: a reader past it is refused without spending the counter of
    // the address, which may be a carrier's, shared with thousands of readers.
    if (readerId) refuseUnless(await s.limiter.hit(`${site.id}:${action}:r:${readerId}`, perReader, windowMs));
    if (ip) refuseUnless(await s.limiter.hit(await ipKey(ip), perIp, windowMs));
  } catch (e) {
    if (e instanceof ApiError) throw e;
    // A limiter that cannot be reached (an overloaded Durable Object) must not take commenting
    // down with it. The Redis one never throws: it counts in this process while Redis is down.
    console.warn('taliq: rate limiter unavailable, request let through:', (e as Error).message);
  }
}

function refuseUnless(r: { allowed: boolean; retryAfterMs: number }) {
  if (r.allowed) return;
  const retryAfter = Math.max(Math.ceil(r.retryAfterMs / 1000), 1);
  throw new ApiError(429, 'rate_limited', `Too many requests; try again in ${retryAfter} s`, undefined, { 'Retry-After': String(retryAfter) });
}
