/**
 * Proof of work for sites under attack, in ALTCHA's format: the server issues a signed
 * challenge, the browser finds `number` such that SHA-256(salt + number) = challenge, and the
 * server checks the answer once. The signature binds every parameter (salt included); challenges
 * are bound to a site, expire, and are single use (counted in the rate limiter, so several
 * instances sharing Redis agree).
 */
import type { Services } from '../context.js';
import { randomHex, safeEqual } from '../crypto.js';

export const POW_MAX_NUMBER = 100_000;
const TTL_SECONDS = 600;
const enc = new TextEncoder();
const hex = (buf: ArrayBuffer) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');
const sha256Hex = async (s: string) => hex(await crypto.subtle.digest('SHA-256', enc.encode(s)));

export interface Challenge {
  algorithm: 'SHA-256';
  challenge: string;
  maxnumber: number;
  salt: string;
  signature: string;
}

export async function createChallenge(s: Services, siteId: string): Promise<Challenge> {
  const expires = Math.floor(s.now() / 1000) + TTL_SECONDS;
  const salt = `${randomHex(12)}?expires=${expires}&site=${encodeURIComponent(siteId)}`;
  const number = crypto.getRandomValues(new Uint32Array(1))[0] % POW_MAX_NUMBER;
  const challenge = await sha256Hex(salt + number);
  return { algorithm: 'SHA-256', challenge, maxnumber: POW_MAX_NUMBER, salt, signature: await signChallenge(s, challenge, POW_MAX_NUMBER, salt) };
}

/**
 * The MAC covers every parameter, as a JSON array: a MAC of the challenge alone would accept the
 * same hash input cut elsewhere ("…site=news1" + 23 is "…site=news12" + 3), moving a digit
 * between the salt (which names the site and the expiry) and the number.
 */
const signChallenge = (s: Services, challenge: string, maxnumber: number, salt: string) =>
  s.signer.mac('pow', JSON.stringify(['SHA-256', challenge, maxnumber, salt]));

/** True when `payload` (base64 JSON of the solved challenge) is a fresh, unused answer for this site. */
export async function verifySolution(s: Services, siteId: string, payload: string | undefined): Promise<boolean> {
  if (!payload || payload.length > 2000) return false;
  let p: { algorithm?: unknown; challenge?: unknown; number?: unknown; salt?: unknown; signature?: unknown };
  try {
    p = JSON.parse(atob(payload));
  } catch {
    return false;
  }
  if (p.algorithm !== 'SHA-256' || typeof p.challenge !== 'string' || typeof p.salt !== 'string' || typeof p.signature !== 'string') return false;
  if (!Number.isInteger(p.number) || (p.number as number) < 0 || (p.number as number) > POW_MAX_NUMBER) return false;
  const params = new URLSearchParams(p.salt.split('?')[1] ?? '');
  if (params.get('site') !== siteId || Number(params.get('expires')) * 1000 < s.now()) return false;
  // ALTCHA's answer does not carry maxnumber: it was ours, signed as issued.
  if (!safeEqual(p.signature, await signChallenge(s, p.challenge, POW_MAX_NUMBER, p.salt))) return false;
  if ((await sha256Hex(p.salt + p.number)) !== p.challenge) return false;
  // Single use: the first answer passes, any replay within the lifetime is refused. A limiter
  // that cannot answer (an overloaded Durable Object) must not turn posting into 500s: the answer
  // has been checked, only its single use cannot be, as enforceLimit lets through. The Redis
  // limiter does not throw: while Redis is down each process remembers the answers it took.
  try {
    return (await s.limiter.hit(`pow:${p.challenge}`, 1, TTL_SECONDS * 1000)).allowed;
  } catch (e) {
    console.warn('taliq: rate limiter unavailable, proof of work accepted without its single-use check:', (e as Error).message);
    return true;
  }
}
