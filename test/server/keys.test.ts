/**
 * Per-site secrets, as an owner rotates them and as publishers and webhook receivers notice it:
 * rotation over HTTP and with the CLI (local store, and a real server over its API), the old SSO
 * secret signing readers in during the grace period and not after, webhook deliveries signed with
 * the new secret and, during the grace period, with the old one too; no other site touched; and a
 * database from before stored secrets keeping the secrets its sites had.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { DEFAULT_SETTINGS } from '../../packages/shared/src/index.js';
import { createApp } from '../../packages/server/src/app.js';
import { createModeratorToken } from '../../packages/server/src/moderators.js';
import { signSsoToken } from '../../packages/server/src/sso.js';
import { migrations } from '../../packages/server/src/store/migrations.js';
import { splitStatements } from '../../packages/server/src/store/migrate.js';
import { openSqliteStore } from '../../packages/server/src/store/sqlite.js';
import { openPostgresStore } from '../../packages/server/src/store/postgres.js';
import type { Store } from '../../packages/server/src/store/store.js';
import { ADMIN_TOKEN, LOOPBACK_HOOK_HOSTS, NO_LIMITS, ORIGIN, SECRET, SITE, TEST_ENGINE, testApp, type TestApp } from '../support/app.js';
import { startServer, taliq, type ServerProcess } from '../support/process.js';
import { tempDir } from '../support/temp-dir.js';

const OTHER = 'other';
const DAY_MS = 86_400_000;

type App = ReturnType<typeof createApp>;

async function call(app: App, method: string, path: string, token: string | null, body?: unknown) {
  const res = await app.request(`/api/v1${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const secrets = async (app: App, site: string) => {
  const r = await call(app, 'GET', `/admin/sites/${site}`, ADMIN_TOKEN);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return { sso: r.body.ssoSecret as string, webhook: r.body.webhookSecret as string };
};

const rotate = (app: App, site: string, kind: string, token: string) => call(app, 'POST', `/admin/sites/${site}/secrets/${kind}/rotate`, token);

/** Posts a comment signed in with the token: 201 and verified, or the 401 envelope. */
async function signIn(app: App, token: string) {
  const res = await app.request(`/api/v1/sites/${SITE}/threads/keys/comments`, {
    method: 'POST',
    headers: { origin: ORIGIN, 'content-type': 'application/json', 'taliq-token': token },
    body: JSON.stringify({ author: { name: 'قارئ' }, body: 'تعليق قارئ مسجّل' }),
  });
  const body = await res.json();
  return { status: res.status, verified: body.comment?.author?.verified as boolean | undefined, body };
}

const readerToken = (secret: string, t: TestApp) => signSsoToken(secret, { sub: 'reader-1', name: 'سارة', exp: Math.floor(t.clock.now / 1000) + 3 * 24 * 3600 });

/** The app testApp() builds, with this grace period. */
const appWith = (t: TestApp, extra: Partial<Parameters<typeof createApp>[0]> = {}) =>
  createApp({ store: t.store, secret: SECRET, adminToken: ADMIN_TOKEN, now: () => t.clock.now, clientIp: () => '203.0.113.7', allowedHookHosts: LOOPBACK_HOOK_HOSTS, ...extra });

/** What sites made before stored secrets used: the MAC of the site id under TALIQ_SECRET. */
const derived = (kind: 'sso' | 'webhook', site: string, secret = SECRET) =>
  `${kind === 'sso' ? 'ssosec_' : 'whsec_'}${createHmac('sha256', secret).update(`${kind}\n${site}`).digest().subarray(0, 24).toString('base64url')}`;

