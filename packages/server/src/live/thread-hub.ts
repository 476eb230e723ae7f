/**
 * One thread's live updates shared by all its readers: a single loop reads the store's event log
 * once per interval, whatever the number of readers, and writes each SSE frame to every stream.
 * Runtime-free (web streams and timers only): Workers keep one hub per thread in a Durable Object;
 * Node can keep one per thread per instance.
 *
 * The frames (as the per-stream poller they replaced sent them): `ready` (retry 3000) first, then each event with its id, an
 * approval or edit that was undone since sent as `comment.removed`, a keep-alive comment when the
 * line has been quiet, and the end of the stream after `maxStreamMs` (EventSource reconnects with
 * Last-Event-ID and loses nothing).
 */
import type { Store, Thread } from '../store/store.js';
import { toPublic } from '../views.js';

export type LiveStore = Pick<Store, 'getThread' | 'lastEventId' | 'listEvents' | 'getComments'>;

export interface ThreadHubOptions {
  pollMs: number;
  keepAliveMs?: number;
  maxStreamMs?: number;
  /** A reader whose unread frames pass this many bytes is dropped; it reconnects and resumes. */
  maxQueuedBytes?: number;
  /** Called when the last reader has left and the loop has stopped. */
  onIdle?: () => void;
}

interface Subscriber {
  after: number;
  /** Still catching up on its own from its Last-Event-ID: the shared loop skips it. */
  joining: boolean;
  started: number;
  lastWrite: number;
  controller: ReadableStreamDefaultController<Uint8Array>;
  /** Called once when the stream ends, however it ends (a stream cap's place given back). */
  onEnd: (() => void) | undefined;
}

interface Frame {
  id: number;
  bytes: Uint8Array;
}

const PAGE = 100;
/** Streams written between two pauses of an event's fan-out. */
const FANOUT_SLICE = 500;
/** A macrotask pause (timers exist on Node and workerd alike): pending I/O runs before the next slice. */
const yieldToLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
const enc = new TextEncoder();
const READY = enc.encode('event: ready\ndata: {}\nretry: 3000\n\n');
const KEEPALIVE = enc.encode(': keep-alive\n\n');
/** Nothing read ahead: frames wait in the queue only until the connection takes them. One for all streams. */
const NO_BUFFER = new ByteLengthQueuingStrategy({ highWaterMark: 0 });

export class ThreadHub {
  /** Reads of the event log: `polls` by the shared loop, `catchUps` for readers resuming behind it. */
  readonly stats = { polls: 0, catchUps: 0 };
  private readonly subs = new Set<Subscriber>();
  private thread: Thread | null = null;
  /** The last event id the shared loop has read; null while the loop has not started. */
  private cursor: number | null = null;
  private running = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private wake: (() => void) | undefined;
  private readonly keepAliveMs: number;
  private readonly maxStreamMs: number;
  private readonly maxQueuedBytes: number;

  constructor(private readonly store: LiveStore, readonly siteId: string, readonly key: string, private readonly opts: ThreadHubOptions) {
    this.keepAliveMs = opts.keepAliveMs ?? 15_000;
    this.maxStreamMs = opts.maxStreamMs ?? 10 * 60_000;
    this.maxQueuedBytes = opts.maxQueuedBytes ?? 1 << 20;
  }

  get size() {
    return this.subs.size;
  }

  /**
   * A reader's stream of SSE frames, from after `lastSeen` (else from now). `signal`: the
   * request's, which tells when the reader has gone: workerd does not cancel a Durable Object's
   * response stream when the client leaves, but aborts the request once a write finds the
   * connection closed (a keep-alive at the latest). `onEnd`: called exactly once when the
   * stream ends: the reader left, the server ended it, or it failed to start.
   */
  subscribe(lastSeen: string | undefined, signal?: AbortSignal, onEnd?: () => void): ReadableStream<Uint8Array> {
    let sub: Subscriber;
    return new ReadableStream<Uint8Array>({
      start: (controller) => {
        const now = Date.now();
        sub = { after: 0, joining: true, started: now, lastWrite: now, controller, onEnd };
        this.subs.add(sub);
        if (signal?.aborted) return this.drop(sub);
        signal?.addEventListener('abort', () => this.drop(sub), { once: true });
        return this.join(sub, lastSeen).catch((e) => {
          console.error('taliq: live stream failed to start', e);
          this.drop(sub);
        });
      },
      cancel: () => this.leave(sub),
    }, NO_BUFFER);
  }

  /** Ends every stream now (shutdown). */
  close() {
    for (const sub of [...this.subs]) this.drop(sub);
  }

  private async join(sub: Subscriber, lastSeen: string | undefined) {
    this.thread ??= await this.store.getThread(this.siteId, this.key);
    const resume = lastSeen !== undefined && /^\d{1,15}$/.test(lastSeen);
    const last = this.thread ? await this.store.lastEventId(this.thread.id) : 0;
    // A Last-Event-ID past the log's end (made up, or from before the database was restored) is
    // taken as the end: the first reader's position becomes the hub's, and a hub placed past the
    // log would send nothing to anyone.
    sub.after = resume ? Math.min(Number(lastSeen), last) : last;
    if (!this.subs.has(sub)) return;
    this.write(sub, READY);
    // Behind the shared loop: read on its own until level with it, then join it. No await
    // between the last check and joining, so no event can pass in between.
    while (this.thread && this.cursor !== null && sub.after < this.cursor && this.subs.has(sub)) {
      this.stats.catchUps++;
      const upTo = this.cursor;
      const frames = await this.frames(this.thread, sub.after, upTo);
      for (const f of frames) this.send(sub, f);
      // Nothing logged between here and the hub: level with it (else this loop would never end).
      if (!frames.length) sub.after = Math.max(sub.after, upTo);
    }
    sub.joining = false;
    this.cursor ??= sub.after;
    if (!this.running) void this.run();
  }

