/**
 * Signing in as a moderator or the operator: TALIQ_ADMIN_TOKEN has a minimum length, and wrong
 * tokens are throttled per client address.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createApp } from '../../packages/server/src/app.js';
import { SECRET, testApp } from '../support/app.js';
import { tempDir } from '../support/temp-dir.js';
import { taliq } from '../support/process.js';

test('a short TALIQ_ADMIN_TOKEN stops `taliq serve` with a clear message, before anything listens', { timeout: 30_000 }, async () => {
  const dir = tempDir('taliq-admin-');
  try {
    const run = await taliq(['serve', '--port', '0'], { TALIQ_DB: join(dir.path, 'taliq.db'), TALIQ_ADMIN_TOKEN: 'admin123' });
    assert.equal(run.code, 1, run.stdout);
    assert.match(run.stderr, /TALIQ_ADMIN_TOKEN must be at least 32 characters \(it has 8\)/);
    assert.doesNotMatch(run.stdout, /listening/);
  } finally {
    dir.remove();
  }
});

test('createApp refuses a short admin token; 32 characters are enough', async () => {
  const t = await testApp();
  try {
    assert.throws(() => createApp({ store: t.store, secret: SECRET, adminToken: 'x'.repeat(31) }), /at least 32 characters/);
    const app = createApp({ store: t.store, secret: SECRET, adminToken: 'y'.repeat(32) });
    const me = await app.request('/api/v1/admin/me', { headers: { authorization: `Bearer ${'y'.repeat(32)}` } });
    assert.equal(me.status, 200);
  } finally {
    await t.close();
  }
});
