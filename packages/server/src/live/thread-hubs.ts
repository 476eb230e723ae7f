/**
 * Live updates on one instance: one ThreadHub per thread that has readers, so the readers of one
 * article share one read of the event log per interval instead of one each. A hub is dropped
 * when its last reader leaves. (Workers keep the hub in a Durable Object per thread instead.)
 * Every stream takes a place in `caps` first (per address, per instance) and gives it back when
 * it ends; a client over a cap gets 429 or 503 with Retry-After.
 */
import type { Context } from 'hono';
import type { LiveEvents } from '../context.js';
import { ThreadHub, type LiveStore } from './thread-hub.js';
import { refusalResponse, StreamCaps } from './stream-caps.js';

export const SSE_HEADERS = { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no' };

/** The instance's streams; `close()` ends every open one and refuses new ones (shutdown). */
export type SharedThreadHubs = LiveEvents & { close(): void };

export function sharedThreadHubs(store: LiveStore, pollMs: number, caps = new StreamCaps(), clientIp: (c: Context) => string | undefined = () => undefined): SharedThreadHubs {
  const hubs = new Map<string, ThreadHub>();
  let closed = false;
  const live: LiveEvents = (c, siteId, key, lastSeen) => {
    // Stopping: a keep-alive connection may still ask; it is told to come back (to another instance).
    if (closed) return refusalResponse({ refused: 'instance', retryAfterSeconds: caps.retryAfterSeconds });
    const place = caps.acquire(clientIp(c));
    if (typeof place !== 'function') return refusalResponse(place);
    const name = `${siteId}\n${key}`;
    let hub = hubs.get(name);
    if (!hub) {
      const created: ThreadHub = new ThreadHub(store, siteId, key, { pollMs, onIdle: () => { if (!created.size && hubs.get(name) === created) hubs.delete(name); } });
      hubs.set(name, (hub = created));
    }
    // No request signal: @hono/node-server cancels the stream when the client leaves, and asking
    // for the signal would make an AbortController per stream.
    return new Response(hub.subscribe(lastSeen, undefined, place), { headers: SSE_HEADERS });
  };
  return Object.assign(live, {
    close() {
      closed = true;
      for (const hub of hubs.values()) hub.close();
    },
  });
}
