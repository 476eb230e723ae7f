import { openSqliteStore } from '../packages/server/src/store/sqlite.ts';
import { createApp } from '../packages/server/src/app.ts';
import { DEFAULT_SETTINGS } from '../packages/shared/src/index.ts';
import { rmSync } from 'node:fs';
rmSync('/tmp/inlist', { recursive: true, force: true });
const store = await openSqliteStore('/tmp/inlist/t.db');
const open = { perReader: 1e6, perIp: 1e6, windowSeconds: 60 };
await store.createSite('s', { ...DEFAULT_SETTINGS, moderation: 'post', origins: ['https://x.ma'], limits: { posts: open, votes: open, reports: open } });
const app = createApp({ store, secret: 'x'.repeat(40), pageCacheMs: 1000, clientIp: () => '127.0.0.1' });
for (let i = 0; i < 200; i++) { const r = await app.request('/api/v1/sites/s/threads/t/comments', { method: 'POST', headers: { 'content-type': 'application/json', origin: 'https://x.ma', 'taliq-reader': 'benchreader' + String(i).padStart(9, '0') }, body: JSON.stringify({ author: { name: 'قارئ ' + i }, body: 'تعليق رقم ' + i + ': رأيي أن المقال مفيد ويستحق النقاش. '.repeat(1 + i % 5) }) }); if (r.status !== 201) throw new Error(await r.text()); }
const get = async () => { const r = await app.request('http://h/api/v1/sites/s/threads/t/comments?sort=newest&limit=20', { headers: { origin: 'https://x.ma' } }); await r.arrayBuffer(); };
for (let round = 0; round < 4; round++) {
  const N = 20000; const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) await get();
  const c = process.cpuUsage(c0); console.log('µs CPU per cached listing (app.request, no HTTP):', ((c.user + c.system) / N).toFixed(1));
}
