/** The bindings the Worker runs with (wrangler.jsonc declares each one). */
import type { RateLimits } from './rate-limits.js';
import type { ThreadEvents } from './thread-events.js';

export interface Env {
  /** The D1 database: the store. */
  DB: D1Database;
  RATE_LIMITS: DurableObjectNamespace<RateLimits>;
  THREAD_EVENTS: DurableObjectNamespace<ThreadEvents>;
  /** A secret (`wrangler secret put TALIQ_SECRET`), at least 32 characters; generated and kept in D1 when unset. */
  TALIQ_SECRET?: string;
  /** An operator token valid for every site. */
  TALIQ_ADMIN_TOKEN?: string;
  /** Any non-empty value serves the example article at `/` (npm run start:worker). */
  TALIQ_DEMO?: string;
  /** Internal hosts, host:ports or CIDRs the server may call (webhooks…), comma-separated. */
  TALIQ_ALLOWED_HOOK_HOSTS?: string;
  /** How long a rotated-out site secret still verifies, in seconds; default 86400, 0 for none. */
  TALIQ_SECRET_GRACE_SECONDS?: string;
  /** Live-update streams one address (IPv6: one /64) may hold open on one thread; default 100. */
  TALIQ_MAX_STREAMS_PER_ADDRESS?: string;
  /** Live-update streams one thread's Durable Object holds open; default 5,000. */
  TALIQ_MAX_STREAMS?: string;
  /** What one isolate keeps of thread pages in memory, in bytes; default 16 MiB. */
  TALIQ_PAGE_CACHE_BYTES?: string;
}
