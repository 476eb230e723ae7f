/**
 * The server half of `npm run bench:streams`: a real Taliq Node server (buildNodeApp on a SQLite
 * file, @hono/node-server on a port of 127.0.0.1) whose store counts every call, in its own
 * process so its RSS is its own. Talks to bench/streams.ts over IPC: sends {port} when listening,
 * answers {rss, heap, storeCalls, streams} to 'stats', and removes its files on 'exit'.
 */
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DEFAULT_SETTINGS } from '../packages/shared/src/index.js';
import { buildNodeApp, withRemoteAddress } from '../packages/server/src/runtime/node.js';
import { openSqliteStore } from '../packages/server/src/store/sqlite.js';
import type { Store } from '../packages/server/src/store/store.js';
import { tempDir } from '../test/support/temp-dir.js';

const SECRET = 'bench-streams-secret-that-is-at-least-32-characters';
const ADMIN = process.env.BENCH_ADMIN_TOKEN!;
const dir = tempDir('taliq-bench-streams-');
const raw = await openSqliteStore(join(dir.path, 'taliq.db'));
let storeCalls = 0;
// Every method call on the store counted, but /healthz's ping (the bench asks it 20 times a second).
const store = new Proxy(raw, {
  get(target, key, receiver) {
    const v = Reflect.get(target, key, receiver);
    return typeof v === 'function' ? (...args: unknown[]) => (key === 'ping' || storeCalls++, v.apply(target, args)) : v;
  },
}) as Store;
const lots = { perReader: 1e6, perIp: 1e6, windowSeconds: 60 };
await raw.createSite('bench', { ...DEFAULT_SETTINGS, origins: ['https://bench.example'], moderation: 'pre', limits: { posts: lots, votes: lots, reports: lots } });
const app = buildNodeApp(store, SECRET, {
  adminToken: ADMIN,
  maxStreamsPerAddress: Number(process.env.BENCH_PER_ADDRESS),
  maxStreams: Number(process.env.BENCH_MAX_STREAMS),
});
const server = serve({ fetch: withRemoteAddress(app.fetch), port: 0, hostname: '127.0.0.1' }, () => {
  process.send!({ port: (server.address() as AddressInfo).port });
});
(server as unknown as { maxConnections?: number }).maxConnections = 100_000;
process.on('message', (m: string) => {
  if (m === 'stats') {
    global.gc?.();
    const mem = process.memoryUsage();
    process.send!({ rss: mem.rss, heap: mem.heapUsed, storeCalls, streams: app.streams.size });
  } else if (m === 'exit') {
    server.close();
    void raw.close().finally(() => {
      dir.remove();
      process.exit(0);
    });
  }
});
