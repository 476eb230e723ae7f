/**
 * The outbound guard on workerd: a webhook URL into the server's own network is refused when set
 * (422), and the TALIQ_ALLOWED_HOOK_HOSTS var allows the ranges it lists. Needs the build.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWorker, WORKER_ADMIN_TOKEN, type TestWorker } from '../support/worker.js';

let w: TestWorker;

before(async () => {
  w = await startTestWorker({ TALIQ_ALLOWED_HOOK_HOSTS: '10.9.0.0/16, hooks.internal:8080' });
});

after(async () => {
  await w?.dispose();
});

const create = (id: string, webhookUrl: string) => w.a('/api/v1/admin/sites', {
  method: 'POST',
  headers: { authorization: `Bearer ${WORKER_ADMIN_TOKEN}`, 'content-type': 'application/json' },
  body: JSON.stringify({ id, settings: { origins: ['https://akhbar.example.ma'], webhookUrl } }),
});

test('on Workers, internal webhook URLs are refused when set, unless TALIQ_ALLOWED_HOOK_HOSTS lists them', async () => {
  const refused = ['http://169.254.169.254/latest/meta-data/', 'http://[::ffff:a9fe:a9fe]/', 'http://0x7f.1/hook', 'http://10.8.1.2/hook', 'http://metadata.google.internal/'];
  // A name Workers cannot resolve is judged by its spelling: hooks.internal on another port is not refused here (it is on Node, where it would resolve to an internal address).
  for (const [i, url] of refused.entries()) {
    const res = await create(`refused-${i}`, url);
    assert.equal(res.status, 422, url);
    const body = await res.json();
    assert.equal(body.error.issues[0].code, 'url_refused', url);
  }
  for (const [i, url] of ['http://10.9.1.2:8080/hook', 'http://hooks.internal:8080/hook', 'https://hooks.example.com/taliq'].entries()) {
    assert.equal((await create(`allowed-${i}`, url)).status, 201, url);
  }
});
