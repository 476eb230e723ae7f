/**
 * Sign-in through the publisher: the widget's `token` is a JWT that the publisher's own site
 * signs, with the site's SSO secret (HS256) or, when the site has an `ssoJwksUrl`, with one of
 * the publisher's keys published there (RS256, ES256). A valid token makes the reader a verified
 * author with a stable identity across devices.
 *
 * Signatures are checked by `hono/jwt` (maintained, WebCrypto); the algorithm is ours to choose,
 * never the token's: HS256 only with our secrets, RS256/ES256 only with a key of that type from
 * the site's JWKS. The times are checked here, against the app's clock: `exp` is required and at
 * most SSO_MAX_LIFETIME_S ahead, with SSO_SKEW_S of clock skew either way.
 */
import { z } from 'zod';
import { decode, sign, verify } from 'hono/jwt';
import { AuthorName } from '../../shared/src/index.js';
import { ApiError } from './errors.js';
import type { Services } from './context.js';
import type { AsymmetricAlg } from './jwks.js';
import { base64url, fromBase64url } from './crypto.js';
import { verifyingSecrets } from './site-secrets.js';

/** Clock skew allowed between the publisher's clock and ours, both ways. */
export const SSO_SKEW_S = 60;
/** A token may not expire more than 30 days from now: a leaked one cannot sign a reader in for ever. */
export const SSO_MAX_LIFETIME_S = 30 * 24 * 3600;
const TOKEN_MAX = 4096;

const NumericDate = z.number().finite();
const Claims = z.object({
  sub: z.string().min(1).max(200),
  // The anonymous reader's rule: a name of invisible marks only (ZWSP…) is no name.
  name: AuthorName,
  email: z.email().optional(),
  exp: NumericDate,
  nbf: NumericDate.optional(),
  iat: NumericDate.optional(),
  aud: z.union([z.string(), z.array(z.string()).max(20)]).optional(),
});
export type SsoUser = z.infer<typeof Claims>;

/**
 * Every HS256 secret a site's tokens may be signed with, current first: the site's stored
 * `ssoSecret`, and after a rotation the one it replaced, for the grace period.
 */
export function hs256Secrets(s: Services, siteId: string): Promise<string[]> {
  return verifyingSecrets(s, siteId, 'sso');
}

/** A token for tests and for publishers' reference (HS256): header.payload.signature. */
export async function signSsoToken(secret: string, claims: Record<string, unknown>): Promise<string> {
  return sign(claims, await hmacKey(secret, ['sign']), 'HS256');
}

// A CryptoKey, not the string: hono/jwt would read a string holding "PUBLIC" or "PRIVATE" as PEM.
const hmacKey = (secret: string, usages: ('sign' | 'verify')[]) =>
  crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, usages);

const unauthorized = (why: string) => new ApiError(401, 'unauthorized', `The sign-in token is not valid (${why}); sign in again`);

/** The signed-in reader, or null without a token; a bad, forged or expired token is a 401. */
export async function verifySsoToken(s: Services, siteId: string, token: string | undefined): Promise<SsoUser | null> {
  if (!token) return null;
  if (token.length > TOKEN_MAX) throw unauthorized(`longer than ${TOKEN_MAX} characters`);
  let header: Record<string, unknown>;
  try {
    header = decode(token).header as unknown as Record<string, unknown>;
  } catch {
    throw unauthorized('not a JWT');
  }
  if (!header || typeof header !== 'object') throw unauthorized('not a JWT');
  // One spelling per signature: base64url's unused trailing bits must be zero, so a changed
  // token is never the same token (decoders ignore those bits).
  const signature = token.slice(token.lastIndexOf('.') + 1);
  const raw = fromBase64url(signature);
  if (!raw || base64url(raw) !== signature) throw unauthorized('signature encoding');
  const alg = header.alg;
  let payload: unknown;
  if (alg === 'HS256') {
    payload = await verifyHs256(token, await hs256Secrets(s, siteId));
  } else if (alg === 'RS256' || alg === 'ES256') {
    payload = await verifyWithSiteKeys(s, siteId, token, alg, header.kid);
  } else {
    throw unauthorized(`algorithm ${typeof alg === 'string' ? JSON.stringify(alg.slice(0, 20)) : 'missing'}; HS256, RS256 or ES256 are accepted`);
  }
  const parsed = Claims.safeParse(payload);
  if (!parsed.success) throw unauthorized(`claims: ${parsed.error.issues.map((i) => i.path.join('.') || 'payload').slice(0, 3).join(', ')}`);
  checkTimes(parsed.data, s.now() / 1000);
  checkAudience(parsed.data, siteId);
  return parsed.data;
}

// Times are ours to check (hono/jwt's use Date.now() and no skew): its own checks are off.
const SIGNATURE_ONLY = { exp: false, nbf: false, iat: false } as const;

async function verifyHs256(token: string, secrets: string[]): Promise<unknown> {
  for (const secret of secrets) {
    try {
      return await verify(token, await hmacKey(secret, ['verify']), { alg: 'HS256', ...SIGNATURE_ONLY });
    } catch { /* the next secret, if any */ }
  }
  throw unauthorized('signature');
}

async function verifyWithSiteKeys(s: Services, siteId: string, token: string, alg: AsymmetricAlg, kid: unknown): Promise<unknown> {
  const url = (await s.store.getSite(siteId))?.settings.ssoJwksUrl;
  if (!url) throw unauthorized(`${alg} needs the site's ssoJwksUrl; this site takes HS256 tokens signed with its ssoSecret`);
  if (typeof kid !== 'string' || !kid) throw unauthorized(`${alg} tokens need a "kid" in their header`);
  const jwk = await s.jwks.key(s, url, kid, alg);
  if (!jwk) throw unauthorized(`no ${alg} key "${kid.slice(0, 50)}" at the site's ssoJwksUrl`);
  try {
    return await verify(token, jwk, { alg, ...SIGNATURE_ONLY });
  } catch {
    throw unauthorized('signature');
  }
}

function checkTimes(claims: SsoUser, now: number) {
  if (claims.exp < now - SSO_SKEW_S) throw unauthorized('expired');
  if (claims.exp > now + SSO_MAX_LIFETIME_S + SSO_SKEW_S) throw unauthorized('exp is more than 30 days away');
  if (claims.nbf !== undefined && claims.nbf > now + SSO_SKEW_S) throw unauthorized('not valid yet (nbf)');
  if (claims.iat !== undefined && claims.iat > now + SSO_SKEW_S) throw unauthorized('issued in the future (iat)');
}

/** `aud`, when present, names the site: a token for another site (or another service) is refused. */
function checkAudience(claims: SsoUser, siteId: string) {
  if (claims.aud === undefined) return;
  const auds = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!auds.includes(siteId)) throw unauthorized(`aud must be the site id "${siteId}"`);
}
