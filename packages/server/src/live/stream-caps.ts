/**
 * How many live-update streams may be open at once: per client address (IPv6 counted per /64,
 * across every thread) and per instance. A stream takes a place when it opens and gives it back
 * exactly once, however it ends (the reader leaves, the server ends it, it fails to start).
 * Runtime-free: Node keeps one for the process; on Workers each thread's Durable Object keeps one.
 */
import { limitSubject } from '../abuse/client-ip.js';

export interface StreamCapsOptions {
  /** Streams one address (one IPv6 /64) may hold open at once. */
  perAddress: number;
  /** Streams this instance holds open at once. */
  total: number;
  /** Seconds a refused client is told to wait (Retry-After). */
  retryAfterSeconds?: number;
}

export const DEFAULT_STREAM_CAPS: StreamCapsOptions = { perAddress: 100, total: 5_000, retryAfterSeconds: 30 };

/** Why a stream was not let in: `address` (429, that address holds its share) or `instance` (503, this instance is full). */
export type StreamRefusal = { refused: 'address' | 'instance'; retryAfterSeconds: number };

export class StreamCaps {
  private readonly byAddress = new Map<string, number>();
  private open = 0;
  readonly perAddress: number;
  readonly total: number;
  readonly retryAfterSeconds: number;

  constructor(opts: Partial<StreamCapsOptions> = {}) {
    this.perAddress = opts.perAddress ?? DEFAULT_STREAM_CAPS.perAddress;
    this.total = opts.total ?? DEFAULT_STREAM_CAPS.total;
    this.retryAfterSeconds = opts.retryAfterSeconds ?? DEFAULT_STREAM_CAPS.retryAfterSeconds!;
  }

  /** Streams open now, in all and for one address. */
  get size() {
    return this.open;
  }

  countFor(ip: string | undefined) {
    return this.byAddress.get(subject(ip)) ?? 0;
  }

  /**
   * Takes a place for a stream from `ip`: answers the function that gives it back (safe to call
   * more than once), or why there is none.
   */
  acquire(ip: string | undefined): (() => void) | StreamRefusal {
    const key = subject(ip);
    const held = this.byAddress.get(key) ?? 0;
    if (held >= this.perAddress) return { refused: 'address', retryAfterSeconds: this.retryAfterSeconds };
    if (this.open >= this.total) return { refused: 'instance', retryAfterSeconds: this.retryAfterSeconds };
    this.byAddress.set(key, held + 1);
    this.open++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.open--;
      const n = (this.byAddress.get(key) ?? 1) - 1;
      if (n > 0) this.byAddress.set(key, n);
      else this.byAddress.delete(key);
    };
  }
}

/** Clients whose address the runtime cannot tell share one count. */
const subject = (ip: string | undefined) => (ip ? limitSubject(ip) : 'unknown');

/** The JSON error envelope a refused stream gets, with Retry-After (429 per address, 503 per instance). */
export function refusalResponse(r: StreamRefusal, headers: Record<string, string> = {}): Response {
  const [status, code, message] =
    r.refused === 'address'
      ? [429, 'too_many_streams', 'This address has too many live-update streams open; wait and retry, or refresh instead'] as const
      : [503, 'server_busy', 'This server holds as many live-update streams as it can; wait and retry, or refresh instead'] as const;
  return Response.json({ error: { code, message } }, { status, headers: { ...headers, 'Retry-After': String(r.retryAfterSeconds) } });
}
