/**
 * The client's address, and the keys rate limits count it under. Pure functions: the runtime
 * passes what the connection and the headers say.
 */

/**
 * With `trustedHops` proxies in front (each appending the address it received from to
 * X-Forwarded-For), the client is the entry that many places from the end. Anything further left
 * was written by the client and is never believed; with no trusted proxy the header is ignored.
 */
export function clientIpFrom(remote: string | undefined, forwardedFor: string | undefined, trustedHops: number): string | undefined {
  if (trustedHops <= 0 || !forwardedFor) return remote;
  const hops = forwardedFor.split(',').map((s) => s.trim()).filter(Boolean);
  if (hops.length === 0) return remote;
  return bareAddress(hops[Math.max(hops.length - trustedHops, 0)]);
}

/**
 * Some proxies write the port too (`1.2.3.4:5678`, `[2001:db8::1]:443`): without it, else every
 * new connection of one reader would be a new address to the limits and stream caps.
 */
function bareAddress(hop: string): string {
  const v6 = hop.match(/^\[([^\]]+)\](?::\d+)?$/);
  if (v6) return v6[1];
  return hop.match(/^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/)?.[1] ?? hop;
}

/** IPv6 addresses are limited per /64 (one subscriber's network); IPv4 per address. */
export function limitSubject(ip: string): string {
  const v4 = ip.match(/^(?:::ffff:)?(\d{1,3}(?:\.\d{1,3}){3})$/i);
  if (v4) return v4[1];
  if (!ip.includes(':')) return ip;
  const [head, tail = ''] = ip.toLowerCase().split('%')[0].split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array(Math.max(8 - left.length - right.length, 0)).fill('0'), ...right] : left;
  return groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':') + '::/64';
}
