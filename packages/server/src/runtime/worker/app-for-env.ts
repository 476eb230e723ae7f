/**
 * The app of this isolate, built on the first request and reused by every later one (a failed
 * start is not kept, so the next request tries again).
 */
import { waitUntil } from 'cloudflare:workers';
import { createApp } from '../../app.js';
import { Signer } from '../../crypto.js';
import { resolveSecret } from '../../secret.js';
import { parseSecretGrace } from '../../site-secrets.js';
import { addStaticRoutes } from '../../static-routes.js';
import type { Store } from '../../store/store.js';
import { DurableRateLimiter } from './durable-rate-limiter.js';
import { embeddedFiles } from './embedded-files.js';
import type { Env } from './env.js';
import { forwardLiveEvents } from './live-events.js';
import { storeFor } from './d1-store.js';
import { perIsolate } from './per-isolate.js';

export interface WorkerApp {
  /** The API with the static routes; `app.work` is the scheduled work the cron runs. */
  app: ReturnType<typeof createApp>;
  store: Store;
}

/** The isolate's app, built by the first request that gets there (see per-isolate.ts). */
export const appFor = perIsolate((env: Env) => build(env));

async function build(env: Env): Promise<WorkerApp> {
  const store = await storeFor(env.DB);
  // TALIQ_SECRET when set (at least 32 characters), else one generated once and kept in D1.
  const secret = await resolveSecret(store, env.TALIQ_SECRET || undefined);
  const api = createApp({
    store,
    secret,
    adminToken: env.TALIQ_ADMIN_TOKEN,
    // Cloudflare's edge sets it; a client cannot.
    clientIp: (c) => c.req.header('cf-connecting-ip'),
    // The current request's waitUntil: webhooks finish after the answer is sent.
    defer: (work) => waitUntil(work.catch((e) => console.error('taliq: background work failed', e))),
    limiter: new DurableRateLimiter(env.RATE_LIMITS),
    liveEvents: forwardLiveEvents(env.THREAD_EVENTS, new Signer(secret)),
    pageCacheMs: 1000,
    // Unset or not a count: the default.
    pageCacheBytes: /^\d+$/.test(env.TALIQ_PAGE_CACHE_BYTES ?? '') ? Number(env.TALIQ_PAGE_CACHE_BYTES) : undefined,
    // No DNS API on Workers: the guard checks literal addresses and known internal names.
    allowedHookHosts: env.TALIQ_ALLOWED_HOOK_HOSTS,
    // A wrong value fails the start: every request answers 500 and the log says why.
    secretGraceSeconds: parseSecretGrace(env.TALIQ_SECRET_GRACE_SECONDS),
  });
  const app = addStaticRoutes(api, embeddedFiles(), { demo: !!env.TALIQ_DEMO });
  return { app, store };
}
