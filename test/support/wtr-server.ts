/**
 * The real API inside @web/test-runner's dev server, so component tests talk to the real app
 * and a real SQLite file, on the test page's own origin. Test-only helpers under /__test/ create
 * an isolated site per test, seed approved comments, approve or remove comments, sign a reader
 * in, and cut or refuse live-update streams.
 */
import { getRequestListener } from '@hono/node-server';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tempDir } from './temp-dir.js';
import { join } from 'node:path';
import { DEFAULT_SETTINGS } from '../../packages/shared/src/index.js';
import { createApp } from '../../packages/server/src/app.js';
import { openSqliteStore } from '../../packages/server/src/store/sqlite.js';
import { randomId } from '../../packages/server/src/crypto.js';
import { signSsoToken } from '../../packages/server/src/sso.js';

type Koa = { path: string; method: string; req: IncomingMessage; res: ServerResponse; respond?: boolean; status: number; body: unknown; type: string };

async function readBody(req: IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const ch of req) chunks.push(ch as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : {};
}

const ADMIN_TOKEN = 'widget-tests-admin-token-0123456789';

export async function testServerMiddleware(origins: string[]) {
  // Removed when the test runner exits.
  const dir = tempDir('taliq-wtr-').path;
  const store = await openSqliteStore(join(dir, 'taliq.db'));
  // Live updates are polled fast so tests need not wait a second for each.
  const app = createApp({ store, secret: 'widget-tests-secret-at-least-32-characters', adminToken: ADMIN_TOKEN, clientIp: () => '127.0.0.1', eventPollMs: 50 });
  const listener = getRequestListener(app.fetch);
  // Seeded comments are dated from a day ago, a second apart, so they are older than anything posted.
  let clock = Date.now() - 24 * 3600 * 1000;
  /** Open live-update streams, and how many of the next ones to refuse. */
  const streams = new Map<ServerResponse, string>();
  let refuse = 0;
  /** How refusals answer: 503 with no Retry-After unless a test says otherwise. */
  let refusal: { status: number; retryAfter?: number } = { status: 503 };
  const streamUrls: string[] = [];
  /** When each refused stream request came (ms), per path. */
  const refusedAt: [string, number][] = [];
  /** Requests for a thread's first page, per path. */
  const pageRequests = new Map<string, number>();
  /** Whether the `Taliq-Form` header reaches the server (see below). */
  let formTiming = false;
  /** Requests for counts, per site. */
  const countRequests = new Map<string, number>();

  const admin = async (path: string) =>
    (await app.request(`/api/v1/admin${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json() as Promise<any>;

  return async (ctx: Koa, next: () => Promise<void>) => {
    if (ctx.path.startsWith('/api/')) {
      // Tests post faster than a person writes: without the form's served-at stamp the server
      // skips its form-timing check (tested on the server), unless a test turns it on.
      if (!formTiming) {
        delete ctx.req.headers['taliq-form'];
        const raw = ctx.req.rawHeaders;
        for (let i = raw.length - 2; i >= 0; i -= 2) if (raw[i].toLowerCase() === 'taliq-form') raw.splice(i, 2);
      }
      if (ctx.path.endsWith('/events')) {
        streamUrls.push(ctx.req.url ?? '');
        if (refuse > 0) {
          refuse--;
          refusedAt.push([ctx.path, Date.now()]);
          ctx.status = refusal.status;
          if (refusal.retryAfter !== undefined) ctx.res.setHeader('Retry-After', String(refusal.retryAfter));
          ctx.body = { error: { code: refusal.status === 429 ? 'too_many_streams' : 'server_busy', message: 'refused by /__test/streams' } };
          return;
        }
        streams.set(ctx.res, ctx.path);
        ctx.res.once('close', () => streams.delete(ctx.res));
      }
      if (ctx.method === 'GET' && ctx.path.endsWith('/comments')) pageRequests.set(ctx.path, (pageRequests.get(ctx.path) ?? 0) + 1);
      const counts = ctx.path.match(/^\/api\/v1\/sites\/([^/]+)\/counts$/);
      if (counts && ctx.method === 'GET') countRequests.set(counts[1], (countRequests.get(counts[1]) ?? 0) + 1);
      ctx.respond = false;
      await listener(ctx.req, ctx.res);
      return;
    }
    if (!ctx.path.startsWith('/__test/') || ctx.method !== 'POST') return next();
    const input = await readBody(ctx.req);
    ctx.type = 'application/json';
    let answer: unknown = { ok: true };
    if (ctx.path === '/__test/sites') {
      const site = `s-${randomId(6).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`;
      await store.createSite(site, { ...DEFAULT_SETTINGS, origins, moderation: input.moderation ?? 'pre', ...(input.settings ?? {}) });
      answer = { site };
    } else if (ctx.path === '/__test/approve') {
      await store.setStatus(input.ids, 'approved');
    } else if (ctx.path === '/__test/status') {
      // Any status: `rejected` or `deleted` takes an approved comment away, as a moderator would.
      await store.setStatus(input.ids, input.status);
    } else if (ctx.path === '/__test/seed') {
      // n approved top-level comments (oldest first), each with `replies` approved replies.
      const thread = await store.ensureThread(input.site, input.thread, { title: null, url: null });
      const ids: string[] = [];
      const base = { siteId: input.site as string, threadId: thread.id, authorEmail: null, readerId: null, verified: false, reasons: [], idempotencyKey: null, flagged: false, ipHash: null, searchText: '' };
      for (let i = 1; i <= input.n; i++) {
        const id = randomId();
        const at = (clock += 1000);
        await store.insertComment({ ...base, id, parentId: null, rootId: null, authorName: input.name ?? `قارئ ${i}`, body: input.body ?? `تعليق رقم ${i}`, status: 'approved' as const, createdAt: at });
        ids.push(id);
        for (let r = 1; r <= (input.replies ?? 0); r++) {
          await store.insertComment({ ...base, id: randomId(), parentId: id, rootId: id, authorName: `مجيب ${r}`, body: `رد رقم ${r} على ${i}`, status: 'approved' as const, createdAt: at + r });
        }
      }
      answer = { ids };
    } else if (ctx.path === '/__test/sso-token') {
      // A publisher's sign-in token for a reader of this site, signed with the site's SSO secret.
      const { ssoSecret } = await admin(`/sites/${encodeURIComponent(input.site)}`);
      answer = { token: await signSsoToken(ssoSecret, { sub: input.sub ?? 'reader-1', name: input.name, exp: Math.floor(Date.now() / 1000) + 3600 }) };
    } else if (ctx.path === '/__test/streams') {
      // How many live-update streams of `thread` (any thread when not given) are open. With
      // `cut`, cuts them all (EventSource reconnects by itself); `refuse` answers the next ones
      // 503 (EventSource then gives up, and the widget must reopen on its own).
      const path = input.thread && `/threads/${encodeURIComponent(input.thread)}/events`;
      const open = [...streams].filter(([, p]) => !path || p.endsWith(path));
      refuse = input.refuse ?? refuse;
      if (input.refuse !== undefined) refusal = { status: input.status ?? 503, retryAfter: input.retryAfter };
      if (input.cut) for (const [res] of open) res.socket?.destroy();
      answer = {
        open: open.length,
        urls: streamUrls.filter((u) => !path || u.split('?')[0].endsWith(path)),
        refusedAt: refusedAt.filter(([p]) => !path || p.endsWith(path)).map(([, at]) => at),
        pageRequests: [...pageRequests].filter(([p]) => !path || p.endsWith(path.replace(/events$/, 'comments'))).reduce((n, [, k]) => n + k, 0),
      };
    } else if (ctx.path === '/__test/form-timing') {
      formTiming = !!input.on;
    } else if (ctx.path === '/__test/count-requests') {
      answer = { requests: countRequests.get(input.site) ?? 0 };
    } else {
      ctx.status = 404;
      answer = { error: { code: 'not_found', message: 'No such test helper' } };
    }
    ctx.body = JSON.stringify(answer);
  };
}
