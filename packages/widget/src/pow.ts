/**
 * taliq-pow.js: solves the server's proof-of-work challenge (ALTCHA's format) for sites under
 * attack, finding the number whose SHA-256 with the salt is the challenge. Web Crypto only, so it
 * runs under a strict Content-Security-Policy. Fetched by taliq.js only on sites that ask for it.
 */
export interface Challenge {
  algorithm: string;
  challenge: string;
  maxnumber: number;
  salt: string;
  signature: string;
}

const hex = (b: ArrayBuffer) => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('');

/** The `Taliq-Pow` header value: the solved challenge as base64 JSON, or null when none is found. */
export async function solve(c: Challenge): Promise<string | null> {
  const enc = new TextEncoder();
  for (let n = 0; n <= c.maxnumber; n++) {
    if (hex(await crypto.subtle.digest('SHA-256', enc.encode(c.salt + n))) === c.challenge) return btoa(JSON.stringify({ ...c, number: n }));
  }
  return null;
}
