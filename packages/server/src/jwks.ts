/**
 * The publishers' signing keys (a JWKS document at the site's `ssoJwksUrl`), fetched through the
 * outbound guard (`s.fetch`) and kept briefly: a key is reused for 10 minutes, an unknown `kid`
 * refetches the document at most once a minute (a publisher rotating keys), and a failed fetch
 * is not retried for 30 seconds, so a stream of tokens never becomes a stream of requests.
 */
import { ApiError } from './errors.js';
import type { Services } from './context.js';

export type AsymmetricAlg = 'RS256' | 'ES256';

/** A public key as WebCrypto imports it: only the public members, nothing a JWKS could add. */
export type PublicJwk = { kty: 'RSA'; n: string; e: string } | { kty: 'EC'; crv: 'P-256'; x: string; y: string };

interface Entry {
  keys: { kid: string; alg?: string; jwk: PublicJwk }[];
  fetchedAt: number;
  failedAt?: number;
  failure?: string;
}

export const JWKS_FRESH_MS = 10 * 60_000;
const REFETCH_UNKNOWN_KID_MS = 60_000;
const FAILURE_MS = 30_000;
const TIMEOUT_MS = 5_000;
const MAX_BYTES = 64 * 1024;
const MAX_KEYS = 50;
const MAX_URLS = 200;

/** One per app: the documents of every site's JWKS URL, by URL. */
export class JwksCache {
  private entries = new Map<string, Entry>();
  private inFlight = new Map<string, Promise<Entry>>();

  /**
   * The key `kid` for `alg`, or null when the publisher has none (a 401 for the caller). Throws
   * 503 when the document cannot be had and no fresh copy is kept.
   */
  async key(s: Pick<Services, 'fetch' | 'now'>, url: string, kid: string, alg: AsymmetricAlg): Promise<PublicJwk | null> {
    const now = s.now();
    let entry = this.entries.get(url);
    const fresh = entry && now - entry.fetchedAt < JWKS_FRESH_MS;
    if (!fresh || (!find(entry!, kid, alg) && now - entry!.fetchedAt >= REFETCH_UNKNOWN_KID_MS)) {
      if (entry?.failedAt !== undefined && now - entry.failedAt < FAILURE_MS) {
        if (!fresh) throw unavailable(entry.failure!);
      } else {
        entry = await this.refresh(s, url, entry);
      }
    }
    return entry ? find(entry, kid, alg) : null;
  }

  private refresh(s: Pick<Services, 'fetch' | 'now'>, url: string, old: Entry | undefined): Promise<Entry> {
    let p = this.inFlight.get(url);
    if (!p) {
      p = fetchKeys(s, url).then(
        (keys) => this.remember(url, { keys, fetchedAt: s.now() }),
        (e: Error) => {
          // A fresh old copy stays usable; the failure is remembered so it is not retried at once.
          const failed = this.remember(url, { ...(old ?? { keys: [], fetchedAt: -Infinity }), failedAt: s.now(), failure: e.message });
          if (old && s.now() - old.fetchedAt < JWKS_FRESH_MS) return failed;
          throw e instanceof ApiError ? e : unavailable(e.message);
        },
      ).finally(() => this.inFlight.delete(url));
      this.inFlight.set(url, p);
    }
    return p;
  }

  private remember(url: string, entry: Entry): Entry {
    this.entries.delete(url);
    // Bounded: the oldest URL goes first (sites are few; this only stops unbounded growth).
    if (this.entries.size >= MAX_URLS) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(url, entry);
    return entry;
  }
}

const unavailable = (why: string) =>
  new ApiError(503, 'server_busy', `The publisher's sign-in keys (the site's ssoJwksUrl) could not be fetched: ${why}. Try again in a minute`, undefined, { 'Retry-After': '30' });

function find(entry: Entry, kid: string, alg: AsymmetricAlg): PublicJwk | null {
  const kty = alg === 'RS256' ? 'RSA' : 'EC';
  // A key that names another algorithm is never used for this one (no algorithm confusion).
  return entry.keys.find((k) => k.kid === kid && k.jwk.kty === kty && (k.alg === undefined || k.alg === alg))?.jwk ?? null;
}

async function fetchKeys(s: Pick<Services, 'fetch'>, url: string): Promise<Entry['keys']> {
  let res: Response;
  try {
    res = await s.fetch(url, { headers: { accept: 'application/json', 'user-agent': 'Taliq-JWKS/1' }, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (e) {
    const err = e as Error;
    throw new Error(err.name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS / 1000} s` : err.message || 'network error');
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`it answered HTTP ${res.status}${res.status >= 300 && res.status < 400 ? ' (redirects are not followed)' : ''}`);
  }
  const text = await readCapped(res, MAX_BYTES);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error('its answer is not JSON');
  }
  const list = (doc as { keys?: unknown })?.keys;
  if (!Array.isArray(list)) throw new Error('its answer has no "keys" list (not a JWKS document)');
  const keys: Entry['keys'] = [];
  for (const k of list.slice(0, MAX_KEYS)) {
    const key = publicKey(k);
    if (key) keys.push(key);
  }
  return keys;
}

/** The usable signing keys of a JWKS: RSA of 2048 bits or more, EC on P-256; anything else is skipped. */
function publicKey(k: unknown): Entry['keys'][number] | null {
  if (!k || typeof k !== 'object') return null;
  const o = k as Record<string, unknown>;
  const str = (v: unknown) => typeof v === 'string' && v.length > 0 && v.length <= 2048 && /^[A-Za-z0-9_-]+$/.test(v);
  if (typeof o.kid !== 'string' || !o.kid || o.kid.length > 200) return null;
  if (o.use !== undefined && o.use !== 'sig') return null;
  if (o.alg !== undefined && o.alg !== 'RS256' && o.alg !== 'ES256') return null;
  const alg = o.alg as AsymmetricAlg | undefined;
  if (o.kty === 'RSA' && str(o.n) && str(o.e) && (o.n as string).length >= 342) {
    return { kid: o.kid, alg, jwk: { kty: 'RSA', n: o.n as string, e: o.e as string } };
  }
  if (o.kty === 'EC' && o.crv === 'P-256' && str(o.x) && str(o.y)) {
    return { kid: o.kid, alg, jwk: { kty: 'EC', crv: 'P-256', x: o.x as string, y: o.y as string } };
  }
  return null;
}

/** The body as text, refusing more than `max` bytes without reading them all. */
async function readCapped(res: Response, max: number): Promise<string> {
  if (Number(res.headers.get('content-length') ?? 0) > max) {
    await res.body?.cancel();
    throw new Error(`its answer is larger than ${max / 1024} KiB`);
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw new Error(`its answer is larger than ${max / 1024} KiB`);
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return new TextDecoder().decode(all);
}
