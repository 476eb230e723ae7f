/**
 * Signing and hashing with Web Crypto only, so the app core runs on Node and on Workers alike.
 * Signed values (edit tokens, cursors) are `payload.signature`, both base64url.
 */
const enc = new TextEncoder();

/**
 * Node's own HMAC and SHA-256 where the runtime offers them (Node ≥ 20.16, through
 * process.getBuiltinModule: no import, so this file still runs on Workers): synchronous, where
 * each Web Crypto sign() or digest() is a round trip through the thread pool, about a fifth of a
 * posted comment's CPU under load. The bytes are the same either way.
 */
interface NodeCrypto {
  createHmac(algorithm: 'sha256', key: Uint8Array): { update(data: Uint8Array): { digest(): Uint8Array } };
  createHash(algorithm: 'sha256'): { update(data: Uint8Array): { digest(): Uint8Array } };
}
const nodeCrypto = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.('node:crypto') as NodeCrypto | undefined;

export function base64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64url(s: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) return null;
  try {
    const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
    return Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
  } catch {
    return null;
  }
}

export function randomId(bytes = 12): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** Letters and digits only: safe as a command-line argument (never starts with "-"). */
export function randomHex(bytes = 4): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function sha256(text: string): Promise<string> {
  if (nodeCrypto) return base64url(nodeCrypto.createHash('sha256').update(enc.encode(text)).digest());
  return base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', enc.encode(text))));
}

/**
 * Constant-time comparison: `given` is what the client sent, `expected` what we computed or hold.
 * The time taken depends only on the length of `given` (never on where the strings differ, nor
 * on the length of the secret), so a caller must pass the untrusted value first.
 */
export function safeEqual(given: string, expected: string): boolean {
  let diff = given.length ^ expected.length;
  const n = expected.length || 1;
  for (let i = 0; i < given.length; i++) diff |= given.charCodeAt(i) ^ expected.charCodeAt(i % n);
  return diff === 0;
}

export class Signer {
  private key: Promise<CryptoKey>;
  private readonly raw: Uint8Array<ArrayBuffer>;
  constructor(secret: string) {
    // (The cast: Workers' types answer Uint8Array<ArrayBufferLike> from encode().)
    this.raw = enc.encode(secret) as Uint8Array<ArrayBuffer>;
    this.key = crypto.subtle.importKey('raw', this.raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  }

  async mac(purpose: string, data: string, bytes = 32): Promise<string> {
    const message = enc.encode(`${purpose}\n${data}`);
    if (nodeCrypto) return base64url(nodeCrypto.createHmac('sha256', this.raw).update(message).digest().subarray(0, bytes));
    const sig = await crypto.subtle.sign('HMAC', await this.key, message);
    return base64url(new Uint8Array(sig).subarray(0, bytes));
  }

  /** `payload.signature`: the payload is readable, not secret; the signature makes it tamper-evident. */
  async sign(purpose: string, payload: unknown, bytes = 32): Promise<string> {
    const body = base64url(enc.encode(JSON.stringify(payload)));
    return `${body}.${await this.mac(purpose, body, bytes)}`;
  }

  /** The payload, or null when the value was not signed by us for this purpose. */
  async verify<T>(purpose: string, value: string, bytes = 32): Promise<T | null> {
    const dot = value.indexOf('.');
    if (dot < 1) return null;
    const body = value.slice(0, dot);
    if (!safeEqual(value.slice(dot + 1), await this.mac(purpose, body, bytes))) return null;
    const raw = fromBase64url(body);
    if (!raw) return null;
    try {
      return JSON.parse(new TextDecoder().decode(raw)) as T;
    } catch {
      return null;
    }
  }
}
