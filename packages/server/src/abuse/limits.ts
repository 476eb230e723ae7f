/**
 * Per-site limits on posting, voting and reporting, counted per reader identity and per IP
 * address. The IP is counted under a keyed hash that changes every day, so the limiter never
 * holds an address in clear nor a hash that outlives the day.
 */
import type { SiteSettings } from '../../../shared/src/index.js';
import { ApiError } from '../errors.js';
import type { Services } from '../context.js';
import { limitSubject } from './client-ip.js';

export type LimitedAction = keyof SiteSettings['limits'];

export async function enforceLimit(s: Services, site: { id: string; settings: SiteSettings }, action: LimitedAction, readerId: string | null, ip: string | undefined) {
  const { perReader, perIp, windowSeconds } = site.settings.limits[action];
  const windowMs = windowSeconds * 1000;
  const checks: Promise<{ allowed: boolean; retryAfterMs: number }>[] = [];
  if (readerId) checks.push(s.limiter.hit(`${site.id}:${action}:r:${readerId}`, perReader, windowMs));
  if (ip) {
    const day = Math.floor(s.now() / 86_400_000);
    const ipKey = await s.signer.mac(`ip-day:${day}`, limitSubject(ip), 12);
    checks.push(s.limiter.hit(`${site.id}:${action}:ip:${ipKey}`, perIp, windowMs));
  }
  let results: { allowed: boolean; retryAfterMs: number }[];
  try {
    results = await Promise.all(checks);
  } catch (e) {
    // A limiter that cannot be reached (an overloaded Durable Object) must not take commenting
    // down with it. The Redis one never throws: it counts in this process while Redis is down.
    console.warn('taliq: rate limiter unavailable, request let through:', (e as Error).message);
    return;
  }
  const refused = results.filter((r) => !r.allowed);
  if (refused.length) {
    const retryAfter = Math.ceil(Math.max(...refused.map((r) => r.retryAfterMs)) / 1000);
    throw new ApiError(429, 'rate_limited', `Too many requests; try again in ${retryAfter} s`, undefined, { 'Retry-After': String(retryAfter) });
  }
}