test('an owner rotates the SSO secret over HTTP: the new one is answered once and shown in the settings, the audit says so without it, nothing else changes', async () => {
  const t = await testApp();
  try {
    await t.store.createSite(OTHER, { ...DEFAULT_SETTINGS, origins: ['https://other.example'] });
    const before = await secrets(t.app, SITE);
    const other = await secrets(t.app, OTHER);
    const r = await rotate(t.app, SITE, 'sso', t.modToken);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.kind, 'sso');
    assert.match(r.body.secret, /^ssosec_[A-Za-z0-9_-]{32}$/);
    assert.notEqual(r.body.secret, before.sso);
    assert.equal(r.body.rotatedAt, new Date(t.clock.now).toISOString());
    assert.equal(r.body.previousValidUntil, new Date(t.clock.now + DAY_MS).toISOString(), 'a day of grace by default');

    assert.deepEqual(await secrets(t.app, SITE), { sso: r.body.secret, webhook: before.webhook }, 'the webhook secret is not touched');
    assert.deepEqual(await secrets(t.app, OTHER), other, 'another site is not touched');

    const audit = await call(t.app, 'GET', `/admin/sites/${SITE}/audit`, t.modToken);
    const entry = audit.body.entries.find((e: { action: string }) => e.action === 'site.secret.rotate');
    assert.ok(entry, JSON.stringify(audit.body.entries));
    assert.equal(entry.target, 'sso');
    assert.deepEqual(entry.after, { kind: 'sso', previousValidUntil: r.body.previousValidUntil });
    const logged = JSON.stringify(audit.body);
    assert.ok(!logged.includes(r.body.secret) && !logged.includes(before.sso), 'no secret in the audit log');
    assert.equal((await call(t.app, 'GET', `/admin/sites/${OTHER}/audit`, ADMIN_TOKEN)).body.entries.length, 0);
  } finally {
    await t.close();
  }
});

test('a token signed with the old SSO secret signs readers in during the grace period and not after; one with the new secret does', async () => {
  const t = await testApp();
  try {
    const old = (await secrets(t.app, SITE)).sso;
    const oldToken = await readerToken(old, t);
    assert.equal((await signIn(t.app, oldToken)).verified, true);
    const fresh = (await rotate(t.app, SITE, 'sso', t.modToken)).body.secret as string;

    assert.equal((await signIn(t.app, await readerToken(fresh, t))).verified, true, 'the new secret');
    t.clock.now += DAY_MS - 1000;
    assert.equal((await signIn(t.app, oldToken)).verified, true, 'the old secret, within the day');

    t.clock.now += 1000;
    const late = await signIn(t.app, await readerToken(old, t));
    assert.equal(late.status, 401, JSON.stringify(late.body));
    assert.equal(late.body.error.code, 'unauthorized');
    assert.equal((await signIn(t.app, await readerToken(fresh, t))).verified, true);
  } finally {
    await t.close();
  }
});

test('with TALIQ_SECRET_GRACE_SECONDS=0 the old secret stops at once; rotating twice keeps only the last one replaced', async () => {
  const t = await testApp();
  try {
    const none = appWith(t, { secretGraceSeconds: 0 });
    const old = (await secrets(none, SITE)).sso;
    const r = await rotate(none, SITE, 'sso', t.modToken);
    assert.equal(r.body.previousValidUntil, null);
    assert.equal((await signIn(none, await readerToken(old, t))).status, 401);
    assert.equal((await signIn(none, await readerToken(r.body.secret, t))).verified, true);

    // With grace: the second rotation replaces the first one's secret, and the original is gone.
    const first = (await rotate(t.app, SITE, 'sso', t.modToken)).body.secret as string;
    const second = (await rotate(t.app, SITE, 'sso', t.modToken)).body.secret as string;
    assert.equal((await signIn(t.app, await readerToken(first, t))).verified, true);
    assert.equal((await signIn(t.app, await readerToken(second, t))).verified, true);
    assert.equal((await signIn(t.app, await readerToken(r.body.secret, t))).status, 401);

    assert.throws(() => appWith(t, { secretGraceSeconds: -1 }), /TALIQ_SECRET_GRACE_SECONDS/);
  } finally {
    await t.close();
  }
});

