/**
 * The Node entry: opens the store, builds the app, serves the bundles (and, with `demo`, the
 * example article page) next to the API on one port.
 */
import { serve } from '@hono/node-server';
import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Server } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertAdminToken, createApp } from '../app.js';
import { resolveSecret } from '../secret.js';
import { openStore } from './open-store.js';
import { resolveHost } from './resolve-host.js';
import { pinnedFetch } from './pinned-fetch.js';
import { parseAllowList } from '../net/outbound-guard.js';
import { closeWhenBodyUnread, lingerOnUnreadBodies } from './lingering-close.js';
import { clientIpFrom } from '../abuse/client-ip.js';
import type { RateLimiter } from '../abuse/rate-limiter.js';
import { openRedisLimiter } from './redis-limiter.js';
import type { Store } from '../store/store.js';
import { addStaticRoutes, STATIC_SOURCES, type StaticFiles, type StaticName } from '../static-routes.js';

/** The project root: the folder with Taliq's package.json, from src/ or from dist/. */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !readFileSync(join(dir, 'package.json'), 'utf8').includes('"name": "taliq"')) {
    const up = dirname(dir);
    if (up === dir) throw new Error('Cannot find the Taliq project root');
    dir = up;
  }
  return dir;
}

export interface NodeServerOptions {
  port: number;
  host?: string;
  db?: string;
  databaseUrl?: string;
  secret?: string;
  adminToken?: string;
  /** Serve the example news article at `/`. */
  demo?: boolean;
  /** Proxies in front of the server whose X-Forwarded-For entries are believed (0: none). */
  trustedProxies?: number;
  /** Redis for rate limits shared by several instances; in memory without it, or while it is down. */
  redisUrl?: string;
  /** TALIQ_ALLOWED_HOOK_HOSTS: internal hosts, host:ports or CIDRs the server may call (webhooks…). */
  allowedHookHosts?: string;
  /** TALIQ_SECRET_GRACE_SECONDS, checked (site-secrets.ts); default a day. */
  secretGraceSeconds?: number;
  /** Live-update streams one client address (IPv6: one /64) may hold open; default 100. */
  maxStreamsPerAddress?: number;
  /** Live-update streams this instance holds open; default 5,000. */
  maxStreams?: number;
  /** TALIQ_PAGE_CACHE_BYTES: what this instance keeps of thread pages in memory; default 16 MiB. */
  pageCacheBytes?: number;
}

/** The bundles and pages as they are on disk now; a missing one answers 404 (not built yet). */
function loadStaticFiles(root: string): StaticFiles {
  const files: StaticFiles = {};
  for (const [name, { path, type }] of Object.entries(STATIC_SOURCES) as [StaticName, (typeof STATIC_SOURCES)[StaticName]][]) {
    const full = join(root, path);
    if (existsSync(full)) files[name] = { body: new Uint8Array(readFileSync(full)), type };
  }
  return files;
}

type NodeEnv = { incoming?: { socket?: { remoteAddress?: string } }; remoteAddress?: string };

/**
 * Reads the peer's address when the request arrives: a socket the client has already closed
 * reports none, and a reader cut off mid-post must keep the identity its retry will have.
 */
export function withRemoteAddress(fetch: (req: Request, env: NodeEnv) => Response | Promise<Response>) {
  return (req: Request, env: NodeEnv) => {
    env.remoteAddress = env.incoming?.socket?.remoteAddress;
    return fetch(req, env);
  };
}

function remoteAddressOf(c: Context): string | undefined {
  const early = (c.env as NodeEnv | undefined)?.remoteAddress;
  if (early) return early;
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}

export function buildNodeApp(store: Store, secret: string, opts: Pick<NodeServerOptions, 'adminToken' | 'demo' | 'trustedProxies' | 'allowedHookHosts' | 'secretGraceSeconds' | 'maxStreamsPerAddress' | 'maxStreams' | 'pageCacheBytes'> & { limiter?: RateLimiter }) {
  const root = projectRoot();
  const api = createApp({
    store,
    secret,
    adminToken: opts.adminToken,
    limiter: opts.limiter,
    pageCacheMs: 1000,
    pageCacheBytes: opts.pageCacheBytes,
    compress: true,
    allowedHookHosts: opts.allowedHookHosts,
    secretGraceSeconds: opts.secretGraceSeconds,
    resolveHost,
    // The guard again where the socket is made, so DNS cannot change between check and connect.
    fetch: pinnedFetch({ allow: parseAllowList(opts.allowedHookHosts), resolve: resolveHost }),
    streamCaps: { perAddress: opts.maxStreamsPerAddress, total: opts.maxStreams },
    clientIp: (c) => clientIpFrom(remoteAddressOf(c), c.req.header('x-forwarded-for'), opts.trustedProxies ?? 0),
  });
  // Static routes go on the API app itself, so unknown paths get its JSON 404 envelope.
  return addStaticRoutes(api, loadStaticFiles(root), { demo: opts.demo });
}

export async function startNodeServer(opts: NodeServerOptions) {
  // Before the store opens: a weak token stops the start with one clear line.
  assertAdminToken(opts.adminToken);
  const store = await openStore(opts);
  const secret = await resolveSecret(store, opts.secret);
  // Shared through Redis, or per process when Redis is down (then and later): see redis-limiter.ts.
  const limiter = opts.redisUrl ? await openRedisLimiter(opts.redisUrl) : undefined;
  const app = buildNodeApp(store, secret, { ...opts, limiter });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: closeWhenBodyUnread(withRemoteAddress(app.fetch)), port: opts.port, hostname: opts.host }, () => resolve(s));
    lingerOnUnreadBodies(s as Server);
  });
  const report = (what: string) => (e: Error) => console.error(`taliq: ${what} failed`, e);
  const purge = () => app.work.purgeIpHashes().catch(report('purge'));
  void purge();
  const purgeTimer = setInterval(purge, 24 * 3600 * 1000).unref();
  // Webhook retries that came due; a first attempt is made right after each answer anyway.
  const drainTimer = setInterval(() => void app.work.drainWebhooks().catch(report('webhook delivery')), 1000).unref();
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  return {
    store,
    port,
    /** The open live-update streams, per address and in all. */
    streams: app.streams,
    close: () => {
      clearInterval(purgeTimer);
      clearInterval(drainTimer);
      // Open streams would hold server.close() for up to their 10 minutes: end them first (their
      // readers reconnect elsewhere), then close each connection as it goes idle instead of
      // after the keep-alive timeout, and after 10 s whatever is left (a reader that stopped reading).
      app.closeStreams();
      const http = server as Server;
      const sweep = setInterval(() => http.closeIdleConnections(), 100);
      const force = setTimeout(() => http.closeAllConnections(), 10_000);
      return new Promise<void>((resolve) => server.close(() => {
        clearInterval(sweep);
        clearTimeout(force);
        void Promise.all([store.close(), limiter?.close()]).then(() => resolve());
      }));
    },
  };
}
