/**
 * Roles on tokens: an owner does everything on its site, a moderator works the queues, bans,
 * threads and audit log and never sees a secret. Who may call a route is decided before its
 * input is validated: a walk over every admin route of the app (taken from the app itself, so a
 * new route cannot be left out) with a token for another site, and with a moderator token on
 * owner routes, whatever they send.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';
import { DEFAULT_SETTINGS } from '../../packages/shared/src/index.js';
import { createApp } from '../../packages/server/src/app.js';
import { createModeratorToken, type Access } from '../../packages/server/src/moderators.js';
import { migrations } from '../../packages/server/src/store/migrations.js';
import { openPostgresStore } from '../../packages/server/src/store/postgres.js';
import { openSqliteStore } from '../../packages/server/src/store/sqlite.js';
import { tempDir } from '../support/temp-dir.js';
import { join } from 'node:path';
import { sha256 } from '../../packages/server/src/crypto.js';
import type { Store } from '../../packages/server/src/store/store.js';
import { ADMIN_TOKEN, api, NO_LIMITS, SECRET, SITE, TEST_ENGINE, testApp, type TestApp } from '../support/app.js';

const OTHER = 'other';
const OTHER_ORIGIN = 'https://other.example.ma';
const as = (token: string) => ({ origin: null, headers: { authorization: `Bearer ${token}` } });

/** Each admin route (method and path under /api/v1/admin) with the rule its first handler carries. */
function adminRoutes(t: TestApp) {
  const handlers = new Map<string, unknown[]>();
  for (const r of t.app.routes) {
    // `ALL …/*` is the sign-in middleware every route shares.
    if (!r.path.startsWith('/api/v1/admin/') || r.method === 'ALL') continue;
    const key = `${r.method} ${r.path.slice('/api/v1/admin'.length)}`;
    handlers.set(key, [...(handlers.get(key) ?? []), r.handler]);
  }
  return [...handlers].map(([key, list]) => {
    const [method, path] = key.split(' ');
    return { key, method, path, access: (list[0] as { access?: Access }).access };
  });
}

/** Two sites with a pending comment, a thread, a ban and tokens each; t.modToken is SITE's owner. */
async function twoSites() {
  const t = await testApp();
  const a = api(t);
  await t.store.createSite(OTHER, { ...DEFAULT_SETTINGS, origins: [OTHER_ORIGIN], limits: NO_LIMITS });
  const moderator = (await createModeratorToken({ store: t.store, now: Date.now }, SITE, 'desk', 'moderator')).token;
  const otherOwner = (await createModeratorToken({ store: t.store, now: Date.now }, OTHER, 'other owner')).token;
  const seed = async (site: string, origin: string): Promise<Seeded> => {
    const res = await a.call('POST', `/sites/${site}/threads/t-1/comments`, { author: { name: 'سارة' }, body: `رأيي في ${site}` }, { origin });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const ban = await a.call('POST', `/admin/sites/${site}/bans`, { readerId: 'reader-to-ban' }, as(ADMIN_TOKEN));
    assert.equal(ban.status, 201, JSON.stringify(ban.body));
    const [token] = await t.store.listTokens(site);
    return { comment: res.body.comment.id, ban: ban.body.ban.id, token: token.id, thread: 't-1' };
  };
  const own = await seed(SITE, 'https://akhbar.example.ma');
  const other = await seed(OTHER, OTHER_ORIGIN);
  return { t, a, moderator, otherOwner, own, other };
}

/** One site's things, ids to put in a route's path. */
interface Seeded {
  comment: string;
  ban: string;
  token: string;
  thread: string;
}

/** The route's path with its parameters taken from one site's things. */
function fill(path: string, site: string, things: Seeded) {
  const id = path.startsWith('/comments/') ? things.comment : path.startsWith('/tokens/') ? things.token : path.includes('/bans/') ? things.ban : null;
  return path.replace(/:(\w+)/g, (_, name: string) => {
    if (name === 'site') return site;
    if (name === 'thread') return encodeURIComponent(things.thread);
    if (name === 'kind') return 'sso';
    if (name === 'id' && id) return id;
    throw new Error(`The route walk does not know what to put in :${name} of ${path}: teach fill()`);
  });
}

/** Routes whose site is only in what the body names: a body naming none is refused as such (415, 400). */
const BODY_SITED = new Set(['POST /comments/moderate']);

/** Routes that answer every token, each with only its own sites. */
const UNSITED = new Set(['GET /me', 'GET /sites']);

