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
  const id = list.stdout.split('\t')[0];
  assert.equal((await taliq(['tokens', 'revoke', id], env)).code, 0);
  assert.match((await taliq(['tokens', 'list'], env)).stdout, /revoked/);
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