test('refusals: 403 for another site’s token, 404 for an unknown site, 422 for an unknown kind; none changes a secret', async () => {
  const t = await testApp();
  try {
    await t.store.createSite(OTHER, { ...DEFAULT_SETTINGS, origins: ['https://other.example'] });
    const { token: otherToken } = await createModeratorToken({ store: t.store, now: () => t.clock.now }, OTHER, 'other');
    const before = await secrets(t.app, SITE);

    const forbidden = await rotate(t.app, SITE, 'sso', otherToken);
    assert.equal(forbidden.status, 403);
    assert.equal(forbidden.body.error.code, 'forbidden');
    const unknown = await rotate(t.app, 'nope', 'sso', ADMIN_TOKEN);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, 'site_not_found');
    const kind = await rotate(t.app, SITE, 'jwt', t.modToken);
    assert.equal(kind.status, 422);
    assert.equal(kind.body.error.code, 'validation_failed');
    assert.match(kind.body.error.message, /sso and webhook/);
    assert.deepEqual(kind.body.error.issues.map((i: { path: string[] }) => i.path), [['kind']]);
    assert.equal((await rotate(t.app, SITE, 'sso', 'tq_not-a-token-0123456789')).status, 401);

    assert.deepEqual(await secrets(t.app, SITE), before);
    assert.equal(await t.store.getSiteSecret('nope', 'sso'), null, 'no secret stored for an unknown site');
  } finally {
    await t.close();
  }
});

// ---- webhook ---------------------------------------------------------------------------------

/** The check docs/moderators.md gives receivers: any v1 made with `secret` over `<t>.<body>`. */
function receiverAccepts(header: string, body: string, secret: string): boolean {
  const m = header.match(/^t=(\d+)((?:,v1=[0-9a-f]{64})+)$/);
  if (!m) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(`${m[1]}.${body}`).digest('hex'));
  return m[2].slice(4).split(',v1=').some((v1) => timingSafeEqual(Buffer.from(v1), expected));
}

/** The check the docs gave before rotation: exactly one v1. */
function oneSignatureReceiverAccepts(header: string, body: string, secret: string): boolean {
  const m = header.match(/^t=(\d+),v1=([0-9a-f]{64})$/);
  return !!m && m[2] === createHmac('sha256', secret).update(`${m[1]}.${body}`).digest('hex');
}

test('webhook deliveries after a rotation are signed with the new secret and, during the grace period, also with the old one', async () => {
  const received: { signature: string; body: string }[] = [];
  const receiver: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push({ signature: String(req.headers['taliq-signature']), body });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const t = await testApp({ webhookUrl: `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook` });
  try {
    const pending: Promise<unknown>[] = [];
    const app = appWith(t, { defer: (p) => pending.push(p) });
    const deliver = async (text: string) => {
      received.length = 0;
      const r = await app.request(`/api/v1/sites/${SITE}/threads/hook/comments`, {
        method: 'POST', headers: { origin: ORIGIN, 'content-type': 'application/json' }, body: JSON.stringify({ author: { name: 'قارئ' }, body: text }),
      });
      assert.equal(r.status, 201);
      await Promise.all(pending.splice(0));
      assert.equal(received.length, 1, 'one delivery');
      return received[0];
    };

    const old = (await secrets(app, SITE)).webhook;
    const before = await deliver('قبل التدوير');
    assert.ok(oneSignatureReceiverAccepts(before.signature, before.body, old), `one signature before any rotation: ${before.signature}`);

    const fresh = (await rotate(app, SITE, 'webhook', t.modToken)).body.secret as string;
    const during = await deliver('أثناء المهلة');
    assert.match(during.signature, /^t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    assert.ok(receiverAccepts(during.signature, during.body, fresh), 'a receiver with the new secret accepts it');
    assert.ok(receiverAccepts(during.signature, during.body, old), 'a receiver still holding the old secret accepts it');
    assert.ok(!receiverAccepts(during.signature, during.body, 'whsec_someone-else'), 'another secret does not');
    const [, ts, first] = during.signature.match(/^t=(\d+),v1=([0-9a-f]{64})/)!;
    assert.equal(first, createHmac('sha256', fresh).update(`${ts}.${during.body}`).digest('hex'), 'the new signature comes first');

    t.clock.now += DAY_MS;
    const later = await deliver('بعد المهلة');
    assert.ok(oneSignatureReceiverAccepts(later.signature, later.body, fresh), `one signature again after the grace period: ${later.signature}`);
    assert.ok(!receiverAccepts(later.signature, later.body, old), 'the old secret no longer verifies');
  } finally {
    receiver.closeAllConnections();
    receiver.close();
    await t.close();
  }
});

// ---- a database from before stored secrets ------------------------------------------------------

/** A database migrated to 0005 with SITE in it, as an installed server left it; then the current store. */
async function upgradedStore(): Promise<{ store: Store; close(): Promise<void> }> {
  const old = migrations.slice(0, 5);
  const settings = JSON.stringify({ ...DEFAULT_SETTINGS, origins: [ORIGIN], limits: NO_LIMITS });
  if (TEST_ENGINE === 'postgres') {
    const url = process.env.DATABASE_URL!;
    const schema = `taliq_test_${randomBytes(6).toString('hex')}`;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`CREATE SCHEMA "${schema}"`);
    await client.query(`SET search_path = "${schema}"`);
    await client.query('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
    for (const [i, m] of old.entries()) {
      for (const sql of splitStatements(m.postgres)) await client.query(sql);
      await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [i + 1, Date.now()]);
    }
    await client.query('INSERT INTO sites (id, settings, created_at) VALUES ($1, $2, $3)', [SITE, settings, Date.now()]);
    const store = await openPostgresStore(url, { schema, max: 2 });
    return {
      store,
      close: async () => {
        await store.close();
        try {
          await client.query(`DROP SCHEMA "${schema}" CASCADE`);
        } finally {
          await client.end();
        }
      },
    };
  }
  const dir = tempDir('taliq-keys-');
  const path = join(dir.path, 'old.db');
  const raw = new Database(path);
  raw.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
  for (const [i, m] of old.entries()) {
    for (const sql of splitStatements(m.sqlite)) raw.exec(sql);
    raw.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(i + 1, Date.now());
  }
  raw.prepare('INSERT INTO sites (id, settings, created_at) VALUES (?, ?, ?)').run(SITE, settings, Date.now());
  raw.close();
  const store = await openSqliteStore(path);
  return { store, close: async () => { await store.close(); dir.remove(); } };
}

