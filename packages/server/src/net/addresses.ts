/**
 * Which IP addresses the server may call: pure parsing and classification, no DNS, no runtime.
 *
 * An address is 16 bytes (IPv4 as its IPv4-mapped IPv6 form, ::ffff:a.b.c.d), so one table of
 * ranges covers both families, and an IPv4 address hidden in IPv6 (mapped, NAT64, 6to4) is
 * judged as the IPv4 address it reaches.
 */

export type Bytes = Uint8Array;

/** Dotted-quad IPv4 (as the WHATWG URL parser writes every IPv4 spelling) to 4 bytes, or null. */
export function parseIpv4(s: string): Bytes | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    if (!/^(0|[1-9]\d{0,2})$/.test(parts[i])) return null;
    const n = Number(parts[i]);
    if (n > 255) return null;
    out[i] = n;
  }
  return out;
}

/** IPv6 text (no brackets, no zone) to 16 bytes, or null. Accepts an IPv4 tail (::ffff:1.2.3.4). */
export function parseIpv6(s: string): Bytes | null {
  if (!s.includes(':') || s.length > 45) return null;
  let tail: Bytes | null = null;
  let text = s.toLowerCase();
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    tail = parseIpv4(text.slice(lastColon + 1));
    if (!tail) return null;
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const group = (h: string) => (h === '' ? [] : h.split(':'));
  const head = group(halves[0]);
  const rest = halves.length === 2 ? group(halves[1]) : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const groups = [...head, ...Array(halves.length === 2 ? missing : 0).fill('0'), ...rest];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    if (!/^[0-9a-f]{1,4}$/.test(groups[i])) return null;
    const n = parseInt(groups[i], 16);
    out[2 * i] = n >> 8;
    out[2 * i + 1] = n & 0xff;
  }
  if (tail) out.set(tail, 12);
  return out;
}

const MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

/** Any IP address text (IPv4 dotted, IPv6 with or without brackets) as 16 bytes, or null. */
export function parseIp(s: string): Bytes | null {
  const bare = s.startsWith('[') && s.endsWith(']') ? s.slice(1, -1) : s;
  const v4 = parseIpv4(bare);
  if (v4) return Uint8Array.from([...MAPPED_PREFIX, ...v4]);
  return parseIpv6(bare.replace(/%.*$/, ''));
}

export interface Cidr {
  bytes: Bytes;
  /** Prefix length in the 128-bit space (an IPv4 /8 is /104). */
  prefix: number;
}

/** `10.0.0.0/8`, `fd00::/8`, or a single address (a /32 or /128). Null when it is not one. */
export function parseCidr(s: string): Cidr | null {
  const [addr, len, extra] = s.split('/');
  if (extra !== undefined) return null;
  const bytes = parseIp(addr);
  if (!bytes) return null;
  const v4 = parseIpv4(addr) !== null;
  const max = v4 ? 32 : 128;
  if (len !== undefined && !/^\d{1,3}$/.test(len)) return null;
  const n = len === undefined ? max : Number(len);
  if (n > max) return null;
  return { bytes, prefix: v4 ? n + 96 : n };
}

export function inCidr(ip: Bytes, net: Cidr): boolean {
  const full = net.prefix >> 3, bits = net.prefix & 7;
  for (let i = 0; i < full; i++) if (ip[i] !== net.bytes[i]) return false;
  if (bits === 0) return true;
  const mask = (0xff << (8 - bits)) & 0xff;
  return (ip[full] & mask) === (net.bytes[full] & mask);
}

const cidr = (s: string) => parseCidr(s)!;

/** Ranges the server never calls unless the operator allows them, with the reason it says. */
const REFUSED: [Cidr, string][] = ([
  // IPv4 (as mapped addresses)
  ['0.0.0.0/8', 'an unspecified ("this network") address'],
  ['10.0.0.0/8', 'a private address'],
  ['100.64.0.0/10', 'a carrier-grade NAT (shared) address'],
  ['127.0.0.0/8', 'a loopback address'],
  ['169.254.0.0/16', 'a link-local address (cloud metadata lives here)'],
  ['172.16.0.0/12', 'a private address'],
  ['192.0.0.0/24', 'a reserved (IETF protocol) address'],
  ['192.0.2.0/24', 'a documentation address'],
  ['192.88.99.0/24', 'a reserved (6to4 relay) address'],
  ['192.168.0.0/16', 'a private address'],
  ['198.18.0.0/15', 'a reserved (benchmarking) address'],
  ['198.51.100.0/24', 'a documentation address'],
  ['203.0.113.0/24', 'a documentation address'],
  ['224.0.0.0/4', 'a multicast address'],
  ['240.0.0.0/4', 'a reserved or broadcast address'],
  // IPv6
  ['::/128', 'an unspecified address'],
  ['::1/128', 'a loopback address'],
  ['::/96', 'a reserved (IPv4-compatible) address'],
  ['100::/64', 'a discard-only address'],
  ['2001:db8::/32', 'a documentation address'],
  ['2001::/23', 'a reserved (IETF protocol) address'],
  ['fc00::/7', 'a unique-local (private) address'],
  ['fe80::/10', 'a link-local address'],
  ['fec0::/10', 'a site-local (deprecated private) address'],
  ['ff00::/8', 'a multicast address'],
] as const).map(([c, why]) => [cidr(c), why]);

/** IPv6 prefixes that carry an IPv4 address the packet ends up at: judged by that address. */
const EMBEDS_IPV4: [Cidr, (ip: Bytes) => Bytes][] = [
  [cidr('::ffff:0:0/96'), (ip) => ip.slice(12, 16)], // IPv4-mapped
  [cidr('64:ff9b::/96'), (ip) => ip.slice(12, 16)], // NAT64, well-known prefix
  [cidr('64:ff9b:1::/48'), (ip) => ip.slice(12, 16)], // NAT64, local-use prefix (RFC 8215)
  [cidr('2002::/16'), (ip) => ip.slice(2, 6)], // 6to4
];

/** The IPv4 address an IPv6 address reaches, if it embeds one (mapped, NAT64, 6to4). */
export function embeddedIpv4(ip: Bytes): Bytes | null {
  for (const [net, take] of EMBEDS_IPV4) if (inCidr(ip, net)) return take(ip);
  return null;
}

/** Why an address may not be called ("a private address"), or null when it is a public one. */
export function refusedReason(ip: Bytes): string | null {
  const v4 = embeddedIpv4(ip);
  const judged = v4 ? Uint8Array.from([...MAPPED_PREFIX, ...v4]) : ip;
  for (const [net, why] of REFUSED) if (inCidr(judged, net)) return why;
  return null;
}

/** The address as text, for messages: dotted IPv4 for mapped addresses, else full IPv6 groups. */
export function formatIp(ip: Bytes): string {
  if (inCidr(ip, EMBEDS_IPV4[0][0])) return Array.from(ip.slice(12)).join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((ip[i] << 8) | ip[i + 1]).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

/**
 * Names that always point inside (cloud metadata services, `localhost`): refused before any DNS
 * lookup, also on Workers where there is none.
 */
export function refusedName(host: string): string | null {
  const h = host.toLowerCase().replace(/\.$/, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return 'a loopback name';
  if (['metadata.google.internal', 'metadata.goog', 'metadata', 'instance-data', 'instance-data.ec2.internal', 'metadata.azure.com'].includes(h)) {
    return 'a cloud metadata name';
  }
  return null;
}
