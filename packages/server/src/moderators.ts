/**
 * Moderator tokens: random, shown once, stored only as SHA-256 hashes, scoped to one site or
 * (admin) to all, revocable, with a role: `owner` or `moderator`. TALIQ_ADMIN_TOKEN, when set, is
 * an admin token held in the environment instead of the store; admin tokens own every site.
 *
 * Who may call each admin route is decided by the route's first handler, one of `access`, before
 * its path, query or body is validated: a token for another site, or a moderator on an owner
 * route, gets 403 whatever it sends.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { DEFAULT_ROLE, type Role, type TokenView } from '../../shared/src/operator.js';
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
  /** `owner` for admin tokens. */
  role: Role;
}

type Env = { Variables: { moderator: Moderator } };
/** Any route's context once requireModerator has run, whatever else its routes keep in it. */
type Signed = Pick<Context<Env>, 'get'>;

const PREFIX = 'tq_';

/** An admin token (siteId null) is always an owner. */
export async function createModeratorToken(s: Pick<Services, 'store' | 'now'>, siteId: string | null, label: string | null, role: Role = DEFAULT_ROLE) {
  const token = PREFIX + randomId(24);
  const id = randomHex(4);
  if (siteId === null) role = 'owner';
  await s.store.createToken({ id, siteId, role, label, hash: await sha256(token), createdAt: s.now(), revokedAt: null });
  return { id, token, role };
}

/** A new token, with its audit entry: `actor` is who asked (a token id, `env` or `cli`). */
export async function issueToken(s: Pick<Services, 'store' | 'now'>, siteId: string | null, label: string | null, actor: string, role: Role = DEFAULT_ROLE) {
  const created = await createModeratorToken(s, siteId, label, role);
  await s.store.addAudit({ siteId, actor, action: 'token.create', target: created.id, before: null, after: { label, role: created.role }, at: s.now() });
  return { ...created, siteId, label, createdAt: new Date(s.now()).toISOString(), revokedAt: null };
}

/** Revokes an active token, with its audit entry; false when no active token has this id. */
export async function revokeTokenById(s: Pick<Services, 'store' | 'now'>, token: ModeratorToken, actor: string) {
  const done = await s.store.revokeToken(token.id, s.now());
  if (done) await s.store.addAudit({ siteId: token.siteId, actor, action: 'token.revoke', target: token.id, before: null, after: null, at: s.now() });
  return done;
}

export const tokenView = (t: ModeratorToken): TokenView => ({
  id: t.id, siteId: t.siteId, role: t.siteId === null ? 'owner' : t.role, label: t.label,
  createdAt: new Date(t.createdAt).toISOString(), revokedAt: t.revokedAt == null ? null : new Date(t.revokedAt).toISOString(),
});

export function requireModerator(s: Services): MiddlewareHandler<{ Variables: { moderator: Moderator } }> {
  return async (c, next) => {
    // Route groups mounted under one prefix each run this: the first one decides.
    if (c.get('moderator')) return next();
    const token = c.req.header('authorization')?.match(/^Bearer\s+(\S+)$/i)?.[1];
    if (!token) throw new ApiError(401, 'unauthorized', 'Send a moderator token as Authorization: Bearer <token>');
    // A throttled address is not answered whether TALIQ_ADMIN_TOKEN is right: a person chose it,
    // so guessing it stops there. Tokens from the store are 144 random bits that no guessing
    // finds: they still sign in, so the moderators who share the guesser's address (an office, a
    // mobile carrier's) are not locked out with it.
    const throttled = await failedSignIns(s, c, 0);
    let moderator: Moderator | null = null;
    if (!throttled && s.adminToken && safeEqual(token, s.adminToken)) moderator = { actor: 'env', siteId: null, role: 'owner' };
    else {
      const found = await s.store.findTokenByHash(await sha256(token));
      if (found && found.revokedAt == null) moderator = { actor: found.id, siteId: found.siteId, role: found.siteId === null ? 'owner' : found.role };
    }
    if (!moderator) throw throttled ?? (await failedSignIns(s, c, 1)) ?? new ApiError(401, 'unauthorized', 'This moderator token is not valid');
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
  return new ApiError(429, 'too_many_attempts', `Too many wrong moderator tokens from this network; try again in ${Math.ceil(seconds / 60)} min (tokens made by taliq tokens create still work)`, undefined, { 'Retry-After': String(seconds) });
}

/** 403 unless the moderator may act on this site. */
export function assertScope(c: Signed, siteId: string) {
  const m = c.get('moderator');
  if (m.siteId !== null && m.siteId !== siteId) throw new ApiError(403, 'forbidden', `This token is not for site "${siteId}"`);
  return m;
}

export function assertAdmin(c: Signed) {
  const m = c.get('moderator');
  if (m.siteId !== null) throw new ApiError(403, 'forbidden', 'This needs an admin token');
  return m;
}

/** 403 unless the token has the role: an owner may do whatever a moderator may. */
export function assertRole(c: Signed, role: Role) {
  const m = c.get('moderator');
  if (role === 'owner' && m.role !== 'owner') throw new ApiError(403, 'forbidden', 'This needs an owner token: a moderator token works the queues, bans and audit log');
  return m;
}

/**
 * Who may call a route: the role it needs, and where its site comes from.
 *   path  - the path's `:site`, checked first: a token for another site gets 403 whatever else it sends;
 *   every - every site at once (privacy requests, new sites): admin tokens only;
 *   found - the route checks the site of what it looks up (a stored comment or token, a site the
 *           body or query names) with assertScope right after the lookup, before validating the rest.
 */
export interface Access {
  role: Role;
  site: 'path' | 'every' | 'found';
}

/** A route's first handler; it carries its rule, so a test can walk every route and docs can list them. */
export type Guard = MiddlewareHandler<Env> & { readonly access: Access };

function allow(role: Role, site: Access['site']): Guard {
  const guard: MiddlewareHandler<Env> = async (c, next) => {
    if (site === 'every') assertAdmin(c);
    // The raw parameter: its shape is validated after, for tokens that may act here.
    if (site === 'path') assertScope(c, c.req.param('site') ?? '');
    assertRole(c, role);
    return next();
  };
  return Object.assign(guard, { access: { role, site } });
}

/** Every admin route starts with one of these (test/server/roles.test.ts walks them all). */
export const access = {
  /** The queues, actions, bans, threads, audit and removals of the path's site. */
  moderator: allow('moderator', 'path'),
  /** The path's site's settings, secrets, export and import. */
  owner: allow('owner', 'path'),
  /** Any token; the route scopes what it finds (a comment's site) or lists only the token's sites. */
  anyModerator: allow('moderator', 'found'),
  /** An owner token; the route scopes what it finds (tokens). */
  anyOwner: allow('owner', 'found'),
  /** An admin token: what spans every site. */
  admin: allow('owner', 'every'),
} satisfies Record<string, Guard>;
