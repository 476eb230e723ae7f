/**
 * The Worker bench/store.ts runs on workerd (through Miniflare) to measure the D1 store where it
 * runs in production, next to its binding: bundled with the real store (openD1Store), it fills
 * the database with the fixture's SQL and times nothing itself (workerd's clock stands still
 * while code runs); bench/store.ts times its answers and repeats each read inside one request.
 *
 * POST /exec {sql, params}           one fixture statement
 * POST /all {sql, params}            rows of one read
 * POST /walk {threadId, page}        the cursor after page `page - 1` (null for page 1)
 * POST /list {threadId, cursor, times}  listThread `times` times; answers the last page's size
 * POST /post {prefix, from, seconds, inFlight}  insertComment from `inFlight` loops until `seconds` pass
 */
import { openD1Store, type D1Like } from '../packages/server/src/store/d1.js';
import type { Cursor, Store } from '../packages/server/src/store/store.js';
import { newComment, PAGE } from './store-fixture.js';

let opened: Promise<Store> | undefined;

interface Body {
  sql: string;
  params?: unknown[];
  threadId: number;
  page: number;
  cursor: Cursor | null;
  times: number;
  prefix: string;
  from: number;
  seconds: number;
  inFlight: number;
}

export default {
  async fetch(request: Request, env: { DB: D1Like }): Promise<Response> {
    const store = await (opened ??= openD1Store(env.DB));
    const b = (await request.json()) as Body;
    switch (new URL(request.url).pathname) {
      case '/exec':
      case '/all':
        return Response.json((await env.DB.prepare(b.sql).bind(...(b.params ?? [])).all()).results);
      case '/walk': {
        let cursor: Cursor | null = null;
        for (let p = 1; p < b.page; p++) cursor = (await store.listThread(b.threadId, 'newest', PAGE, cursor)).next;
        return Response.json({ cursor });
      }
      case '/list': {
        let rows = 0;
        for (let i = 0; i < b.times; i++) {
          const page = await store.listThread(b.threadId, 'newest', PAGE, b.cursor);
          rows = page.top.length + page.replies.length;
        }
        return Response.json({ rows });
      }
      case '/post': {
        // Date.now() moves on across I/O in workerd: enough to stop after a few seconds.
        const until = Date.now() + b.seconds * 1000;
        let n = b.from;
        let done = 0;
        await Promise.all(Array.from({ length: b.inFlight }, async () => {
          while (Date.now() < until) {
            await store.insertComment(newComment(b.prefix, n++, Date.now()));
            done++;
          }
        }));
        return Response.json({ done });
      }
    }
    return new Response('not found', { status: 404 });
  },
};
