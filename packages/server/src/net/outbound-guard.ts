/**
 * The guard on every request the server makes (webhooks, the moderation hook, a JWKS URL): a
 * URL may not lead into the server's own network — loopback, private, link-local, CGNAT,
 * unique-local, multicast, reserved or cloud-metadata addresses — unless the operator lists it in
 * `TALIQ_ALLOWED_HOOK_HOSTS`.
 *
 * Checked twice: when a URL is set (its spelling and literal address, and where it resolves
 * now), and when it is called (where it resolves then: DNS can change). createApp wraps
 * `services.fetch` with `guardFetch`, so no call through `s.fetch` skips the check, and none
 * follows a redirect. The DNS lookup is the runtime's (`resolveHost`: node:dns on Node); Workers
 * have none and check literal addresses and names only.
 */
import { formatIp, inCidr, parseCidr, parseIp, refusedName, refusedReason, type Bytes, type Cidr } from './addresses.js';

/** One TALIQ_ALLOWED_HOOK_HOSTS entry: a name or an address range, on any port or one. */
export type AllowEntry = { name: string; port?: string } | { net: Cidr; port?: string };

export interface OutboundPolicy {
  allow: AllowEntry[];
  /** Every address a name resolves to now; absent where the runtime has no DNS (Workers). */
  resolve?: (host: string) => Promise<string[]>;
}

export class OutboundRefused extends Error {
  override name = 'OutboundRefused';
}

/**
 * Parses TALIQ_ALLOWED_HOOK_HOSTS: comma-separated `host`, `host:port`, IP addresses
 * (`[::1]:8080` with a port), or CIDRs (`10.0.0.0/8`). Throws on an entry it cannot read, so a
 * typo does not silently allow nothing.
 */
export function parseAllowList(raw: string | undefined): AllowEntry[] {
  const out: AllowEntry[] = [];
  for (const part of (raw ?? '').split(',')) {
    const entry = part.trim();
    if (!entry) continue;
    const bad = () => new Error(`TALIQ_ALLOWED_HOOK_HOSTS: cannot read "${entry}" (expected a host, host:port, IP address or CIDR such as 10.0.0.0/8)`);
    if (entry.includes('/')) {
      const net = parseCidr(entry);
      if (!net) throw bad();
      out.push({ net });
      continue;
    }
    // A bare IPv6 address has several colons and no brackets.
    if ((entry.match(/:/g) ?? []).length > 1 && !entry.startsWith('[')) {
      const net = parseCidr(entry);
      if (!net) throw bad();
      out.push({ net });
      continue;
    }
    let url: URL;
    try {
      url = new URL(`http://${entry}/`);
    } catch {
      throw bad();
    }
    if (url.username || url.password || url.pathname !== '/' || url.search || url.hash) throw bad();
    const explicitPort = /:(\d+)$/.exec(entry)?.[1];
    const port = explicitPort === undefined ? undefined : String(Number(explicitPort));
    const ip = parseIp(url.hostname);
    if (ip) out.push({ net: { bytes: ip, prefix: 128 }, port });
    else out.push({ name: url.hostname.replace(/\.$/, ''), port });
  }
  return out;
}

const portOf = (url: URL) => url.port || (url.protocol === 'https:' ? '443' : '80');
const portMatches = (e: AllowEntry, url: URL) => e.port === undefined || e.port === portOf(url);

/** The operator listed this name (on this port, or any): it is called wherever it resolves. */
export function allowsName(allow: AllowEntry[], url: URL): boolean {
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  return allow.some((e) => 'name' in e && e.name === host && portMatches(e, url));
}

function allowsAddress(allow: AllowEntry[], url: URL, ip: Bytes): boolean {
  return allow.some((e) => 'net' in e && inCidr(ip, e.net) && portMatches(e, url));
}

/**
 * Why the server may not call `raw` ("… resolves to 10.1.2.3, a private address"), or null.
 * `lookup: 'strict'` (send time) refuses a name that does not resolve; `'lenient'` (set time)
 * lets it be, as the send-time check will see it; `'none'` checks spelling and literals only.
 */
export async function whyRefused(raw: string, policy: OutboundPolicy, lookup: 'strict' | 'lenient' | 'none' = 'strict'): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'it is not a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `its scheme is ${url.protocol.slice(0, -1)}; only http and https are called`;
  if (url.username || url.password) return 'it carries a user name or password; put credentials in the receiver, not the URL';
  const host = url.hostname;
  const literal = parseIp(host);
  if (literal) {
    if (allowsAddress(policy.allow, url, literal)) return null;
    const why = refusedReason(literal);
    return why ? `${host} is ${why}` : null;
  }
  if (allowsName(policy.allow, url)) return null;
  const named = refusedName(host);
  if (named) return `${host} is ${named}`;
  if (lookup === 'none' || !policy.resolve) return null;
  let addresses: string[];
  try {
    addresses = await policy.resolve(host);
  } catch (e) {
    return lookup === 'strict' ? `${host} does not resolve (${(e as Error).message})` : null;
  }
  if (!addresses.length) return lookup === 'strict' ? `${host} does not resolve` : null;
  return whyAddressesRefused(url, addresses, policy);
}

/**
 * Why the addresses `url`'s name resolved to may not be called (one internal address among
 * public ones is enough), or null. Also used where the connection is made (runtime/pinned-fetch.ts).
 */
export function whyAddressesRefused(url: URL, addresses: string[], policy: Pick<OutboundPolicy, 'allow'>): string | null {
  const host = url.hostname;
  if (allowsName(policy.allow, url)) return null;
  for (const a of addresses) {
    const ip = parseIp(a);
    if (!ip) return `${host} resolves to "${a}", which is not an address`;
    if (allowsAddress(policy.allow, url, ip)) continue;
    const why = refusedReason(ip);
    if (why) return `${host} resolves to ${formatIp(ip)}, ${why}`;
  }
  return null;
}

/**
 * `fetch` that refuses guarded targets (throws OutboundRefused, after one log line) and never
 * follows a redirect: a 3xx comes back as the answer, which callers count as a failure.
 */
export function guardFetch(inner: typeof fetch, policy: OutboundPolicy): typeof fetch {
  return async (input, init) => {
    const raw = input instanceof Request ? input.url : String(input);
    const why = await whyRefused(raw, policy, 'strict');
    if (why) {
      let where = raw;
      try {
        where = new URL(raw).origin;
      } catch { /* not a URL: quoted as given */ }
      console.warn(`taliq: outgoing request to ${where} refused: ${why} (TALIQ_ALLOWED_HOOK_HOSTS lists internal targets the server may call)`);
      throw new OutboundRefused(`refused: ${why}`);
    }
    return inner(input, { ...init, redirect: 'manual' });
  };
}
