/**
 * Sign-in through the publisher: the widget's `token` is a JWT (HS256) that the publisher's own
 * site signs with the site's SSO secret. A valid token makes the reader a verified author with
 * a stable identity across devices.
 */
import { z } from 'zod';
import { LIMITS, cleanText } from '../../shared/src/index.js';
import { ApiError } from './errors.js';
import type { Services } from './context.js';
import { base64url, fromBase64url, safeEqual } from './crypto.js';

const enc = new TextEncoder();

const Claims = z.object({
  sub: z.string().min(1).max(200),
  name: z.string().transform((s) => cleanText(s, false)).pipe(z.string().min(1).max(LIMITS.nameMax)),
  email: z.email().optional(),
  exp: z.number().optional(),
  nbf: z.number().optional(),
});
export type SsoUser = z.infer<typeof Claims>;

/** The secret a publisher signs readers' tokens with; shown to the site's moderators. */
export const ssoSecret = (s: Services, siteId: string) => s.signer.mac('sso', siteId, 24).then((m) => `ssosec_${m}`);

async function hs256(secret: string, data: string) {
  const key = await crypto.subtle.importKey('raw', enc.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return base64url(new Uint8Array(await crypto.subtle.sign('HMAC', key, enc.encode(data))));
}

/** A token for tests and for publishers' reference: header.payload.signature. */
export async function signSsoToken(secret: string, claims: Record<string, unknown>): Promise<string> {
  const part = (o: unknown) => base64url(enc.encode(JSON.stringify(o)));
  const data = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
  return `${data}.${await hs256(secret, data)}`;
}

/** The signed-in reader, or null without a token; a bad or expired token is a 401. */
export async function verifySsoToken(s: Services, siteId: string, token: string | undefined): Promise<SsoUser | null> {
  if (!token) return null;
  const invalid = () => new ApiError(401, 'unauthorized', 'The sign-in token is not valid; sign in again');
  const parts = token.split('.');
  if (parts.length !== 3 || token.length > 4096) throw invalid();
  const header = fromBase64url(parts[0]);
  try {
    if (!header || JSON.parse(new TextDecoder().decode(header)).alg !== 'HS256') throw invalid();
  } catch {
    throw invalid();
  }
  if (!safeEqual(parts[2], await hs256(await ssoSecret(s, siteId), `${parts[0]}.${parts[1]}`))) throw invalid();
  let claims: SsoUser;
  try {
    claims = Claims.parse(JSON.parse(new TextDecoder().decode(fromBase64url(parts[1]) ?? new Uint8Array())));
  } catch {
    throw invalid();
  }
  const now = s.now() / 1000;
  if ((claims.exp !== undefined && claims.exp < now - 60) || (claims.nbf !== undefined && claims.nbf > now + 60)) throw invalid();
  return claims;
}
