/**
 * The Node entry: opens the store, builds the app, serves the bundles (and, with `demo`, the
 * example article page) next to the API on one port.
 */
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { createApp } from '../app.js';
import { resolveSecret } from '../secret.js';
import { openStore } from './open-store.js';
import { clientIpFrom } from '../abuse/client-ip.js';
import { RedisRateLimiter, type RateLimiter } from '../abuse/rate-limiter.js';
import type { Store } from '../store/store.js';

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
  /** Redis for rate limits shared by several instances; in memory without it. */
  redisUrl?: string;
}

interface StaticFile {
  body: Buffer;
  type: string;
  etag: string;
}

function loadFile(path: string, type: string): StaticFile | null {
  if (!existsSync(path)) return null;
  const body = readFileSync(path);
  return { body, type, etag: `"${createHash('sha1').update(body).digest('base64url').slice(0, 16)}"` };
}

/** A file served with an ETag, revalidated after `maxAge` seconds. */
function sendFile(c: import('hono').Context, file: StaticFile | null, maxAge: number, headers: Record<string, string> = {}) {
  if (!file) return c.json({ error: { code: 'not_found', message: 'This file is missing from the installation (bundles: run npm run build)' } }, 404);
  for (const [k, v] of Object.entries(headers)) c.header(k, v);
  c.header('ETag', file.etag);
  c.header('Cache-Control', `public, max-age=${maxAge}`);
  if (c.req.header('if-none-match') === file.etag) return c.body(null, 304);
  return c.body(new Uint8Array(file.body), 200, { 'Content-Type': file.type });
}

// The dashboard needs no inline script or style, and no other origin may frame or read it.
const ADMIN_HEADERS = {
  'Content-Security-Policy': "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
};

// The demo page obeys the strictest policy a publisher is likely to set: no inline anything.
const DEMO_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function buildNodeApp(store: Store, secret: string, opts: Pick<NodeServerOptions, 'adminToken' | 'demo' | 'trustedProxies'> & { limiter?: RateLimiter }) {
  const root = projectRoot();
  const api = createApp({
    store,
    secret,
    adminToken: opts.adminToken,
    limiter: opts.limiter,
    pageCacheMs: 1000,
    compress: true,
    clientIp: (c) => {
      let remote: string | undefined;
      try {
        remote = getConnInfo(c).remote.address;
      } catch {
        remote = undefined;
      }
      return clientIpFrom(remote, c.req.header('x-forwarded-for'), opts.trustedProxies ?? 0);
    },
  });
  const widget = loadFile(join(root, 'dist/taliq.js'), 'text/javascript; charset=utf-8');
  const script = (name: string) => loadFile(join(root, 'dist', name), 'text/javascript; charset=utf-8');
  // Modules the widget fetches only when a page needs them.
  const extras = new Map(['taliq-fr.js', 'taliq-en.js', 'taliq-count.js', 'taliq-pow.js'].map((name) => [name, script(name)]));
  const dashboard = loadFile(join(root, 'dist/taliq-moderation.js'), 'text/javascript; charset=utf-8');
  const dashboardPage = loadFile(join(root, 'packages/dashboard/index.html'), 'text/html; charset=utf-8');
  // Static routes go on the API app itself, so unknown paths get its JSON 404 envelope.
  const app = api;
  app.get('/admin', (c) => sendFile(c, dashboardPage, 0, ADMIN_HEADERS));
  app.get('/admin/', (c) => c.redirect('/admin'));
  app.get('/admin/taliq-moderation.js', (c) => sendFile(c, dashboard, 300, ADMIN_HEADERS));
  // Public, credential-free scripts any publisher's page loads as modules (which needs CORS).
  const PUBLIC_SCRIPT = { 'Access-Control-Allow-Origin': '*', 'Cross-Origin-Resource-Policy': 'cross-origin' };
  app.get('/taliq.js', (c) => sendFile(c, widget, 300, PUBLIC_SCRIPT));
  for (const [name, file] of extras) app.get(`/${name}`, (c) => sendFile(c, file, 300, PUBLIC_SCRIPT));
  if (opts.demo) {
    const page = loadFile(join(root, 'examples/news-article/index.html'), 'text/html; charset=utf-8');
    const css = loadFile(join(root, 'examples/news-article/article.css'), 'text/css; charset=utf-8');
    app.get('/', (c) => sendFile(c, page, 0, { 'Content-Security-Policy': DEMO_CSP }));
    app.get('/article.css', (c) => sendFile(c, css, 0));
  }
  return app;
}

export async function startNodeServer(opts: NodeServerOptions) {
  const store = await openStore(opts);
  const secret = await resolveSecret(store, opts.secret);
  // ioredis is loaded only for a shared limiter.
  const limiter = opts.redisUrl ? new RedisRateLimiter(new (await import('ioredis')).Redis(opts.redisUrl, { maxRetriesPerRequest: 2 })) : undefined;
  const app = buildNodeApp(store, secret, { ...opts, limiter });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: opts.port, hostname: opts.host }, () => resolve(s));
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
    close: () => {
      clearInterval(purgeTimer);
      clearInterval(drainTimer);
      return new Promise<void>((resolve) => server.close(() => Promise.all([store.close(), limiter?.close()]).then(() => resolve())));
    },
  };
}