  private async run() {
    this.running = true;
    try {
      while (this.subs.size) {
        try {
          await this.poll();
        } catch (e) {
          // The store hiccuped: the readers keep their streams, the next interval reads again.
          console.error('taliq: live update poll failed', e);
        }
        this.tend();
        if (!this.subs.size) break;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          this.timer = setTimeout(resolve, this.opts.pollMs);
        });
      }
    } finally {
      this.running = false;
      // A new hub position is taken from the next reader that comes.
      this.cursor = null;
      this.opts.onIdle?.();
    }
  }

  private async poll() {
    this.thread ??= await this.store.getThread(this.siteId, this.key);
    if (!this.thread || this.cursor === null) return;
    this.stats.polls++;
    const frames = await this.frames(this.thread, this.cursor);
    for (const f of frames) {
      // Thousands of readers: hand the loop back between slices, so one event's fan-out does not
      // hold every other request (and /healthz) behind it.
      let written = 0;
      for (const sub of [...this.subs]) {
        if (sub.joining || !this.subs.has(sub)) continue;
        this.send(sub, f);
        if (++written % FANOUT_SLICE === 0) await yieldToLoop();
      }
      // A reader that finished catching up during a pause joined level with the old cursor and
      // may have been passed over: one synchronous sweep (send skips who has it) before moving on.
      if (written >= FANOUT_SLICE) for (const sub of this.subs) if (!sub.joining) this.send(sub, f);
      this.cursor = f.id;
    }
  }

  /** The frames of the events after `after` (and up to `upTo`), one page of the log. */
  private async frames(thread: Thread, after: number, upTo = Infinity): Promise<Frame[]> {
    const events = (await this.store.listEvents(thread.id, after, PAGE)).filter((e) => e.id <= upTo);
    if (!events.length) return [];
    const comments = new Map((await this.store.getComments([...new Set(events.map((e) => e.commentId))])).map((x) => [x.id, x]));
    return events.map((e) => {
      const comment = comments.get(e.commentId);
      // An approval or edit that was undone since is not replayed as visible.
      const visible = e.type !== 'comment.removed' && comment?.status === 'approved';
      const data = visible ? toPublic(comment) : { id: e.commentId };
      const type = visible ? e.type : 'comment.removed';
      return { id: e.id, bytes: enc.encode(`event: ${type}\ndata: ${JSON.stringify(data)}\nid: ${e.id}\n\n`) };
    });
  }

  private send(sub: Subscriber, f: Frame) {
    if (f.id <= sub.after) return;
    sub.after = f.id;
    this.write(sub, f.bytes);
  }

  private write(sub: Subscriber, bytes: Uint8Array) {
    // Gone while a read of the log was awaited (a hang-up mid catch-up): its controller is closed.
    if (!this.subs.has(sub)) return;
    // desiredSize is minus the bytes queued and unread: a reader that stopped reading is cut off.
    if ((sub.controller.desiredSize ?? 0) < -this.maxQueuedBytes) return this.cut(sub);
    sub.controller.enqueue(bytes);
    sub.lastWrite = Date.now();
  }

  /** Keep-alives for quiet streams, and the end of streams that have run their time. */
  private tend() {
    const now = Date.now();
    for (const sub of [...this.subs]) {
      if (now - sub.started >= this.maxStreamMs) this.drop(sub);
      else if (!sub.joining && now - sub.lastWrite >= this.keepAliveMs) this.write(sub, KEEPALIVE);
    }
  }

  private drop(sub: Subscriber) {
    if (!this.subs.has(sub)) return;
    this.leave(sub);
    try {
      sub.controller.close();
    } catch {
      // Already closed or errored by the other side.
    }
  }

  /**
   * Ends a stream that stopped reading with an error, not a close: a close would keep its queue
   * (and its connection) until it is read, which may be never, while its place is given back and
   * the address opens another. The runtime cuts an errored stream's connection at once.
   */
  private cut(sub: Subscriber) {
    if (!this.subs.has(sub)) return;
    this.leave(sub);
    try {
      // The code @hono/node-server takes for a reader gone (one info line, no stack trace in the log).
      sub.controller.error(Object.assign(new Error('the reader stopped reading'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    } catch {
      // Already closed or errored by the other side.
    }
  }

  private leave(sub: Subscriber) {
    if (!this.subs.delete(sub)) return;
    const onEnd = sub.onEnd;
    sub.onEnd = undefined;
    onEnd?.();
    if (!this.subs.size && this.wake) {
      // The last reader left: stop waiting, let the loop end now.
      if (this.timer !== undefined) clearTimeout(this.timer);
      const wake = this.wake;
      this.wake = undefined;
      wake();
    }
  }
}
