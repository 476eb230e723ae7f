/**
 * Live updates of a thread (`…/threads/{thread}/events`), followed by taliq-live.js, fetched
 * beside taliq.js once the thread is shown (taliq-live.ts: reads refusals, backs off, refreshes).
 */
export type LiveEvent = 'comment.approved' | 'comment.edited' | 'comment.removed';

/** Follows the stream at `url`, after event `last` when given, until the returned function is called. */
export function follow(url: string, last: string, on: (type: LiveEvent, data: any, id: string) => void): () => void {
  let stop: (() => void) | undefined, stopped = 0;
  import(/* @vite-ignore */ new URL('taliq-live.js', import.meta.url).href).then((m: typeof import('./taliq-live.js')) => stopped || (stop = m.follow(url, last, on)));
  return () => {
    stopped = 1;
    stop?.();
  };
}
