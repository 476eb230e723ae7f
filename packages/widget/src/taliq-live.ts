/**
 * taliq-live.js: a thread's live updates, fetched by taliq.js (live.ts) once the thread is shown.
 * The stream is read with fetch and a small SSE parser, not EventSource, because a refusal must be
 * read: over the server's caps it answers 429 or 503 with Retry-After. Then the widget waits as
 * long as it is told (with jitter, so refused readers do not return together), refreshes the
 * thread's first page meanwhile, and opens the stream again after the last event it saw.
 * A dropped connection reopens at once-ish (1 s, doubling to a minute, with jitter).
 */
import type { LiveEvent } from './live.js';

const TYPES = new Set<string>(['comment.approved', 'comment.edited', 'comment.removed']);
const FIRST_WAIT = 1000;
const MAX_WAIT = 60_000;
/** While refused, the thread's first page is read again this often (and before each retry). */
export const REFRESH_MS = 15_000;

/** Follows the stream at `url`, after event `last` when given, until the returned function is called. */
export function follow(url: string, last: string, on: (type: LiveEvent, data: any, id: string) => void): () => void {
  let stopped = false;
  let ctl: AbortController | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let refresher: ReturnType<typeof setInterval> | undefined;
  let wait = FIRST_WAIT;
  /** The server's `retry:` (ms) after a stream it ended itself. */
  let reconnect = 3000;

  const later = (ms: number, refused: boolean) => {
    if (stopped) return;
    timer = setTimeout(async () => {
      if (refused) await refresh();
      void open();
    }, ms);
  };
  // The first page again, its comments handed on as approvals: the widget shows what is new
  // (behind its notice) and updates what it has; the stream, once back, replays the rest.
  const refresh = async () => {
    try {
      const res = await fetch(url.replace(/\/events$/, '/comments'), { cache: 'no-store' });
      if (!res.ok || stopped) return;
      for (const c of (await res.json()).comments ?? []) {
        on('comment.approved', c, last);
        for (const r of c.replies ?? []) on('comment.approved', r, last);
      }
    } catch {
      // Offline too: the next refresh tries again.
    }
  };

  const open = async () => {
    if (stopped) return;
    ctl = new AbortController();
    try {
      const res = await fetch(last ? `${url}?after=${encodeURIComponent(last)}` : url, { signal: ctl.signal, cache: 'no-store', headers: { accept: 'text/event-stream' } });
      if (res.ok && res.body) {
        clearInterval(refresher);
        refresher = undefined;
        wait = FIRST_WAIT;
        await read(res.body);
        return later(reconnect, false);
      }
      // Refused: wait as told (or back off), refreshing the thread meanwhile.
      void res.body?.cancel();
      const told = Number(res.headers.get('retry-after'));
      const ms = told > 0 ? told * 1000 * (1 + Math.random() * 0.5) : (wait = Math.min(wait * 2, MAX_WAIT)) * (0.8 + Math.random() * 0.4);
      refresher ??= setInterval(refresh, REFRESH_MS);
      later(ms, true);
    } catch {
      if (stopped) return;
      later(wait * (0.8 + Math.random() * 0.4), false);
      wait = Math.min(wait * 2, MAX_WAIT);
    }
  };

  /** Reads SSE frames until the stream ends or fails. */
  const read = async (body: ReadableStream<Uint8Array>) => {
    const reader = body.getReader();
    const dec = new TextDecoder();
    let buf = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buf += dec.decode(value, { stream: true });
      let end: number;
      while ((end = buf.search(/\r?\n\r?\n/)) >= 0) {
        const frame = buf.slice(0, end);
        buf = buf.slice(end).replace(/^\r?\n\r?\n/, '');
        let type = 'message', data = '', id = '';
        for (const line of frame.split(/\r?\n/)) {
          const colon = line.indexOf(':');
          if (colon === 0) continue;
          const field = colon < 0 ? line : line.slice(0, colon);
          const v = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'event') type = v;
          else if (field === 'data') data += (data ? '\n' : '') + v;
          else if (field === 'id') id = v;
          else if (field === 'retry' && /^\d+$/.test(v)) reconnect = Number(v);
        }
        if (id) last = id;
        if (TYPES.has(type)) on(type as LiveEvent, JSON.parse(data), last);
      }
    }
  };

  void open();
  return () => {
    stopped = true;
    clearTimeout(timer);
    clearInterval(refresher);
    ctl?.abort();
  };
}
