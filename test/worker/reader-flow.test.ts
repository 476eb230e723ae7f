/**
 * The reader flow (test/support/reader-flow.ts) in real Chromium against `npm run start:worker`:
 * the Worker on workerd with its local D1 and Durable Objects, administered over HTTP with the
 * operator's TALIQ_ADMIN_TOKEN (no local store to open there).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readerFlow } from '../support/reader-flow.js';
import { startWorkerServer } from '../support/process.js';

const ADMIN_TOKEN = 'worker-e2e-admin-token-0123456789';

readerFlow(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'taliq-worker-e2e-'));
  const server = await startWorkerServer({ TALIQ_WORKER_DATA: dir, TALIQ_ADMIN_TOKEN: ADMIN_TOKEN });
  const admin = async (method: string, path: string, body: unknown) => {
    const res = await fetch(`${server.url}/api/v1/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  return {
    url: server.url,
    addSite: async (id, origin) => {
      await admin('POST', '/sites', { id, settings: { origins: [origin], moderation: 'pre' } });
      // The operator's token moderates every site.
      return ADMIN_TOKEN;
    },
    setSetting: async (id, key, value) => void (await admin('PATCH', `/sites/${id}`, { [key]: value })),
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
