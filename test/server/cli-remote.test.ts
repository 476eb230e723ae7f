/**
 * The CLI on a deployment over its HTTP API: a real `taliq serve` on a temp SQLite file, and
 * the built `taliq` run as an operator runs it, with TALIQ_API and TALIQ_ADMIN_TOKEN or with
 * --api and --token. Every command, the errors an operator meets (unreachable, refused token,
 * not a Taliq server), and that no token is ever printed but by `tokens create`.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, taliq, type ServerProcess } from '../support/process.js';

const ADMIN = 'remote-cli-test-admin-token-0123456789';
const FIXTURES = new URL('../../../shared/fixtures/', import.meta.url);
const FX = { skip: existsSync(fileURLToPath(FIXTURES)) ? false : `no fixtures at ${fileURLToPath(FIXTURES)}` };
const fixturePath = (name: string) => fileURLToPath(new URL(name, FIXTURES));

let dir: string;
let server: ServerProcess;
let env: Record<string, string>;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'taliq-cli-remote-'));
  server = await startServer([], { TALIQ_DB: join(dir, 'server.db'), TALIQ_ADMIN_TOKEN: ADMIN });
  // TALIQ_DB names a file the remote CLI must never create: it works on the server only.
  env = { TALIQ_API: server.url, TALIQ_ADMIN_TOKEN: ADMIN, TALIQ_DB: join(dir, 'never.db') };
});

after(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The CLI against the server; whatever it prints, the admin token is not in it. */
async function cli(args: string[], extra: Record<string, string> = {}) {
  const res = await taliq(args, { ...env, ...extra });
  assert.ok(!res.stdout.includes(ADMIN) && !res.stderr.includes(ADMIN), `taliq ${args.join(' ')} printed the token`);
  return res;
}
const ok = async (args: string[], extra: Record<string, string> = {}) => {
  const res = await cli(args, extra);
  assert.equal(res.code, 0, `taliq ${args.join(' ')}: ${res.stderr}`);
  return res;
};

const apiCall = (path: string, init: RequestInit & { token?: string } = {}) =>
  fetch(`${server.url}/api/v1${path}`, { ...init, headers: { ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers } });

