/**
 * The built Worker (dist/worker/index.js, as wrangler.jsonc deploys it) on real workerd through
 * Miniflare, in memory. Two Workers run the same script in separate isolates, sharing one D1 and
 * the Durable Objects, as two Cloudflare isolates do: what one isolate keeps in memory the other
 * cannot see, so anything shared must go through D1 or a Durable Object.
 */
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import { openD1Store, type D1Like } from '../../packages/server/src/store/d1.js';
import type { Store } from '../../packages/server/src/store/store.js';
import { workerOptions } from '../../packages/server/src/runtime/worker-options.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const WORKER_SECRET = 'worker-test-secret-that-is-at-least-32-characters';
export const WORKER_ADMIN_TOKEN = 'worker-admin-token-for-tests-0123456789';

type Fetch = (path: string, init?: RequestInit & { ip?: string }) => Promise<Response>;

export interface TestWorker {
  mf: Miniflare;
  /** Requests to isolate A and to isolate B, by path; `ip` becomes CF-Connecting-IP. */
  a: Fetch;
  b: Fetch;
  /** The D1 database both isolates use, as a store opened from Node. */
  store: Store;
  /** The D1 binding itself, for what no API route does (ageing a comment). */
  d1: { prepare(sql: string): { bind(...v: unknown[]): { all(): Promise<{ results: Record<string, unknown>[] }>; run(): Promise<unknown> } } };
  /** The hub of a thread's Durable Object: reads of the event log so far, readers connected. */
  threadStats(site: string, thread: string): Promise<{ polls: number; catchUps: number; readers: number; streams: number }>;
  /** Runs the Worker's scheduled() as the cron trigger would at `at`. */
  scheduled(at: Date): Promise<void>;
  dispose(): Promise<void>;
}

export async function startTestWorker(bindings: Record<string, string> = {}): Promise<TestWorker> {
  const base = workerOptions(ROOT, { TALIQ_SECRET: WORKER_SECRET, TALIQ_ADMIN_TOKEN: WORKER_ADMIN_TOKEN, ...bindings });
  const mf = new Miniflare({
    workers: [
      { ...base, name: 'taliq' },
      {
        ...base,
        name: 'taliq-b',
        routes: ['b.taliq.test/*'],
        // The same classes, served by the first Worker: one set of objects for both isolates.
        durableObjects: Object.fromEntries(Object.entries(base.durableObjects ?? {}).map(([k, v]) => [k, { ...(v as object), scriptName: 'taliq' }])) as never,
      },
    ],
  });
  await mf.ready;
  // dispatchFetch, as a browser's request arrives (getWorker().fetch refuses foreign Origins);
  // the host picks the isolate: b.taliq.test is the second Worker's route, anything else the first.
  const fetcher = (host: string): Fetch => (path, init = {}) => {
    const { ip, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (ip) headers.set('cf-connecting-ip', ip);
    return mf.dispatchFetch(`http://${host}${path}`, { ...rest, headers } as never) as unknown as Promise<Response>;
  };
  const d1 = (await mf.getD1Database('DB', 'taliq')) as unknown as TestWorker['d1'];
  const a = fetcher('a.taliq.test');
  // The Worker migrates D1 on its first request; the store opened here only reads and writes.
  const health = await a('/healthz');
  await health.arrayBuffer();
  if (health.status !== 200) {
    await mf.dispose();
    throw new Error(`The Worker did not start: /healthz answered ${health.status}`);
  }
  const store = await openD1Store(d1 as unknown as D1Like);
  return {
    mf, a, b: fetcher('b.taliq.test'), store, d1,
    threadStats: async (site, thread) => {
      const ns = await mf.getDurableObjectNamespace('THREAD_EVENTS', 'taliq');
      const stub = ns.get(ns.idFromName(`${site}\n${thread}`)) as unknown as { stats(): Promise<{ polls: number; catchUps: number; readers: number; streams: number }> };
      return stub.stats();
    },
    scheduled: async (at) => {
      const w = await mf.getWorker('taliq');
      await w.scheduled({ scheduledTime: at, cron: '*/5 * * * *' });
    },
    dispose: () => mf.dispose(),
  };
}

/** Reads an SSE response as it comes; `until` waits for what a test expects, never a fixed time. */
export function sseReader(res: Response) {
  const r = res.body!.getReader();
  const dec = new TextDecoder();
  let text = '';
  let done = false;
  const wake = new Set<() => void>();
  void (async () => {
    for (;;) {
      const chunk = await r.read().catch(() => ({ done: true as const, value: undefined }));
      if (chunk.done) break;
      text += dec.decode(chunk.value, { stream: true });
      for (const w of wake) w();
    }
    done = true;
    for (const w of wake) w();
  })();
  return {
    get text() {
      return text;
    },
    async until(ok: (text: string) => boolean, what: string, ms = 10_000) {
      const deadline = Date.now() + ms;
      while (!ok(text)) {
        if (done) throw new Error(`the stream ended before ${what}:\n${text}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${text}`);
        await new Promise<void>((res) => {
          const w = () => {
            wake.delete(w);
            res();
          };
          wake.add(w);
          setTimeout(w, 100);
        });
      }
    },
    cancel: () => r.cancel().catch(() => {}),
  };
}

/** Waits for `check` to pass, retrying on failure; for state that settles asynchronously. */
export async function eventually<T>(check: () => Promise<T>, what: string, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${(e as Error).message}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