test('after the upgrade, a site keeps the secrets it derived before; a site made since gets random ones', async () => {
  const db = await upgradedStore();
  try {
    assert.equal(await db.store.getSiteSecret(SITE, 'sso'), null, 'nothing stored by the migration itself');
    const clock = { now: Date.now() };
    const app = createApp({ store: db.store, secret: SECRET, adminToken: ADMIN_TOKEN, now: () => clock.now });
    assert.deepEqual(await secrets(app, SITE), { sso: derived('sso', SITE), webhook: derived('webhook', SITE) });
    // Stored now: another server secret no longer changes them.
    const other = createApp({ store: db.store, secret: 'another-secret-that-is-at-least-32-characters', adminToken: ADMIN_TOKEN });
    assert.deepEqual(await secrets(other, SITE), { sso: derived('sso', SITE), webhook: derived('webhook', SITE) });

    await db.store.createSite('jadid', { ...DEFAULT_SETTINGS, origins: ['https://jadid.example'] });
    const made = await secrets(app, 'jadid');
    assert.notEqual(made.sso, derived('sso', 'jadid'));
    assert.notEqual(made.webhook, derived('webhook', 'jadid'));
  } finally {
    await db.close();
  }
});

test('after the upgrade, rotating a site’s secret before it was ever read keeps the derived one for the grace period', async () => {
  const db = await upgradedStore();
  try {
    const clock = { now: Date.now() };
    const app = createApp({ store: db.store, secret: SECRET, adminToken: ADMIN_TOKEN, now: () => clock.now });
    const r = await rotate(app, SITE, 'sso', ADMIN_TOKEN);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const stored = (await db.store.getSiteSecret(SITE, 'sso'))!;
    assert.equal(stored.secret, r.body.secret);
    assert.equal(stored.previous, derived('sso', SITE), 'the publisher’s current signing goes on working for the day');
  } finally {
    await db.close();
  }
});

// ---- the CLI -----------------------------------------------------------------------------------

