/** What every route may use, built once by createApp and passed down: no global state. */
import type { Context } from 'hono';
import type { Signer } from './crypto.js';
import type { Store } from './store/store.js';
import type { RateLimiter } from './abuse/rate-limiter.js';
import type { PageCache } from './page-cache.js';
import type { OutboundPolicy } from './net/outbound-guard.js';
import type { StreamCapsOptions } from './live/stream-caps.js';
import type { JwksCache } from './jwks.js';

export interface AppDeps {
  store: Store;
  /** Signs edit tokens (the readers' receipts) and cursors. At least 32 random characters. */
  secret: string;
  /** TALIQ_ADMIN_TOKEN: a token valid for every site, for the operator. */
  adminToken?: string;
  /** The client's IP address, as the runtime sees the connection. */
  clientIp?: (c: Context) => string | undefined;
  /** The clock, replaceable in tests. */
  now?: () => number;
  /**
   * TALIQ_SECRET_GRACE_SECONDS: how long a site's replaced SSO or webhook secret still verifies
   * after a rotation. Default 86400 (a day); 0: not at all.
   */
  secretGraceSeconds?: number;
  /**
   * Outgoing HTTP (webhooks and every other URL the server calls). createApp wraps it with the
   * outbound guard (net/outbound-guard.ts): no private targets, no redirects followed.
   */
  fetch?: typeof fetch;
  /**
   * TALIQ_ALLOWED_HOOK_HOSTS: comma-separated hosts, `host:port`s, IP addresses or CIDRs the
   * server may call although they are internal (loopback, private, link-local…). Empty: none.
   */
  allowedHookHosts?: string;
  /**
   * Every address a host name resolves to now (Node: node:dns lookup with `all`), so the guard
   * can check where a call really goes. Without it (Workers) only literal addresses and known
   * internal names are refused.
   */
  resolveHost?: (host: string) => Promise<string[]>;
  /** Keeps work alive after the answer (Workers' waitUntil); Node just lets the promise run. */
  defer?: (work: Promise<unknown>) => void;
  /** Waits between webhook attempts, in ms. */
  webhookRetryDelays?: number[];
  /** How often a live-update stream reads the event log, in ms. */
  eventPollMs?: number;
  /** Counts rate limits; in memory by default, Redis when several instances share limits. */
  limiter?: RateLimiter;
  /** How long a thread's first page may be served from memory, in ms; 0 (the default) turns it off. */
  pageCacheMs?: number;
  /** TALIQ_PAGE_CACHE_BYTES: what the cached pages (and their gzipped copies) may hold; default 16 MiB. */
  pageCacheBytes?: number;
  /**
   * Gzip large JSON answers for clients that accept it. Off by default: Workers compress at the
   * edge themselves; the Node runtime turns it on.
   */
  compress?: boolean;
  /**
   * Answers a thread's live-update stream (the events route, after validation). By default one
   * ThreadHub per thread in this process (live/thread-hubs.ts); Workers forward to one Durable
   * Object per thread.
   */
  liveEvents?: LiveEvents;
  /**
   * Live-update streams open at once, per client address (IPv6 per /64, across all threads;
   * default 100) and per instance (default 5,000), for the default liveEvents. Over a cap: 429
   * `too_many_streams` or 503 `server_busy`, with Retry-After.
   */
  streamCaps?: Partial<StreamCapsOptions>;
}

/** `lastSeen`: the Last-Event-ID header or `?after=`, as the client sent it. */
export type LiveEvents = (c: Context, siteId: string, key: string, lastSeen: string | undefined) => Response | Promise<Response>;

export interface Services {
  store: Store;
  signer: Signer;
  adminToken: string | undefined;
  clientIp: (c: Context) => string | undefined;
  now: () => number;
  /** How long a rotated-out site secret still verifies, in seconds (site-secrets.ts). */
  secretGraceSeconds: number;
  /** Guarded: refuses internal targets and follows no redirect. */
  fetch: typeof fetch;
  /** What the guard allows; set-time checks of called URLs use it too (net/called-urls.ts). */
  outbound: OutboundPolicy;
  /** The publishers' JWKS documents (RS256/ES256 sign-in), fetched through `fetch`. */
  jwks: JwksCache;
  defer: (work: Promise<unknown>) => void;
  webhookRetryDelays: number[];
  eventPollMs: number;
  limiter: RateLimiter;
  pages: PageCache;
  compress: boolean;
  liveEvents: LiveEvents;
}
