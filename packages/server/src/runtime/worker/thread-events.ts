/**
 * One Durable Object per thread (named `${site}\n${thread}`) holding its live-update hub: the
 * readers of one article, from any isolate, share one poll of the event log per interval.
 */
import { DurableObject } from 'cloudflare:workers';
import { ThreadHub } from '../../live/thread-hub.js';
import type { Env } from './env.js';
import { storeFor } from './d1-store.js';
import { refusalResponse, StreamCaps } from '../../live/stream-caps.js';
import { SSE_HEADERS } from '../../live/thread-hubs.js';
import { leaseStream } from './stream-leases.js';

/** As on Node (AppDeps.eventPollMs' default). */
const POLL_MS = 1_000;

/** A cap from a variable (TALIQ_MAX_STREAMS_PER_ADDRESS, TALIQ_MAX_STREAMS); unset or not a count: the default. */
const cap = (v: string | undefined) => (v && /^\d+$/.test(v) && Number(v) >= 1 ? Number(v) : undefined);

export class ThreadEvents extends DurableObject<Env> {
  private hub: ThreadHub | undefined;
  /**
   * This thread's streams per reader address (IPv6 per /64) and in all. Across threads, an
   * address's streams are counted by leases (stream-leases.ts) against the same per-address cap.
   */
  private caps: StreamCaps | undefined;

  /** Called by live-events.ts with the validated site and thread; Last-Event-ID passed on. */
  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const site = url.searchParams.get('site');
    const thread = url.searchParams.get('thread');
    if (!site || !thread || (this.hub && (this.hub.siteId !== site || this.hub.key !== thread))) {
      return Response.json({ error: { code: 'bad_request', message: 'Not the thread of this object' } }, { status: 400 });
    }
    this.caps ??= new StreamCaps({ perAddress: cap(this.env.TALIQ_MAX_STREAMS_PER_ADDRESS), total: cap(this.env.TALIQ_MAX_STREAMS) });
    const local = this.caps.acquire(request.headers.get('cf-connecting-ip') ?? undefined);
    if (typeof local !== 'function') return refusalResponse(local);
    // The address's streams on every thread (this object sees only its own).
    const addressKey = request.headers.get('x-taliq-address');
    const leased = addressKey ? await leaseStream(this.env.RATE_LIMITS, addressKey, this.caps.perAddress) : () => {};
    if (!leased) {
      local();
      return refusalResponse({ refused: 'address', retryAfterSeconds: this.caps.retryAfterSeconds });
    }
    const place = () => {
      local();
      leased();
    };
    try {
      this.hub ??= new ThreadHub(await storeFor(this.env.DB), site, thread, { pollMs: POLL_MS });
    } catch (e) {
      place();
      throw e;
    }
    // The request's signal aborts when the reader disconnects (compatibility flag enable_request_signal).
    return new Response(this.hub.subscribe(request.headers.get('last-event-id') ?? undefined, request.signal, place), { headers: SSE_HEADERS });
  }

  /** What the hub has done, for tests and operators: reads of the log and readers connected. */
  stats() {
    return { polls: this.hub?.stats.polls ?? 0, catchUps: this.hub?.stats.catchUps ?? 0, readers: this.hub?.size ?? 0, streams: this.caps?.size ?? 0 };
  }
}
