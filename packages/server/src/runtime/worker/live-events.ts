/** AppDeps.liveEvents on Workers: the events route forwards to the thread's Durable Object. */
import type { LiveEvents } from '../../context.js';
import type { ThreadEvents } from './thread-events.js';
import type { Signer } from '../../crypto.js';
import { limitSubject } from '../../abuse/client-ip.js';

export const threadObjectName = (siteId: string, key: string) => `${siteId}\n${key}`;

/** `signer`: the app's, for the keyed hash of the reader's address the thread's object leases by. */
export function forwardLiveEvents(ns: DurableObjectNamespace<ThreadEvents>, signer: Signer): LiveEvents {
  return async (c, siteId, key, lastSeen) => {
    const stub = ns.get(ns.idFromName(threadObjectName(siteId, key)));
    const query = new URLSearchParams({ site: siteId, thread: key });
    const headers: Record<string, string> = {};
    if (lastSeen) headers['last-event-id'] = lastSeen;
    // The reader's address (set by Cloudflare's edge), counted by the object against its cap.
    const ip = c.req.header('cf-connecting-ip');
    if (ip) {
      headers['cf-connecting-ip'] = ip;
      headers['x-taliq-address'] = await signer.mac('streams', limitSubject(ip), 12);
    }
    return stub.fetch(`https://thread-events/?${query}`, { headers });
  };
}
