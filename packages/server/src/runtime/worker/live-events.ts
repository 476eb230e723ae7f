/** AppDeps.liveEvents on Workers: the events route forwards to the thread's Durable Object. */
import type { LiveEvents } from '../../context.js';
import type { ThreadEvents } from './thread-events.js';

export const threadObjectName = (siteId: string, key: string) => `${siteId}\n${key}`;

export function forwardLiveEvents(ns: DurableObjectNamespace<ThreadEvents>): LiveEvents {
  return (_c, siteId, key, lastSeen) => {
    const stub = ns.get(ns.idFromName(threadObjectName(siteId, key)));
    const query = new URLSearchParams({ site: siteId, thread: key });
    return stub.fetch(`https://thread-events/?${query}`, { headers: lastSeen ? { 'last-event-id': lastSeen } : {} });
  };
}
