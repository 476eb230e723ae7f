import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, taliq } from '../support/process.js';

function tempDb() {
  const dir = mkdtempSync(join(tmpdir(), 'taliq-cli-'));
  return { path: join(dir, 'taliq.db'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

test('a publisher registers a site and gets a token that opens its moderation queue', async () => {
  const db = tempDb();
  const env = { TALIQ_DB: db.path };
  const add = await taliq(['sites', 'add', 'akhbar', '--origin', 'https://akhbar.example.ma/news/', '--moderation', 'post'], env);
  assert.equal(add.code, 0, add.stderr);
  assert.match(add.stdout, /https:\/\/akhbar\.example\.ma;/);
  const token = await taliq(['tokens', 'create', '--site', 'akhbar'], env);
  assert.equal(token.code, 0, token.stderr);
  const secret = token.stdout.trim();
  assert.match(secret, /^tq_[A-Za-z0-9_-]{30,}$/);
  assert.match(token.stderr, /shown once/);

  const server = await startServer([], env);
  try {
    const ok = await fetch(`${server.url}/api/v1/admin/sites/akhbar/comments`, { headers: { authorization: `Bearer ${secret}` } });
    assert.equal(ok.status, 200);
    const other = await fetch(`${server.url}/api/v1/admin/sites/akhbar/comments`, { headers: { authorization: 'Bearer tq_wrong' } });
    assert.equal(other.status, 401);
  } finally {
    await server.stop();
  }

  const list = await taliq(['tokens', 'list'], env);
  assert.match(list.stdout, /^\w+\takhbar\towner\t/, 'owner unless asked otherwise, as before roles');
  const id = list.stdout.split('\t')[0];
  assert.equal((await taliq(['tokens', 'revoke', id], env)).code, 0);
  assert.match((await taliq(['tokens', 'list'], env)).stdout, /revoked/);
  db.remove();
});

test('tokens create --role moderator: the token works the queue, and the settings are refused', async () => {
  const db = tempDb();
  const env = { TALIQ_DB: db.path };
  assert.equal((await taliq(['sites', 'add', 'akhbar', '--origin', 'https://akhbar.example.ma'], env)).code, 0);
  const created = await taliq(['tokens', 'create', '--site', 'akhbar', '--role', 'moderator'], env);
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stderr, /\(moderator\) for site "akhbar"/);
  const secret = created.stdout.trim();
  assert.match((await taliq(['tokens', 'list', '--site', 'akhbar'], env)).stdout, /^\w+\takhbar\tmoderator\t/);
  const server = await startServer([], env);
  try {
    const auth = { authorization: `Bearer ${secret}` };
    assert.equal((await fetch(`${server.url}/api/v1/admin/sites/akhbar/comments`, { headers: auth })).status, 200);
    const patch = await fetch(`${server.url}/api/v1/admin/sites/akhbar`, { method: 'PATCH', headers: { ...auth, 'content-type': 'application/json' }, body: '{"moderation":"post"}' });
    assert.equal(patch.status, 403);
    const me = await (await fetch(`${server.url}/api/v1/admin/me`, { headers: auth })).json();
    assert.equal(me.role, 'moderator');
  } finally {
    await server.stop();
  }
  db.remove();
});

test('the CLI explains its mistakes and exits non-zero', async () => {
  const db = tempDb();
  const env = { TALIQ_DB: db.path };
  const cases: [string[], number, RegExp][] = [
    [['sites', 'add', 'Bad Id', '--origin', 'https://x.example'], 2, /site id/],
    [['sites', 'add', 'ok'], 2, /--origin/],
    [['sites', 'add', 'ok', '--origin', 'not a url'], 2, /origins/],
    [['sites', 'add', 'ok', '--origin', 'https://x.example', '--moderation', 'maybe'], 2, /moderation/],
    [['tokens', 'create'], 2, /--site/],
    [['tokens', 'create', '--site', 'missing'], 2, /No site "missing"/],
    [['tokens', 'create', '--site', 'missing', '--role', 'boss'], 2, /--role is owner or moderator/],
    [['tokens', 'create', '--admin', '--role', 'moderator'], 2, /--admin takes no --role moderator/],
    [['frobnicate'], 2, /Unknown command/],
  ];
  for (const [args, code, message] of cases) {
    const res = await taliq(args, env);
    assert.equal(res.code, code, args.join(' '));
    assert.match(res.stderr, message, args.join(' '));
  }
  assert.equal((await taliq(['sites', 'add', 'ok', '--origin', 'https://x.example'], env)).code, 0);
  const dup = await taliq(['sites', 'add', 'ok', '--origin', 'https://x.example'], env);
  assert.equal(dup.code, 1);
  assert.match(dup.stderr, /exists already/);
  db.remove();
});

test('npm start’s demo serves the article, the bundle and a working moderator token', async () => {
  const db = tempDb();
  const server = await startServer(['--demo'], { TALIQ_DB: db.path });
  try {
    const token = server.output().match(/Moderator token:\s+(\S+)/)?.[1];
    assert.ok(token, server.output());
    const page = await fetch(`${server.url}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.match(await page.text(), /<taliq-comments site="demo"/);
    const bundle = await fetch(`${server.url}/taliq.js`);
    assert.equal(bundle.status, 200);
    assert.match(bundle.headers.get('content-type') ?? '', /javascript/);
    for (const lang of ['fr', 'en']) {
      const pack = await fetch(`${server.url}/taliq-${lang}.js`);
      assert.equal(pack.status, 200, `${lang} language pack`);
      assert.equal(pack.headers.get('access-control-allow-origin'), '*');
    }
    const etag = bundle.headers.get('etag')!;
    assert.equal((await fetch(`${server.url}/taliq.js`, { headers: { 'if-none-match': etag } })).status, 304);
    const queue = await fetch(`${server.url}/api/v1/admin/sites/demo/comments`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(queue.status, 200);
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
  } finally {
    await server.stop();
    db.remove();
  }
});

test('site settings, thread modes and the removal register from the command line', async () => {
  const db = tempDb();
  const env = { TALIQ_DB: db.path };
  await taliq(['sites', 'add', 'akhbar', '--origin', 'https://akhbar.example.ma', '--moderation', 'post'], env);
  const set = await taliq(['sites', 'set', 'akhbar', 'bannedWords', '["حمار","*spam*"]'], env);
  assert.equal(set.code, 0, set.stderr);
  assert.equal((await taliq(['sites', 'set', 'akhbar', 'moderation', 'pre'], env)).code, 0);
  const bad = await taliq(['sites', 'set', 'akhbar', 'maxLinks', '1000'], env);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /maxLinks/);
  assert.equal((await taliq(['sites', 'set', 'akhbar', 'noSuchSetting', '1'], env)).code, 2);
  const shown = JSON.parse((await taliq(['sites', 'show', 'akhbar'], env)).stdout);
  assert.deepEqual([shown.bannedWords, shown.moderation, shown.maxLinks], [['حمار', '*spam*'], 'pre', 2]);

  const server = await startServer([], env);
  let id: string;
  try {
    const post = await fetch(`${server.url}/api/v1/sites/akhbar/threads/t/comments`, {
      method: 'POST',
      headers: { origin: 'https://akhbar.example.ma', 'content-type': 'application/json' },
      body: JSON.stringify({ author: { name: 'x' }, body: 'يا حمار' }),
    });
    id = (await post.json()).comment.id;
  } finally {
    await server.stop();
  }
  assert.equal((await taliq(['threads', 'set', '--site', 'akhbar', 't', 'closed'], env)).code, 0);
  assert.equal((await taliq(['threads', 'set', '--site', 'akhbar', 't', 'sometimes'], env)).code, 2);
  assert.equal((await taliq(['threads', 'set', '--site', 'akhbar', 'missing', 'closed'], env)).code, 2);

  // The banned word sent it to spam; reject it for the register through the admin API.
  const admin = await startServer([], { ...env, TALIQ_ADMIN_TOKEN: 'cli-test-admin-token-0123456789abcdef' });
  try {
    const res = await fetch(`${admin.url}/api/v1/admin/comments/${id}/moderate`, {
      method: 'POST',
      headers: { authorization: 'Bearer cli-test-admin-token-0123456789abcdef', 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'reject', reason: 'سب' }),
    });
    assert.equal(res.status, 200);
  } finally {
    await admin.stop();
  }
  const today = new Date().toISOString().slice(0, 10);
  const csv = await taliq(['removals', 'export', '--site', 'akhbar', '--from', today, '--to', today], env);
  assert.equal(csv.code, 0, csv.stderr);
  const lines = csv.stdout.replace(/^\uFEFF/, '').trim().split('\r\n');
  assert.equal(lines.length, 2);
  assert.match(lines[1], /,rejected,banned_word,سب,env,/);
  assert.match(lines[1], /يا حمار$/);
  assert.equal((await taliq(['removals', 'export', '--site', 'akhbar', '--from', 'tomorrow'], env)).code, 2);
  db.remove();
});

test('the store comes from --database-url, --db, DATABASE_URL, TALIQ_DB, in that order', async () => {
  const { storeOptions } = await import('../../packages/server/src/cli.js');
  assert.deepEqual(storeOptions('a.db', 'postgres://x', {}), { databaseUrl: 'postgres://x' });
  assert.deepEqual(storeOptions('a.db', undefined, { DATABASE_URL: 'postgres://y' }), { db: 'a.db' });
  assert.deepEqual(storeOptions(undefined, undefined, { DATABASE_URL: 'postgres://y', TALIQ_DB: 'b.db' }), { databaseUrl: 'postgres://y' });
  assert.deepEqual(storeOptions(undefined, undefined, { TALIQ_DB: 'b.db' }), { db: 'b.db' });
  assert.deepEqual(storeOptions(undefined, undefined, {}), { db: './data/taliq.db' });
});

test('a reader’s data is exported and erased by email', async () => {
  const db = tempDb();
  const env = { TALIQ_DB: db.path };
  await taliq(['sites', 'add', 'akhbar', '--origin', 'https://akhbar.example.ma', '--moderation', 'post'], env);
  const server = await startServer([], env);
  try {
    for (const [email, body] of [['Sara@Example.ma', 'رأيي الأول'], ['sara@example.ma', 'رأيي الثاني'], ['other@example.ma', 'لست سارة']]) {
      const res = await fetch(`${server.url}/api/v1/sites/akhbar/threads/t/comments`, {
        method: 'POST',
        headers: { origin: 'https://akhbar.example.ma', 'content-type': 'application/json', 'taliq-reader': `reader-${email}`.replace(/[^A-Za-z0-9]/g, '') },
        body: JSON.stringify({ author: { name: 'سارة', email }, body }),
      });
      assert.equal(res.status, 201);
    }
  } finally {
    await server.stop();
  }
  const exported = JSON.parse((await taliq(['privacy', 'export', '--email', 'sara@example.ma'], env)).stdout);
  assert.deepEqual(exported.comments.map((c: any) => c.body), ['رأيي الأول', 'رأيي الثاني']);
  assert.equal(exported.comments[0].thread, 't');

  const erased = await taliq(['privacy', 'erase', '--email', 'sara@example.ma'], env);
  assert.equal(erased.code, 0, erased.stderr);
  assert.match(erased.stdout, /2 comment/);
  assert.deepEqual(JSON.parse((await taliq(['privacy', 'export', '--email', 'sara@example.ma'], env)).stdout).comments, []);
  const again = await startServer([], env);
  try {
    const page = await (await fetch(`${again.url}/api/v1/sites/akhbar/threads/t/comments`)).json();
    assert.deepEqual(page.comments.map((c: any) => c.body), ['لست سارة']);
  } finally {
    await again.stop();
  }
  const Database = (await import('better-sqlite3')).default;
  const raw = new Database(db.path, { readonly: true });
  const dump = JSON.stringify(raw.prepare('SELECT * FROM comments').all());
  raw.close();
  assert.ok(!/sara@example\.ma|رأيي/i.test(dump), 'nothing of hers is left in the comments table');
  assert.equal((await taliq(['privacy', 'erase'], env)).code, 2);
  db.remove();
});