test('taliq sites rotate-secret on the local store prints the new secret once, audits it as cli, and checks its arguments', async () => {
  const dir = tempDir('taliq-keys-cli-');
  try {
    const env = { TALIQ_DB: join(dir.path, 'cli.db'), TALIQ_SECRET: SECRET };
    assert.equal((await taliq(['sites', 'add', SITE, '--origin', ORIGIN], env)).code, 0);
    assert.equal((await taliq(['sites', 'add', OTHER, '--origin', 'https://other.example'], env)).code, 0);
    const store = await openSqliteStore(env.TALIQ_DB);
    const otherBefore = [await store.getSiteSecret(OTHER, 'sso'), await store.getSiteSecret(OTHER, 'webhook')];
    const old = (await store.getSiteSecret(SITE, 'webhook'))!.secret;
    await store.close();

    const res = await taliq(['sites', 'rotate-secret', SITE, 'webhook'], { ...env, TALIQ_SECRET_GRACE_SECONDS: '3600' });
    assert.equal(res.code, 0, res.stderr);
    const printed = res.stdout.trim();
    assert.match(printed, /^whsec_[A-Za-z0-9_-]{32}$/, 'stdout holds the secret alone');
    assert.match(res.stderr, /shown once/);
    assert.match(res.stderr, /still verifies until/);
    assert.ok(!res.stderr.includes(printed) && !res.stderr.includes(old), 'no secret on stderr');

    const after = await openSqliteStore(env.TALIQ_DB);
    try {
      const stored = (await after.getSiteSecret(SITE, 'webhook'))!;
      assert.equal(stored.secret, printed);
      assert.equal(stored.previous, old);
      assert.equal(stored.previousUntil! - stored.rotatedAt!, 3600_000, 'TALIQ_SECRET_GRACE_SECONDS');
      assert.deepEqual([await after.getSiteSecret(OTHER, 'sso'), await after.getSiteSecret(OTHER, 'webhook')], otherBefore);
      const audit = (await after.listAudit(SITE, 10, null)).find((e) => e.action === 'site.secret.rotate')!;
      assert.equal(audit.actor, 'cli');
      assert.ok(!JSON.stringify(audit).includes(printed));
    } finally {
      await after.close();
    }

    const kind = await taliq(['sites', 'rotate-secret', SITE, 'jwt'], env);
    assert.equal(kind.code, 2);
    assert.match(kind.stderr, /sso or webhook/);
    const missing = await taliq(['sites', 'rotate-secret', 'nope', 'sso'], env);
    assert.equal(missing.code, 2, 'as the other local commands answer an unknown site');
    assert.match(missing.stderr, /No site "nope"/);
    const grace = await taliq(['sites', 'rotate-secret', SITE, 'sso'], { ...env, TALIQ_SECRET_GRACE_SECONDS: 'a day' });
    assert.equal(grace.code, 2);
    assert.match(grace.stderr, /TALIQ_SECRET_GRACE_SECONDS/);
  } finally {
    dir.remove();
  }
});

const REMOTE_ADMIN = 'keys-remote-test-admin-token-0123456789';
let server: ServerProcess;
let serverDir: ReturnType<typeof tempDir>;

before(async () => {
  serverDir = tempDir('taliq-keys-remote-');
  server = await startServer([], { TALIQ_DB: join(serverDir.path, 'server.db'), TALIQ_ADMIN_TOKEN: REMOTE_ADMIN, TALIQ_SECRET_GRACE_SECONDS: '600' });
});

after(async () => {
  await server.stop();
  serverDir.remove();
});

test('taliq sites rotate-secret over a server’s API rotates there and prints the secret the server now shows', async () => {
  const env = { TALIQ_API: server.url, TALIQ_ADMIN_TOKEN: REMOTE_ADMIN, TALIQ_DB: join(serverDir.path, 'never.db') };
  assert.equal((await taliq(['sites', 'add', SITE, '--origin', ORIGIN], env)).code, 0);
  const show = async () => {
    const { ssoSecret, webhookSecret } = await (await fetch(`${server.url}/api/v1/admin/sites/${SITE}`, { headers: { authorization: `Bearer ${REMOTE_ADMIN}` } })).json();
    return { ssoSecret, webhookSecret };
  };
  const before = await show();

  const res = await taliq(['sites', 'rotate-secret', SITE, 'sso'], env);
  assert.equal(res.code, 0, res.stderr);
  const printed = res.stdout.trim();
  assert.deepEqual(await show(), { ssoSecret: printed, webhookSecret: before.webhookSecret });
  assert.notEqual(printed, before.ssoSecret);
  assert.match(res.stderr, /still verifies until/);
  assert.ok(!res.stdout.includes(REMOTE_ADMIN) && !res.stderr.includes(REMOTE_ADMIN), 'the admin token is not printed');

  const missing = await taliq(['sites', 'rotate-secret', 'nope', 'webhook'], env);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /No site "nope"/);
});
