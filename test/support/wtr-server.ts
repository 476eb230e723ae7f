/**
 * The real API inside @web/test-runner's dev server, so component tests talk to the real app
 * and a real SQLite file, on the test page's own origin. Test-only helpers under /__test/ create
 * an isolated site per test, seed approved comments and approve comments.
 */
import { getRequestListener } from '@hono/node-server';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SETTINGS } from '../../packages/shared/src/index.js';
import { createApp } from '../../packages/server/src/app.js';
import { openSqliteStore } from '../../packages/server/src/store/sqlite.js';
import { randomId } from '../../packages/server/src/crypto.js';

type Koa = { path: string; method: string; req: import('node:http').IncomingMessage; res: import('node:http').ServerResponse; respond?: boolean; status: number; body: unknown; type: string };

async function readBody(req: import('node:http').IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const ch of req) chunks.push(ch as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : {};
}

export async function testServerMiddleware(origins: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'taliq-wtr-'));
  const store = await openSqliteStore(join(dir, 'taliq.db'));
  const app = createApp({ store, secret: 'widget-tests-secret-at-least-32-characters', clientIp: () => '127.0.0.1' });
  const listener = getRequestListener(app.fetch);
  // Seeded comments are dated from a day ago, a second apart, so they are older than anything posted.
  let clock = Date.now() - 24 * 3600 * 1000;

  return async (ctx: Koa, next: () => Promise<void>) => {
    if (ctx.path.startsWith('/api/')) {
      ctx.respond = false;
      await listener(ctx.req, ctx.res);
      return;
    }
    if (!ctx.path.startsWith('/__test/') || ctx.method !== 'POST') return next();
    const input = await readBody(ctx.req);
    ctx.type = 'application/json';
    if (ctx.path === '/__test/sites') {
      const site = `s-${randomId(6).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`;
      await store.createSite(site, { ...DEFAULT_SETTINGS, origins, moderation: input.moderation ?? 'pre', ...(input.settings ?? {}) });
      ctx.body = JSON.stringify({ site });
    } else if (ctx.path === '/__test/approve') {
      await store.setStatus(input.ids, 'approved');
      ctx.body = JSON.stringify({ ok: true });
    } else if (ctx.path === '/__test/seed') {
      // n approved top-level comments (oldest first), each with `replies` approved replies.
      const thread = await store.ensureThread(input.site, input.thread, { title: null, url: null });
      const ids: string[] = [];
      for (let i = 1; i <= input.n; i++) {
        const id = randomId();
        const at = (clock += 1000);
        await store.insertComment({ id, siteId: input.site, threadId: thread.id, parentId: null, rootId: null, authorName: input.name ?? `قارئ ${i}`, authorEmail: null, readerId: null, verified: false, body: input.body ?? `تعليق رقم ${i}`, status: 'approved', reasons: [], createdAt: at, idempotencyKey: null, flagged: false, ipHash: null, searchText: '' });
        ids.push(id);
        for (let r = 1; r <= (input.replies ?? 0); r++) {
          await store.insertComment({ id: randomId(), siteId: input.site, threadId: thread.id, parentId: id, rootId: id, authorName: `مجيب ${r}`, authorEmail: null, readerId: null, verified: false, body: `رد رقم ${r} على ${i}`, status: 'approved', reasons: [], createdAt: at + r, idempotencyKey: null, flagged: false, ipHash: null, searchText: '' });
        }
      }
      ctx.body = JSON.stringify({ ids });
    } else {
      ctx.status = 404;
      ctx.body = JSON.stringify({ error: { code: 'not_found', message: 'No such test helper' } });
    }
  };
}