/** What needs an owner (docs/http-api.md, "Roles"): a change here is a change of the documented table. */
const OWNER_ROUTES = [
  'DELETE /tokens/:id',
  'GET /sites/:site/export',
  'GET /tokens',
  'PATCH /sites/:site',
  'POST /privacy/erase',
  'POST /privacy/export',
  'POST /sites',
  'POST /sites/:site/import',
  'POST /sites/:site/secrets/:kind/rotate',
  'POST /tokens',
];

test('every admin route starts with its rule, and every route with a :site in its path checks it first', async () => {
  const t = await testApp();
  try {
    const routes = adminRoutes(t);
    assert.ok(routes.length >= 20, `found ${routes.length} admin routes`);
    for (const r of routes) {
      assert.ok(r.access, `${r.key} does not start with a rule from access (moderators.ts)`);
      if (r.path.includes(':site')) assert.equal(r.access.site, 'path', `${r.key} has its site in the path`);
    }
    assert.deepEqual(routes.filter((r) => r.access?.role === 'owner').map((r) => r.key).sort(), OWNER_ROUTES);
  } finally {
    await t.close();
  }
});

test('a token for another site gets 403 on every admin route whatever it sends, and nothing changes', async () => {
  const { t, a, other } = await twoSites();
  try {
    const before = await t.tables();
    const garbage = JSON.stringify({ site: OTHER, ids: [other.comment], action: 'explode', role: 'boss', readerId: '', mode: 7, junk: '\u0000'.repeat(3) });
    const query = `?site=${OTHER}&status=explode&limit=-1&before=x&from=nope`;
    for (const r of adminRoutes(t)) {
      if (UNSITED.has(r.key)) continue;
      for (const body of r.method === 'GET' ? [undefined] : BODY_SITED.has(r.key) ? [garbage] : [garbage, 'not json {']) {
        const res = await a.call(r.method, '/admin' + fill(r.path, OTHER, other) + query, body, {
          origin: null, headers: { authorization: `Bearer ${t.modToken}`, 'content-type': body === garbage ? 'application/json' : 'text/plain' },
        });
        assert.equal(res.status, 403, `${r.key} with ${body?.slice(0, 12)}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.error.code, 'forbidden');
      }
    }
    for (const key of UNSITED) {
      const [method, path] = key.split(' ');
      const res = await a.call(method, '/admin' + path, undefined, as(t.modToken));
      assert.equal(res.status, 200, key);
      assert.ok(!JSON.stringify(res.body).includes(`"${OTHER}"`), `${key} shows only the token's site`);
    }
    assert.deepEqual(await t.tables(), before, 'no refused request changed the store');
  } finally {
    await t.close();
  }
});

test('a moderator token gets 403 on every owner route, on its own site, whatever it sends', async () => {
  const { t, a, moderator, own } = await twoSites();
  try {
    const before = await t.tables();
    const owned = adminRoutes(t).filter((r) => r.access?.role === 'owner');
    // Bodies an owner would be answered for, and garbage.
    const valid: Record<string, unknown> = {
      'PATCH /sites/:site': { moderation: 'post' },
      'POST /tokens': { site: SITE, role: 'moderator' },
      'POST /sites': { id: 'new-site' },
      'POST /privacy/erase': { email: 'sara@example.ma' },
      'POST /privacy/export': { email: 'sara@example.ma' },
    };
    for (const r of owned) {
      for (const body of [valid[r.key], { junk: true }, 'not json {']) {
        const res = await a.call(r.method, '/admin' + fill(r.path, SITE, own), r.method === 'GET' ? undefined : body, as(moderator));
        assert.equal(res.status, 403, `${r.key} ${JSON.stringify(body)}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.error.code, 'forbidden');
      }
    }
    assert.deepEqual(await t.tables(), before, 'no refused request changed the store');
  } finally {
    await t.close();
  }
});

test('a moderator works the queue, actions, bans, threads, removals and audit, and reads the settings without secrets', async () => {
  const { t, a, moderator, own } = await twoSites();
  try {
    const me = await a.call('GET', '/admin/me', undefined, as(moderator));
    assert.deepEqual(me.body, { actor: me.body.actor, siteId: SITE, role: 'moderator', sites: [SITE] });
    assert.equal((await a.call('GET', '/admin/me', undefined, as(t.modToken))).body.role, 'owner');
    assert.equal((await a.call('GET', '/admin/me', undefined, as(ADMIN_TOKEN))).body.role, 'owner', 'TALIQ_ADMIN_TOKEN owns every site');

    const queue = await a.call('GET', `/admin/sites/${SITE}/comments?status=pending`, undefined, as(moderator));
    assert.deepEqual(queue.body.comments.map((c: { id: string }) => c.id), [own.comment]);
    const approved = await a.call('POST', `/admin/comments/${own.comment}/moderate`, { action: 'approve' }, as(moderator));
    assert.equal(approved.body.comment.status, 'approved');
    assert.equal((await a.call('POST', '/admin/comments/moderate', { ids: [own.comment], action: 'reject' }, as(moderator))).status, 200);
    assert.equal((await a.call('POST', `/admin/sites/${SITE}/bans`, { readerId: 'another-reader' }, as(moderator))).status, 201);
    assert.equal((await a.call('DELETE', `/admin/sites/${SITE}/bans/${own.ban}`, undefined, as(moderator))).status, 204);
    assert.equal((await a.call('GET', `/admin/sites/${SITE}/bans`, undefined, as(moderator))).status, 200);
    assert.equal((await a.call('PATCH', `/admin/sites/${SITE}/threads/${own.thread}`, { mode: 'closed' }, as(moderator))).status, 200);
    const csv = await t.app.request(`/api/v1/admin/sites/${SITE}/removals.csv`, { headers: { authorization: `Bearer ${moderator}` } });
    assert.equal(csv.status, 200);
    assert.match(await csv.text(), /رأيي في akhbar/, 'the rejection is in the register');
    const audit = await a.call('GET', `/admin/sites/${SITE}/audit`, undefined, as(moderator));
    assert.deepEqual(audit.body.entries.slice(0, 3).map((e: { action: string }) => e.action), ['thread.mode', 'reader.unban', 'reader.ban']);

    const read = await a.call('GET', `/admin/sites/${SITE}`, undefined, as(moderator));
    assert.equal(read.status, 200);
    assert.deepEqual(Object.keys(read.body).sort(), ['id', 'settings']);
    assert.ok(!/sec_/.test(JSON.stringify(read.body)), 'no secret in a moderator’s answer');
    const listed = await a.call('GET', '/admin/sites', undefined, as(moderator));
    assert.ok(!/sec_/.test(JSON.stringify(listed.body)));
    const owner = await a.call('GET', `/admin/sites/${SITE}`, undefined, as(t.modToken));
    assert.match(owner.body.webhookSecret, /^whsec_/);
    assert.match(owner.body.ssoSecret, /^ssosec_/);
  } finally {
    await t.close();
  }
});

test('an owner creates moderator and owner tokens for its site; listings and the audit log show the role', async () => {
  const { t, a } = await twoSites();
  try {
    const created = await a.call('POST', '/admin/tokens', { site: SITE, role: 'moderator', label: 'مكتب' }, as(t.modToken));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.role, 'moderator');
    assert.equal((await a.call('GET', '/admin/me', undefined, as(created.body.token))).body.role, 'moderator');
    assert.equal((await a.call('PATCH', `/admin/sites/${SITE}`, { moderation: 'post' }, as(created.body.token))).status, 403, 'the new token is a moderator');
    const owner = await a.call('POST', '/admin/tokens', { site: SITE }, as(t.modToken));
    assert.equal(owner.body.role, 'owner', 'owner when no role is asked for, as every token was before roles');

    const listed = await a.call('GET', `/admin/tokens?site=${SITE}`, undefined, as(t.modToken));
    const roles = Object.fromEntries(listed.body.tokens.map((x: { id: string; role: string }) => [x.id, x.role]));
    assert.equal(roles[created.body.id], 'moderator');
    assert.equal(roles[owner.body.id], 'owner');
    const audit = await a.call('GET', `/admin/sites/${SITE}/audit`, undefined, as(t.modToken));
    const entry = audit.body.entries.find((e: { target: string }) => e.target === created.body.id);
    assert.deepEqual(entry.after, { label: 'مكتب', role: 'moderator' });

    const bad = await a.call('POST', '/admin/tokens', { site: SITE, role: 'boss' }, as(t.modToken));
    assert.equal(bad.status, 422);
    const adminModerator = await a.call('POST', '/admin/tokens', { admin: true, role: 'moderator' }, as(ADMIN_TOKEN));
    assert.equal(adminModerator.status, 422, 'an admin token owns every site');
    const admin = await a.call('POST', '/admin/tokens', { admin: true }, as(ADMIN_TOKEN));
    assert.equal(admin.body.role, 'owner');
  } finally {
    await t.close();
  }
});

test('another site’s comment or token is 403 before the body is read, an unknown one 404; bulk checks every id', async () => {
  const { t, a, own, other } = await twoSites();
  try {
    const before = await t.tables();
    const one = (id: string, body: unknown) => a.call('POST', `/admin/comments/${id}/moderate`, body, as(t.modToken));
    assert.equal((await one(other.comment, { action: 'explode' })).status, 403);
    assert.equal((await one(other.comment, 'not json')).status, 403);
    assert.equal((await one('unknown-id', { action: 'approve' })).status, 404);
    const bulk = (ids: unknown, action: unknown) => a.call('POST', '/admin/comments/moderate', { ids, action }, as(t.modToken));
    assert.equal((await bulk([own.comment, other.comment], 'explode')).status, 403, 'a bad action does not hide the other site');
    assert.equal((await bulk(['unknown-id', other.comment], 'approve')).status, 403, 'the other site before the unknown id');
    assert.equal((await bulk([own.comment, 'unknown-id'], 'approve')).status, 404);
    assert.equal((await bulk([own.comment], 'explode')).status, 422, 'on its own site the body is checked as before');
    assert.deepEqual(await t.tables(), before);

    // Tokens: another site's is 403 whether it is active or revoked.
    assert.equal((await a.call('DELETE', `/admin/tokens/${other.token}`, undefined, as(ADMIN_TOKEN))).status, 204);
    assert.equal((await a.call('DELETE', `/admin/tokens/${other.token}`, undefined, as(t.modToken))).status, 403);
    assert.equal((await a.call('DELETE', '/admin/tokens/unknown', undefined, as(t.modToken))).status, 404);
  } finally {
    await t.close();
  }
});

/** A token issued before roles still does an owner's work: change the settings. */
async function stillOwner(store: Store) {
  assert.equal((await store.listTokens(SITE))[0].role, 'owner');
  const app = createApp({ store, secret: SECRET });
  const res = await app.request(`/api/v1/admin/sites/${SITE}`, {
    method: 'PATCH', headers: { authorization: `Bearer ${OLD_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ moderation: 'post' }),
  });
  assert.equal(res.status, 200, await res.text());
}
const OLD_TOKEN = 'tq_issued-before-roles-0123456789abcdef';

test('tokens issued before roles are owners after the upgrade', { skip: TEST_ENGINE === 'd1' ? 'rewinds a SQLite file or a PostgreSQL schema' : false }, async () => {
  // The migration's place in the list is its version (it may move when branches merge).
  const version = migrations.findIndex((m) => m.name === '0007_token_roles') + 1;
  assert.ok(version > 0);
  const insertOld = `INSERT INTO moderator_tokens (id, site_id, hash, label, created_at, revoked_at) VALUES ('old1', '${SITE}', '${await sha256(OLD_TOKEN)}', 'before roles', 1, NULL)`;
  if (TEST_ENGINE === 'postgres') {
    const url = process.env.DATABASE_URL!;
    const schema = `taliq_roles_${randomBytes(6).toString('hex')}`;
    const raw = new pg.Client({ connectionString: url });
    await raw.connect();
    try {
      const first = await openPostgresStore(url, { schema, max: 2 });
      await first.createSite(SITE, DEFAULT_SETTINGS);
      await first.close();
      await raw.query(`SET search_path = "${schema}"`);
      // The database as it was before this migration, with a token in it.
      await raw.query(`ALTER TABLE moderator_tokens DROP COLUMN role`);
      await raw.query(`DELETE FROM schema_migrations WHERE version = $1`, [version]);
      await raw.query(insertOld);
      const store = await openPostgresStore(url, { schema, max: 2 });
      try {
        await stillOwner(store);
      } finally {
        await store.close();
      }
    } finally {
      await raw.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await raw.end();
    }
    return;
  }
  const dir = tempDir('taliq-roles-');
  try {
    const path = join(dir.path, 'taliq.db');
    const first = await openSqliteStore(path);
    await first.createSite(SITE, DEFAULT_SETTINGS);
    await first.close();
    const raw = new Database(path);
    raw.exec(`ALTER TABLE moderator_tokens DROP COLUMN role; DELETE FROM schema_migrations WHERE version = ${version}; ${insertOld}`);
    raw.close();
    const store = await openSqliteStore(path);
    try {
      await stillOwner(store);
    } finally {
      await store.close();
    }
  } finally {
    dir.remove();
  }
});
