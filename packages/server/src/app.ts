/**
 * The Taliq API as a Hono app. It speaks only web Request/Response and Web Crypto (no `node:`
 * imports), so each runtime (Node today, Workers later) is a small adapter around `app.fetch`.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { LIMITS } from '../../shared/src/limits.js';
import { ApiError, errorResponse, onError } from './errors.js';
import type { AppDeps, Services } from './context.js';
import { Signer } from './crypto.js';
import { MemoryRateLimiter } from './abuse/rate-limiter.js';
import { cachingStore, PageCache } from './page-cache.js';
import { readerRoutes } from './routes/reader.js';
import { adminRoutes } from './routes/admin.js';
import { drainOutbox } from './webhook.js';
import { sharedThreadHubs } from './live/thread-hubs.js';
import { StreamCaps } from './live/stream-caps.js';
import { operatorRoutes } from './routes/operator.js';
import { JwksCache } from './jwks.js';
import { DEFAULT_SECRET_GRACE_SECONDS, parseSecretGrace } from './site-secrets.js';
import { guardFetch, parseAllowList, type OutboundPolicy } from './net/outbound-guard.js';

export type { AppDeps } from './context.js';

/** TALIQ_ADMIN_TOKEN opens every site: a short one could be guessed. */
export const ADMIN_TOKEN_MIN = 32;

/** Refuses to start with a short TALIQ_ADMIN_TOKEN rather than accept a guessable one. */
export function assertAdminToken(token: string | undefined) {
  if (token && token.length < ADMIN_TOKEN_MIN) {
    throw new Error(`TALIQ_ADMIN_TOKEN must be at least ${ADMIN_TOKEN_MIN} characters (it has ${token.length}); generate one with: openssl rand -base64 32`);
  }
}

/** IP hashes are kept on comments for 30 days, long enough to ban from a fresh comment. */
export const IP_HASH_RETENTION_MS = 30 * 24 * 3600 * 1000;

/**
 * Work the runtime runs on a schedule, outside any request: a timer on Node, the cron trigger
 * on Workers.
 */
export interface ScheduledWork {
  /** Sends the webhook deliveries that are due (retries included); answers how many went out. */
  drainWebhooks(): Promise<number>;
  /** Forgets IP hashes past their retention; answers how many. */
  purgeIpHashes(): Promise<number>;
}

export function createApp(deps: AppDeps) {
  if (deps.secret.length < 32) throw new Error('The secret must be at least 32 characters');
  if (deps.secretGraceSeconds !== undefined) parseSecretGrace(String(deps.secretGraceSeconds));
  assertAdminToken(deps.adminToken);
  const pages = new PageCache(deps.pageCacheMs ?? 0, deps.pageCacheBytes);
  const store = deps.pageCacheMs ? cachingStore(deps.store, pages, deps.pageCacheMs) : deps.store;
  const eventPollMs = deps.eventPollMs ?? 1_000;
  const outbound: OutboundPolicy = { allow: parseAllowList(deps.allowedHookHosts), resolve: deps.resolveHost };
  const rawFetch: typeof fetch = deps.fetch ?? ((...args) => fetch(...args));
  const clientIp = deps.clientIp ?? (() => undefined);
  /** Open live-update streams of this instance (the default liveEvents'), counted per address. */
  const streams = new StreamCaps(deps.streamCaps);
  const hubs = deps.liveEvents ? undefined : sharedThreadHubs(store, eventPollMs, streams, clientIp);
  const services: Services = {
    store,
    pages,
    compress: deps.compress ?? false,
    signer: new Signer(deps.secret),
    adminToken: deps.adminToken || undefined,
    clientIp,
    now: deps.now ?? Date.now,
    secretGraceSeconds: deps.secretGraceSeconds ?? DEFAULT_SECRET_GRACE_SECONDS,
    // Every outgoing call goes through the guard: webhooks, the moderation hook, JWKS.
    fetch: guardFetch(rawFetch, outbound),
    outbound,
    jwks: new JwksCache(),
    defer: deps.defer ?? ((work) => void work.catch((e) => console.error('taliq: background work failed', e))),
    webhookRetryDelays: deps.webhookRetryDelays ?? [2_000, 30_000, 300_000],
    eventPollMs,
    limiter: deps.limiter ?? new MemoryRateLimiter(deps.now),
    // Without a runtime's own (Workers: a Durable Object per thread), one hub per thread here.
    liveEvents: deps.liveEvents ?? hubs!,
  };

  const app = new Hono();
  app.onError(onError);
  app.notFound((c) => errorResponse(c, 404, 'not_found', `No route ${c.req.method} ${new URL(c.req.url).pathname}`));

  app.get('/healthz', async (c) => {
    // A degraded limiter (Redis down) leaves the answer 200: the instance still serves and
    // limits in-process, and an orchestrator restarting every instance would not bring Redis back.
    const limiter = services.limiter.mode?.();
    const detail = { store: services.store.engine, ...(limiter && { limiter }) };
    try {
      await services.store.ping();
      return c.json({ ok: true, ...detail });
    } catch {
      return c.json({ ok: false, ...detail }, 503);
    }
  });

  // Refuse large bodies before reading them whole. Not for GET and HEAD, which no route reads a
  // body of: looking for one makes @hono/node-server build a full Request for every thread read.
  const limitBody = bodyLimit({
    maxSize: LIMITS.requestBodyMax,
    onError: () => {
      throw new ApiError(413, 'payload_too_large', `Request bodies are limited to ${LIMITS.requestBodyMax} bytes`);
    },
  });
  app.use('/api/*', (c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : limitBody(c, next)));
  app.route('/api/v1/admin', adminRoutes(services));
  // Tokens, privacy requests, export and import: what the CLI needs to work over HTTP.
  app.route('/api/v1/admin', operatorRoutes(services));
  app.route('/api/v1', readerRoutes(services));
  const work: ScheduledWork = {
    drainWebhooks: () => drainOutbox(services),
    purgeIpHashes: () => services.store.purgeIpHashes(services.now() - IP_HASH_RETENTION_MS, services.now()),
  };
  /** Ends this instance's open live-update streams (the default liveEvents'), before it stops. */
  const closeStreams = () => hubs?.close();
  return Object.assign(app, { work, streams, pages, closeStreams });
}
