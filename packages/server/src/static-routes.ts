/**
 * The files served next to the API: the reader bundles, the moderation dashboard and, for the
 * demo, the example article. Runtime-free (Web Crypto for ETags), so Node (files read from disk)
 * and Workers (files embedded in the bundle) answer with the same bytes and the same headers.
 */
import type { Context, Hono } from 'hono';

export interface StaticFile {
  body: Uint8Array;
  type: string;
}

/** File names the routes look up; a runtime passes what it has (missing ones answer 404). */
export type StaticName =
  | 'taliq.js' | 'taliq-fr.js' | 'taliq-en.js' | 'taliq-count.js' | 'taliq-pow.js' | 'taliq-live.js'
  | 'taliq-moderation.js' | 'admin.html' | 'demo.html' | 'article.css';

export type StaticFiles = Partial<Record<StaticName, StaticFile>>;

/** Modules the widget fetches only when a page needs them, next to taliq.js itself. */
export const PUBLIC_SCRIPTS = ['taliq.js', 'taliq-fr.js', 'taliq-en.js', 'taliq-count.js', 'taliq-pow.js', 'taliq-live.js'] as const;

export const JS = 'text/javascript; charset=utf-8';
export const HTML = 'text/html; charset=utf-8';
export const CSS = 'text/css; charset=utf-8';

// Public, credential-free scripts any publisher's page loads as modules (which needs CORS).
const PUBLIC_SCRIPT = { 'Access-Control-Allow-Origin': '*', 'Cross-Origin-Resource-Policy': 'cross-origin' };

// The dashboard needs no inline script or style, and no other origin may frame or read it.
const ADMIN_HEADERS = {
  'Content-Security-Policy': "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
};

// The demo page obeys the strictest policy a publisher is likely to set: no inline anything.
const DEMO_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** A short content hash: the same file has the same ETag on every instance and runtime. */
export async function etagOf(body: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-1', body as Uint8Array<ArrayBuffer>));
  let s = '';
  for (const b of digest) s += String.fromCharCode(b);
  return `"${btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '').slice(0, 16)}"`;
}

/** Adds the static routes to the API app itself, so unknown paths keep its JSON 404 envelope. */
export function addStaticRoutes<A extends Hono<any, any, any>>(app: A, files: StaticFiles, opts: { demo?: boolean } = {}): A {
  // Hashed once per process or isolate, on first use.
  const etags = new Map<StaticName, Promise<string>>();
  const etag = (name: StaticName, file: StaticFile) => {
    let e = etags.get(name);
    if (!e) etags.set(name, (e = etagOf(file.body)));
    return e;
  };

  /** A file served with an ETag, revalidated after `maxAge` seconds. */
  const send = (name: StaticName, maxAge: number, headers: Record<string, string> = {}) => async (c: Context) => {
    const file = files[name];
    if (!file) return c.json({ error: { code: 'not_found', message: 'This file is missing from the installation (bundles: run npm run build)' } }, 404);
    const tag = await etag(name, file);
    for (const [k, v] of Object.entries(headers)) c.header(k, v);
    c.header('ETag', tag);
    c.header('Cache-Control', `public, max-age=${maxAge}`);
    if (c.req.header('if-none-match') === tag) return c.body(null, 304);
    return c.body(file.body as Uint8Array<ArrayBuffer>, 200, { 'Content-Type': file.type });
  };

  app.get('/admin', send('admin.html', 0, ADMIN_HEADERS));
  app.get('/admin/', (c) => c.redirect('/admin'));
  app.get('/admin/taliq-moderation.js', send('taliq-moderation.js', 300, ADMIN_HEADERS));
  for (const name of PUBLIC_SCRIPTS) app.get(`/${name}`, send(name, 300, PUBLIC_SCRIPT));
  if (opts.demo) {
    app.get('/', send('demo.html', 0, { 'Content-Security-Policy': DEMO_CSP }));
    app.get('/article.css', send('article.css', 0));
  }
  return app;
}

/** Where each file comes from in the project: dist/ for bundles, the sources for pages. */
export const STATIC_SOURCES: Record<StaticName, { path: string; type: string }> = {
  'taliq.js': { path: 'dist/taliq.js', type: JS },
  'taliq-fr.js': { path: 'dist/taliq-fr.js', type: JS },
  'taliq-en.js': { path: 'dist/taliq-en.js', type: JS },
  'taliq-count.js': { path: 'dist/taliq-count.js', type: JS },
  'taliq-pow.js': { path: 'dist/taliq-pow.js', type: JS },
  'taliq-live.js': { path: 'dist/taliq-live.js', type: JS },
  'taliq-moderation.js': { path: 'dist/taliq-moderation.js', type: JS },
  'admin.html': { path: 'packages/dashboard/index.html', type: HTML },
  'demo.html': { path: 'examples/news-article/index.html', type: HTML },
  'article.css': { path: 'examples/news-article/article.css', type: CSS },
};