async function postComment(site: string, origin: string, thread: string, name: string, body: string, email?: string) {
  const res = await apiCall(`/sites/${site}/threads/${thread}/comments`, {
    method: 'POST', headers: { origin, 'taliq-reader': `reader${name.length}${body.length}` }, body: JSON.stringify({ author: { name, ...(email ? { email } : {}) }, body }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()).comment.id as string;
}

test('remote: sites add, list, show and set, with TALIQ_API and TALIQ_ADMIN_TOKEN or with --api and --token', async () => {
  const add = await ok(['sites', 'add', 'akhbar', '--origin', 'https://akhbar.example.ma/news/', '--moderation', 'post']);
  assert.match(add.stdout, /Site "akhbar" added: origins https:\/\/akhbar\.example\.ma; post-moderation/);
  assert.match((await ok(['sites', 'list'])).stdout, /^akhbar\tpost\thttps:\/\/akhbar\.example\.ma$/m);
  assert.equal((await ok(['sites', 'set', 'akhbar', 'bannedWords', '["حمار"]'])).stdout.trim(), 'akhbar: bannedWords = ["حمار"]');
  await ok(['sites', 'set', 'akhbar', 'limits', JSON.stringify({ posts: { perReader: 1000, perIp: 1000, windowSeconds: 60 }, votes: { perReader: 1000, perIp: 1000, windowSeconds: 60 }, reports: { perReader: 1000, perIp: 1000, windowSeconds: 60 } })]);
  const shown = JSON.parse((await ok(['sites', 'show', 'akhbar'])).stdout);
  assert.deepEqual([shown.origins, shown.moderation, shown.bannedWords], [['https://akhbar.example.ma'], 'post', ['حمار']]);
  assert.ok(!('ssoSecret' in shown), 'the site’s secrets stay out of the settings');

  // The same through flags, without the environment.
  const flags = ['--api', server.url, '--token', ADMIN];
  const listed = await ok([...flags, 'sites', 'list'], { TALIQ_API: '', TALIQ_ADMIN_TOKEN: '' });
  assert.match(listed.stdout, /^akhbar\t/m);
  await ok([...flags, 'sites', 'add', 'flags', '--origin', 'https://flags.example.ma'], { TALIQ_API: '', TALIQ_ADMIN_TOKEN: '' });
  // The API base may be given too: …/api/v1.
  assert.match((await ok(['sites', 'list'], { TALIQ_API: `${server.url}/api/v1/` })).stdout, /^flags\t/m);

  // The server has it; the local store was never opened.
  const site = await (await apiCall('/admin/sites/akhbar', { token: ADMIN })).json();
  assert.deepEqual(site.settings.bannedWords, ['حمار']);
  assert.equal(existsSync(env.TALIQ_DB), false);

  // Mistakes: caught before sending (exit 2), or the server's refusal (exit 1, its message).
  const bad = await cli(['sites', 'set', 'akhbar', 'maxLinks', '1000']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /maxLinks/);
  const dup = await cli(['sites', 'add', 'akhbar', '--origin', 'https://x.example']);
  assert.equal(dup.code, 1);
  assert.match(dup.stderr, /^taliq: .*exists already/m);
  const missing = await cli(['sites', 'show', 'missing']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^taliq: No site "missing"$/m);
});

test('remote: tokens create, the new token works on the API and the CLI, tokens list, revoke makes it 401', async () => {
  await ok(['sites', 'add', 'tokens-site', '--origin', 'https://tokens.example.ma']);
  const created = await ok(['tokens', 'create', '--site', 'tokens-site', '--label', 'desk']);
  const token = created.stdout.trim();
  assert.match(token, /^tq_[A-Za-z0-9_-]{30,}$/);
  const id = created.stderr.match(/Token (\w+) \(owner\) for site "tokens-site"\. It is shown once/)?.[1];
  assert.ok(id, created.stderr);

  const queue = () => apiCall('/admin/sites/tokens-site/comments', { token });
  assert.equal((await queue()).status, 200);
  const list = await ok(['tokens', 'list', '--site', 'tokens-site']);
  assert.match(list.stdout, new RegExp(`^${id}\\ttokens-site\\towner\\t\\d{4}-\\d{2}-\\d{2}T[^\\t]+\\tactive\\tdesk$`, 'm'));
  assert.ok(!list.stdout.includes(token), 'a listed token shows its id, never itself');

  // The site's token administers its own site through the CLI, and nothing else.
  const asSite = { TALIQ_ADMIN_TOKEN: '' };
  assert.equal((await ok(['--token', token, 'sites', 'list'], asSite)).stdout.trim().split('\n').join(), 'tokens-site\tpre\thttps://tokens.example.ma');
  const refused = await cli(['--token', token, 'tokens', 'create', '--admin'], asSite);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /may create tokens for site "tokens-site" only/);
  assert.equal((await cli(['--token', token, 'privacy', 'export', '--email', 'a@b.ma'], asSite)).code, 1);

  // An admin token made over the API is an admin token.
  const adminToken = (await ok(['tokens', 'create', '--admin'])).stdout.trim();
  assert.match((await ok(['--token', adminToken, 'tokens', 'list'], asSite)).stdout, /\t\(admin\)\t/);

  assert.equal((await ok(['tokens', 'revoke', id])).stdout.trim(), `Token ${id} revoked`);
  assert.equal((await queue()).status, 401);
  const revoked = await cli(['--token', token, 'sites', 'list'], asSite);
  assert.equal(revoked.code, 1);
  assert.match(revoked.stderr, /refused the token \(check --token or TALIQ_ADMIN_TOKEN\)/);
  assert.ok(!revoked.stderr.includes(token), 'not even a revoked token is printed');
  const again = await cli(['tokens', 'revoke', id]);
  assert.deepEqual([again.code, again.stdout.trim()], [1, `No active token ${id}`]);
  assert.match((await ok(['tokens', 'list', '--site', 'tokens-site'])).stdout, /\trevoked\tdesk$/m);
});

test('remote: tokens create --role moderator makes a token that moderates but does not administer', async () => {
  await ok(['sites', 'add', 'roles-site', '--origin', 'https://roles.example.ma']);
  const created = await ok(['tokens', 'create', '--site', 'roles-site', '--role', 'moderator', '--label', 'desk']);
  const token = created.stdout.trim();
  const id = created.stderr.match(/Token (\w+) \(moderator\) for site "roles-site"/)?.[1];
  assert.ok(id, created.stderr);
  assert.match((await ok(['tokens', 'list', '--site', 'roles-site'])).stdout, new RegExp(`^${id}\\troles-site\\tmoderator\\t`, 'm'));
  assert.equal((await apiCall('/admin/sites/roles-site/comments', { token })).status, 200, 'it works the queue');

  const asSite = { TALIQ_ADMIN_TOKEN: '' };
  const shown = JSON.parse((await ok(['--token', token, 'sites', 'show', 'roles-site'], asSite)).stdout);
  assert.deepEqual(shown.origins, ['https://roles.example.ma']);
  const set = await cli(['--token', token, 'sites', 'set', 'roles-site', 'moderation', 'post'], asSite);
  assert.equal(set.code, 1);
  assert.match(set.stderr, /needs an owner token/);
  const rotate = await cli(['--token', token, 'sites', 'rotate-secret', 'roles-site', 'sso'], asSite);
  assert.equal(rotate.code, 1, 'a moderator rotates no secret');
  assert.match(rotate.stderr, /needs an owner token/);
  assert.doesNotMatch(rotate.stdout, /ssosec_/);
  const mint = await cli(['--token', token, 'tokens', 'create', '--site', 'roles-site'], asSite);
  assert.equal(mint.code, 1, 'a moderator makes no tokens');
  assert.match(mint.stderr, /needs an owner token/);
  const still = await (await apiCall('/admin/sites/roles-site', { token: ADMIN })).json();
  assert.equal(still.settings.moderation, 'pre', 'nothing changed');
  assert.equal((await ok(['tokens', 'revoke', id])).stdout.trim(), `Token ${id} revoked`);
});

test('remote: threads set, the removal register as CSV, a reader’s privacy export and erasure', async () => {
  const origin = 'https://privacy.example.ma';
  await ok(['sites', 'add', 'privacy-site', '--origin', origin, '--moderation', 'post']);
  const kept = await postComment('privacy-site', origin, 'opinion', 'سارة', 'رأيي في المقال', 'Sara@Example.ma');
  await postComment('privacy-site', origin, 'opinion', 'يوسف', 'لست سارة', 'youssef@example.ma');

  assert.equal((await ok(['threads', 'set', '--site', 'privacy-site', 'opinion', 'closed'])).stdout.trim(), 'privacy-site opinion: closed');
  const page = await (await apiCall('/sites/privacy-site/threads/opinion/comments')).json();
  assert.equal(page.thread.closed, true);
  const noThread = await cli(['threads', 'set', '--site', 'privacy-site', 'missing', 'closed']);
  assert.equal(noThread.code, 1);
  assert.match(noThread.stderr, /No thread "missing"/);
  assert.equal((await cli(['threads', 'set', '--site', 'privacy-site', 'opinion', 'sometimes'])).code, 2);

  const reject = await apiCall(`/admin/comments/${kept}/moderate`, { method: 'POST', token: ADMIN, body: JSON.stringify({ action: 'reject', reason: 'سب' }) });
  assert.equal(reject.status, 200);
  const today = new Date().toISOString().slice(0, 10);
  const csv = await ok(['removals', 'export', '--site', 'privacy-site', '--from', today, '--to', today]);
  const lines = csv.stdout.replace(/^\uFEFF/, '').trim().split('\r\n');
  assert.equal(lines.length, 2);
  assert.match(lines[1], /,rejected,,سب,env,/);
  assert.match(lines[1], /رأيي في المقال$/);
  assert.equal((await cli(['removals', 'export', '--site', 'privacy-site', '--from', 'tomorrow'])).code, 2);

  const exported = JSON.parse((await ok(['privacy', 'export', '--email', 'sara@example.ma'])).stdout);
  assert.deepEqual(exported.comments.map((c: any) => [c.site, c.thread, c.body]), [['privacy-site', 'opinion', 'رأيي في المقال']]);
  assert.match((await ok(['privacy', 'erase', '--email', 'sara@example.ma'])).stdout, /of 1 comment\(s\)/);
  assert.deepEqual(JSON.parse((await ok(['privacy', 'export', '--email', 'sara@example.ma'])).stdout).comments, []);
  assert.equal((await cli(['privacy', 'erase'])).code, 2);
});

test('remote: import a WordPress and a Disqus export, again without duplicates; export, import the export into a fresh site', FX, async () => {
  await ok(['sites', 'add', 'imports', '--origin', 'https://imports.example.ma']);
  const wp = await ok(['import', 'wordpress', fixturePath('wordpress-isso-tests.xml'), '--site', 'imports']);
  assert.match(wp.stdout, /^Imported 8 comment\(s\) into 2 thread\(s\) of site "imports"$/m);
  const wpAgain = await ok(['import', 'wordpress', fixturePath('wordpress-isso-tests.xml'), '--site', 'imports']);
  assert.match(wpAgain.stdout, /Imported 0 comment\(s\) into 2 thread\(s\).*; 8 were already imported/);
  const dq = await ok(['import', 'disqus', fixturePath('disqus-isso-tests.xml'), '--site', 'imports']);
  assert.match(dq.stdout, /Imported 2 comment\(s\) into 1 thread\(s\) of site "imports"; 1 skipped/);
  assert.match(dq.stderr, /skipped 6: its thread 1337 is not in the file/);
  const noSite = await cli(['import', 'disqus', fixturePath('disqus-isso-tests.xml'), '--site', 'nope']);
  assert.equal(noSite.code, 1);
  assert.match(noSite.stderr, /No site "nope"/);

  const out = await ok(['export', '--site', 'imports']);
  const doc = JSON.parse(out.stdout);
  assert.deepEqual([doc.format, doc.site, doc.threads.length, doc.comments.length], ['taliq-export', 'imports', 3, 10]);
  const file = join(dir, 'imports.json');
  writeFileSync(file, out.stdout);

  await ok(['sites', 'add', 'copy', '--origin', 'https://copy.example.ma']);
  assert.match((await ok(['import', 'taliq', file, '--site', 'copy'])).stdout, /^Imported 10 comment\(s\) into 3 thread\(s\) of site "copy"$/m);
  const copy = JSON.parse((await ok(['export', '--site', 'copy'])).stdout);
  // The same threads and comments, with new ids: compare what each says and what it answers.
  const shape = (d: any) => {
    const byId = new Map(d.comments.map((c: any) => [c.id, c]));
    return {
      threads: d.threads.map((t: any) => [t.key, t.title, t.url, t.mode]).sort(),
      comments: d.comments.map((c: any) => [c.thread, c.author.name, c.author.email, c.body, c.status, c.createdAt, (byId.get(c.parentId) as any)?.body ?? null]).sort(),
    };
  };
  assert.deepEqual(shape(copy), shape(doc));
  const again = await ok(['import', 'taliq', file, '--site', 'copy']);
  assert.match(again.stdout, /Imported 0 comment\(s\).*; 10 were already imported/);
  // Back into the site it came from: the comments are there already.
  assert.match((await ok(['import', 'taliq', file, '--site', 'imports'])).stdout, /Imported 0 comment\(s\).*; 10 were already imported/);
  assert.equal(JSON.parse((await ok(['export', '--site', 'copy'])).stdout).comments.length, 10);
});

test('remote: a large import goes in batches and keeps every reply under its parent', async () => {
  await ok(['sites', 'add', 'large', '--origin', 'https://large.example.ma']);
  // 300 comments on 3 posts, each a reply to the one three before it, a few with 5000-letter bodies.
  const items = [0, 1, 2].map((p) => {
    const comments = Array.from({ length: 100 }, (_, i) => {
      const id = p * 1000 + i + 1;
      const parent = i >= 1 ? id - 1 : 0;
      const text = i % 20 === 0 ? 'ك'.repeat(5000) : `تعليق رقم ${i} على المقال ${p}`;
      const time = new Date(Date.UTC(2024, 0, 1 + p, 0, i)).toISOString().replace('T', ' ').slice(0, 19);
      return `<wp:comment><wp:comment_id>${id}</wp:comment_id><wp:comment_author>قارئ ${i}</wp:comment_author><wp:comment_date_gmt>${time}</wp:comment_date_gmt><wp:comment_content>${text}</wp:comment_content><wp:comment_approved>1</wp:comment_approved><wp:comment_type></wp:comment_type><wp:comment_parent>${parent}</wp:comment_parent></wp:comment>`;
    });
    return `<item><title>مقال ${p}</title><link>https://large.example.ma/${p}/</link><wp:post_id>${p + 1}</wp:post_id>${comments.join('')}</item>`;
  });
  const file = join(dir, 'large.xml');
  writeFileSync(file, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel>${items.join('')}</channel></rss>`);
  assert.match((await ok(['import', 'wordpress', file, '--site', 'large'])).stdout, /^Imported 300 comment\(s\) into 3 thread\(s\)/m);
  const doc = JSON.parse((await ok(['export', '--site', 'large'])).stdout);
  assert.equal(doc.comments.length, 300);
  const byId = new Map(doc.comments.map((c: any) => [c.id, c]));
  const replies = doc.comments.filter((c: any) => c.parentId);
  assert.equal(replies.length, 297, 'every reply found its parent, across batches');
  for (const r of replies) assert.equal((byId.get(r.parentId) as any).thread, r.thread);
  const audit = await (await apiCall('/admin/sites/large/audit?limit=100', { token: ADMIN })).json();
  assert.ok(audit.entries.filter((e: any) => e.action === 'import').length > 3, 'several batches, each in the audit log');
  assert.match((await ok(['import', 'wordpress', file, '--site', 'large'])).stdout, /Imported 0 comment\(s\).*; 300 were already imported/);
});

/** A throwaway HTTP server that answers every request with `answer`. */
async function fakeServer(answer: (res: import('node:http').ServerResponse) => void): Promise<{ url: string; close: () => Promise<void> }> {
  const s: Server = createServer((_req, res) => answer(res));
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, close: () => new Promise((resolve) => s.close(() => resolve())) };
}

test('remote: clear errors for a bad --api, a missing or refused token, an unreachable API and a server that is not Taliq', async () => {
  const usage: [string[], Record<string, string>, RegExp][] = [
    [['--api', 'ftp://comments.example.com', 'sites', 'list'], {}, /must be an http:\/\/ or https:\/\/ URL/],
    [['--api', 'comments.example.com', 'sites', 'list'], {}, /must be the server's URL/],
    [['--api', 'https://user:pw@comments.example.com', 'sites', 'list'], {}, /no user name or password/],
    [['sites', 'list'], { TALIQ_ADMIN_TOKEN: '' }, /needs a token: --token T, or TALIQ_ADMIN_TOKEN/],
    [['--token', `${ADMIN}\n`, 'sites', 'list'], {}, /has characters no token has/],
    [['--token', 'x', 'sites', 'list'], { TALIQ_API: '' }, /--token goes with --api/],
    [['--db', join(dir, 'x.db'), 'sites', 'list'], {}, /do not go with --api/],
    [['serve', '--api', server.url], {}, /serve runs the server on this machine/],
  ];
  for (const [args, extra, message] of usage) {
    const res = await cli(args, extra);
    assert.equal(res.code, 2, args.join(' '));
    assert.match(res.stderr, message, args.join(' '));
  }

  const wrong = await cli(['--token', 'tq_wrong-token-value', 'sites', 'list']);
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /^taliq: This moderator token is not valid: the server at http:\/\/localhost:\d+ refused the token/m);
  assert.ok(!wrong.stderr.includes('tq_wrong-token-value'));

  // A port nobody listens on.
  const closed = await fakeServer(() => {});
  await closed.close();
  const down = await cli(['--api', closed.url, 'sites', 'list']);
  assert.equal(down.code, 1);
  assert.match(down.stderr, new RegExp(`^taliq: Cannot reach the Taliq API at ${closed.url}: ECONNREFUSED`, 'm'));

  const html = await fakeServer((res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>Bad gateway</h1>'));
  const page = await fakeServer((res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Welcome</h1>'));
  const moved = await fakeServer((res) => res.writeHead(301, { location: 'https://comments.example.com/api/v1/admin/sites' }).end());
  try {
    const proxy = await cli(['--api', html.url, 'sites', 'list']);
    assert.equal(proxy.code, 1);
    assert.match(proxy.stderr, /answered 502 Bad Gateway, not as the Taliq API does: is --api the address of a Taliq server\?/);
    const site = await cli(['--api', page.url, 'sites', 'list']);
    assert.equal(site.code, 1);
    assert.match(site.stderr, /answered 200 with something that is not JSON/);
    const redirect = await cli(['--api', moved.url, 'sites', 'list']);
    assert.equal(redirect.code, 1);
    assert.match(redirect.stderr, /redirects to https:\/\/comments\.example\.com\/api\/v1\/admin\/sites: give that address as --api/);
  } finally {
    await Promise.all([html.close(), page.close(), moved.close()]);
  }

  // The server's validation issues are printed under its message.
  await ok(['sites', 'add', 'errors-site', '--origin', 'https://errors.example.ma']);
  const label = await cli(['tokens', 'create', '--site', 'errors-site', '--label', 'x'.repeat(101)]);
  assert.equal(label.code, 1);
  assert.match(label.stderr, /^taliq: The request does not have the expected shape\n {2}label: Too big/m);
});

test('the backend: --api before TALIQ_API, --token before TALIQ_ADMIN_TOKEN, else the local store', async () => {
  const { backendOptions } = await import('../../packages/server/src/cli.js');
  const remote = (o: object, e: object) => {
    const b = backendOptions(o, e as NodeJS.ProcessEnv);
    return 'remote' in b && b.remote ? { url: b.remote.url.href, token: b.remote.token } : b;
  };
  assert.deepEqual(remote({ api: 'https://a.example/', token: 't1' }, { TALIQ_API: 'https://b.example', TALIQ_ADMIN_TOKEN: 't2' }), { url: 'https://a.example/', token: 't1' });
  assert.deepEqual(remote({}, { TALIQ_API: 'https://b.example/taliq/api/v1', TALIQ_ADMIN_TOKEN: 't2' }), { url: 'https://b.example/taliq/', token: 't2' });
  assert.deepEqual(remote({}, { TALIQ_ADMIN_TOKEN: 't2', TALIQ_DB: 'x.db' }), { local: { db: 'x.db' } });
  assert.deepEqual(remote({ db: 'y.db' }, { TALIQ_API: '' }), { local: { db: 'y.db' } });
  assert.throws(() => backendOptions({ api: 'https://a.example' }, {}), /needs a token/);
});
