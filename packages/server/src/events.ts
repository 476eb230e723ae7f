/**
 * The live-update stream of a thread. It reads the store's event log, so it works the same with
 * one API instance or several sharing a database: each stream polls the log (an indexed range
 * read) every `pollMs`, sends what is new with its id, and resumes from `Last-Event-ID`.
 */
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Services } from './context.js';
import { toPublic } from './views.js';

const KEEPALIVE_MS = 15_000;
/** Streams end after this long; EventSource reconnects with Last-Event-ID and loses nothing. */
const MAX_STREAM_MS = 10 * 60_000;

export function streamThreadEvents(s: Services, c: Context, siteId: string, key: string, lastSeen: string | undefined) {
  c.header('Cache-Control', 'no-store');
  c.header('X-Accel-Buffering', 'no');
  return streamSSE(c, async (stream) => {
    let closed = false;
    stream.onAbort(() => {
      closed = true;
    });
    const started = Date.now();
    let lastPing = started;
    let thread = await s.store.getThread(siteId, key);
    let after = lastSeen !== undefined && /^\d+$/.test(lastSeen) ? Number(lastSeen) : thread ? await s.store.lastEventId(thread.id) : 0;
    await stream.writeSSE({ event: 'ready', data: '{}', retry: 3000 });
    while (!closed && Date.now() - started < MAX_STREAM_MS) {
      thread ??= await s.store.getThread(siteId, key);
      if (thread) {
        const events = await s.store.listEvents(thread.id, after, 100);
        const comments = new Map((await s.store.getComments([...new Set(events.map((e) => e.commentId))])).map((x) => [x.id, x]));
        for (const e of events) {
          after = e.id;
          const comment = comments.get(e.commentId);
          // An approval or edit that was undone since is not replayed as visible.
          const data = e.type === 'comment.removed' || comment?.status !== 'approved' ? { id: e.commentId } : toPublic(comment);
          const type = e.type !== 'comment.removed' && comment?.status !== 'approved' ? 'comment.removed' : e.type;
          await stream.writeSSE({ id: String(e.id), event: type, data: JSON.stringify(data) });
        }
      }
      if (Date.now() - lastPing > KEEPALIVE_MS) {
        await stream.write(': keep-alive\n\n');
        lastPing = Date.now();
      }
      await stream.sleep(s.eventPollMs);
    }
  });
}
