/**
 * Live updates of a thread: an EventSource on `…/threads/{thread}/events`. The browser reconnects
 * by itself after a dropped connection, sending `Last-Event-ID`; after a full failure (an error
 * answer: readyState CLOSED) a fresh EventSource is opened with backoff and `?after=<last id>`,
 * so no event is missed either way.
 */
export type LiveEvent = 'comment.approved' | 'comment.edited' | 'comment.removed';
const TYPES: LiveEvent[] = ['comment.approved', 'comment.edited', 'comment.removed'];

/** Waits before reopening after a full failure: 1 s, doubling up to a minute, with some jitter. */
const FIRST_WAIT = 1000;
const MAX_WAIT = 60_000;

/** Follows the stream at `url`, after event `last` when given, until the returned function is called. */
export function follow(url: string, last: string, on: (type: LiveEvent, data: any, id: string) => void): () => void {
  let source: EventSource | undefined;
  let wait = FIRST_WAIT;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const open = () => {
    const es = (source = new EventSource(last ? `${url}?after=${encodeURIComponent(last)}` : url));
    es.onopen = () => (wait = FIRST_WAIT);
    es.onerror = () => {
      if (es.readyState !== EventSource.CLOSED) return; // the browser is reconnecting
      es.close();
      timer = setTimeout(open, wait * (0.8 + Math.random() * 0.4));
      wait = Math.min(wait * 2, MAX_WAIT);
    };
    for (const type of TYPES)
      es.addEventListener(type, (e) => {
        const m = e as MessageEvent<string>;
        last = m.lastEventId || last;
        on(type, JSON.parse(m.data), last);
      });
  };
  open();
  return () => {
    clearTimeout(timer);
    source?.close();
  };
}
