/**
 * Rate limits shared through Redis that survive Redis going away. While Redis answers, every
 * instance counts in it ("shared"). While it does not (down at start, gone mid-run, too slow),
 * each process counts alone in memory ("degraded"): requests never wait on a dead Redis, are
 * never let through uncounted, and nothing answers 500. When Redis answers again the shared
 * counts take over. One warning per outage, one line when it ends.
 */
import { MemoryRateLimiter, RedisRateLimiter, type RateLimiter, type RedisLike } from './rate-limiter.js';

/** What this needs of an ioredis client beyond RedisLike: its state and its events. */
export interface RedisClient extends RedisLike {
  /** ioredis: `ready` when commands can be sent; `connecting`, `reconnecting`, `close`, `end` otherwise. */
  readonly status: string;
  on(event: 'ready' | 'close' | 'error', listener: (e: Error) => void): unknown;
  /** Drops the connection and stops reconnecting, without asking the server. */
  disconnect(): void;
}

export interface SharedRateLimiterOptions {
  prefix?: string;
  now?: () => number;
  /** Where the outage warning and the recovery line go. */
  log?: (line: string) => void;
  /** How often, at most, a Redis that timed out on an open connection is asked again. */
  probeMs?: number;
}

export class SharedRateLimiter implements RateLimiter {
  private readonly shared: RedisRateLimiter;
  // Counts every hit this process sees, even while Redis answers: when it stops, the fallback
  // goes on from this process's own counts (a used proof of work stays used here) instead of
  // opening fresh windows to whoever caused the outage.
  private readonly local: MemoryRateLimiter;
  private readonly log: (line: string) => void;
  private readonly probeMs: number;
  private readonly now: () => number;
  /** An outage seen and not yet over (set by an error, cleared by `ready` or a good probe). */
  private down = false;
  private closing = false;
  private lastProbe = 0;
  private probing = false;

  constructor(private readonly redis: RedisClient, opts: SharedRateLimiterOptions = {}) {
    this.shared = new RedisRateLimiter(redis, opts.prefix);
    this.now = opts.now ?? Date.now;
    this.local = new MemoryRateLimiter(this.now);
    this.log = opts.log ?? ((line) => console.warn(line));
    this.probeMs = opts.probeMs ?? 1000;
    // Without a listener ioredis prints every failed reconnect; one line per outage is enough.
    redis.on('error', (e) => this.fail(e));
    redis.on('close', () => this.fail(new Error('connection closed')));
    redis.on('ready', () => this.recover());
  }

  /** `shared` while Redis counts for every instance, `degraded` while this process counts alone. */
  mode(): 'shared' | 'degraded' {
    if (this.down) this.probe();
    return this.redis.status === 'ready' && !this.down ? 'shared' : 'degraded';
  }

  async hit(key: string, limit: number, windowMs: number, cost = 1) {
    const local = await this.local.hit(key, limit, windowMs, cost);
    if (this.mode() !== 'shared') return local;
    try {
      const shared = await this.shared.hit(key, limit, windowMs, cost);
      // This process's own count refuses too: it never exceeds the shared one while Redis keeps
      // its data, but a Redis that came back empty (restarted, flushed, failed over) would hand
      // out fresh windows and let a used proof of work pass again. The stricter answer holds.
      if (!local.allowed && (shared.allowed || local.retryAfterMs > shared.retryAfterMs)) return local;
      return shared;
    } catch (e) {
      this.fail(e as Error);
      return local;
    }
  }

  /**
   * Resolves once Redis is ready or has failed once, or after `ms`: a start need not wait longer.
   * Not ready by then (a host that takes the connection and never answers) is an outage too.
   */
  whenSettled(ms: number): Promise<void> {
    if (this.redis.status === 'ready' || this.down) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        if (this.redis.status !== 'ready') this.fail(new Error(`not ready within ${ms} ms`));
        resolve();
      }, ms);
      const done = () => (clearTimeout(timer), resolve());
      this.redis.on('ready', done);
      this.redis.on('error', done);
    });
  }

  async close() {
    this.closing = true;
    // QUIT needs an answer; a Redis that is down or paused would hold the shutdown up.
    if (this.mode() === 'shared') await this.redis.quit().catch(() => this.redis.disconnect());
    else this.redis.disconnect();
  }

  private fail(e: Error) {
    if (this.down || this.closing) return;
    this.down = true;
    this.lastProbe = this.now();
    this.log(`taliq: Redis does not answer (${e.message}); rate limits and proof-of-work single use are counted in this process until it does`);
  }

  private recover() {
    if (!this.down || this.closing) return;
    this.down = false;
    this.log('taliq: Redis answers again; rate limits are shared again');
  }

  /**
   * A Redis that stopped answering on a connection that stays open (a paused or partitioned
   * server), or that refuses the count (out of memory, a read-only replica), never says `ready`
   * again: count once on a key of its own now and then, outside any request. The real script,
   * not a PING, so a Redis that answers PING but refuses writes stays an outage, quietly.
   */
  private probe() {
    if (this.probing || this.closing || this.redis.status !== 'ready' || this.now() - this.lastProbe < this.probeMs) return;
    this.probing = true;
    this.lastProbe = this.now();
    this.shared.hit('probe', Number.MAX_SAFE_INTEGER, 1000).then(
      () => this.recover(),
      () => {},
    ).finally(() => (this.probing = false));
  }
}
