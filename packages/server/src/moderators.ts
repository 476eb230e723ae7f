/**
 * Moderator tokens: random, shown once, stored only as SHA-256 hashes, scoped to one site or
 * (admin) to all, revocable. TALIQ_ADMIN_TOKEN, when set, is an admin token held in the
 * environment instead of the store.
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { TokenView } from '../../shared/src/operator.js';
import { ApiError } from './errors.js';
import type { Services } from './context.js';
import { randomHex, randomId, safeEqual, sha256 } from './crypto.js';
import type { ModeratorToken } from './store/store.js';
import { limitSubject } from './abuse/client-ip.js';

/** Wrong tokens one client address (IPv6: one /64) may send per window before every sign-in from it gets 429. */
export const ADMIN_FAILURES_ALLOWED = 10;
export const ADMIN_FAILURE_WINDOW_MS = 10 * 60_000;

export interface Moderator {
  /** Who acts, for the audit log: a token id, or `env` for TALIQ_ADMIN_TOKEN. */
  actor: string;
  /** null: every site. */
  siteId: string | null;
}

const PREFIX = 'tq_';

export async function createModeratorToken(s: Pick<Services, 'store' | 'now'>, siteId: string | null, label: string | null) {
  const token = PREFIX + randomId(24);
  const id = randomHex(4);
  await s.store.createToken({ id, siteId, label, hash: await sha256(token), createdAt: s.now(), revokedAt: null });
  return { id, token };
}

/** A new token, with its audit entry: `actor` is who asked (a token id, `env` or `cli`). */
export async function issueToken(s: Pick<Services, 'store' | 'now'>, siteId: string | null, label: string | null, actor: string) {
  const created = await createModeratorToken(s, siteId, label);
  await s.store.addAudit({ siteId, actor, action: 'token.create', target: created.id, before: null, after: { label }, at: s.now() });
  return { ...created, siteId, label, createdAt: new Date(s.now()).toISOString(), revokedAt: null };
}

/** Revokes an active token, with its audit entry; false when no active token has this id. */
export async function revokeTokenById(s: Pick<Services, 'store' | 'now'>, token: ModeratorToken, actor: string) {
  const done = await s.store.revokeToken(token.id, s.now());
  if (done) await s.store.addAudit({ siteId: token.siteId, actor, action: 'token.revoke', target: token.id, before: null, after: null, at: s.now() });
  return done;
}

export const tokenView = (t: ModeratorToken): TokenView => ({
  id: t.id, siteId: t.siteId, label: t.label,
  createdAt: new Date(t.createdAt).toISOString(), revokedAt: t.revokedAt == null ? null : new Date(t.revokedAt).toISOString(),
});

export function requireModerator(s: Services): MiddlewareHandler<{ Variables: { moderator: Moderator } }> {
  return async (c, next) => {
    // Route groups mounted under one prefix each run this: the first one decides.
    if (c.get('moderator')) return next();
    const token = c.req.header('authorization')?.match(/^Bearer\s+(\S+)$/i)?.[1];
    if (!token) throw new ApiError(401, 'unauthorized', 'Send a moderator token as Authorization: Bearer <token>');
    // A throttled address is not answered whether a token is right: guessing stops there.
    const throttled = await failedSignIns(s, c, 0);
    if (throttled) throw throttled;
    let moderator: Moderator | null = null;
    if (s.adminToken && safeEqual(token, s.adminToken)) moderator = { actor: 'env', siteId: null };
    else {
      const found = await s.store.findTokenByHash(await sha256(token));
      if (found && found.revokedAt == null) moderator = { actor: found.id, siteId: found.siteId };
    }
    if (!moderator) throw (await failedSignIns(s, c, 1)) ?? new ApiError(401, 'unauthorized', 'This moderator token is not valid');
    c.set('moderator', moderator);
    return next();
  };
}

/**
 * Counts a failed sign-in (`cost` 1) or only looks (0); answers the 429 to send when the address
 * is over ADMIN_FAILURES_ALLOWED. Counted in the app's limiter (Redis or Durable Objects when
 * instances share limits), under a keyed hash of the address, never the address itself.
 */
async function failedSignIns(s: Services, c: Context, cost: 0 | 1): Promise<ApiError | null> {
  const ip = s.clientIp(c);
  if (!ip) return null;
  let result: { allowed: boolean; retryAfterMs: number };
  try {
    const key = `admin-fail:${await s.signer.mac('admin-fail', limitSubject(ip), 12)}`;
    // A look refuses from the 10th failure on; the 10th itself is still answered 401.
    result = await s.limiter.hit(key, cost ? ADMIN_FAILURES_ALLOWED : ADMIN_FAILURES_ALLOWED - 1, ADMIN_FAILURE_WINDOW_MS, cost);
  } catch (e) {
    // A limiter that cannot answer must not lock moderators out: the token is still checked.
    console.warn('taliq: rate limiter unavailable, admin sign-in not throttled:', (e as Error).message);
    return null;
  }
  if (result.allowed) return null;
  const seconds = Math.ceil(result.retryAfterMs / 1000);
  return new ApiError(429, 'too_many_attempts', `Too many wrong moderator tokens from this network; try again in ${Math.ceil(seconds / 60)} min`, undefined, { 'Retry-After': String(seconds) });
}

/** 403 unless the moderator may act on this site. */
export function assertScope(c: Context<{ Variables: { moderator: Moderator } }>, siteId: string) {
  const m = c.get('moderator');
  if (m.siteId !== null && m.siteId !== siteId) throw new ApiError(403, 'forbidden', `This token is not for site "${siteId}"`);
  return m;
}

export function assertAdmin(c: Context<{ Variables: { moderator: Moderator } }>) {
  const m = c.get('moderator');
  if (m.siteId !== null) throw new ApiError(403, 'forbidden', 'This needs an admin token');
  return m;
}
