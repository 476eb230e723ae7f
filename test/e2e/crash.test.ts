/**
 * A comment acknowledged with 201 survives the server being killed. The real `taliq serve` on a
 * SQLite file takes a burst of concurrent posts and is killed with SIGKILL in the middle of it
 * (no shutdown hook runs, the WAL is left as it was); restarted on the same file, it still has
 * every acknowledged comment, whole, the file passes `PRAGMA integrity_check`, and retrying a post
 * whose answer was lost with the same Idempotency-Key never makes a second comment.
 * Needs the build (`npx rollup -c --silent`; npm test builds first).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { liftLimits, startServer as startTaliq, taliq, type ServerProcess } from '../support/process.js';

const SITE = 'crash';
const ORIGIN = 'https://crash.example.ma';
const TOTAL = 300;
const IN_FLIGHT = 20;
const KILL_AFTER = 100;
const THREADS = ['crash-a', 'crash-b', 'crash-c'];

let dir: string, db: string;
/** Every server started here, so that none outlives a failed test (its pipes would keep the run alive). */
const servers: ServerProcess[] = [];
const startServer = async (...args: Parameters<typeof startTaliq>) => {
  const started = await startTaliq(...args);
  servers.push(started);
  return started;
};

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'taliq-crash-'));
  db = join(dir, 'taliq.db');
  const added = await taliq(['sites', 'add', SITE, '--origin', ORIGIN, '--moderation', 'post'], { TALIQ_DB: db });
  assert.equal(added.code, 0, added.stderr);
  // Hundreds of posts from one address: the per-reader and per-IP limits would refuse most of them.
  await liftLimits(SITE, { TALIQ_DB: db });
});

after(async () => {
  await Promise.all(servers.map((s) => s.stop('SIGKILL')));
  rmSync(dir, { recursive: true, force: true });
});

interface Post {
  i: number;
  key: string;
  thread: string;
  name: string;
  body: string;
}

/** Unique, Arabic, with emoji; every seventh one long enough to span several database pages. */
const post = (i: number, run: string): Post => ({
  i,
  key: `${run}-${i}`,
  thread: THREADS[i % THREADS.length],
  name: `قارئ ${i} ✍️`,
  body: `تعليق رقم ${i}: ${i % 7 === 0 ? 'نص طويل '.repeat(500) : 'رأيي في المقال'} 😀 #${i}`,
});

interface Answer {
  status: number;
  replayed: boolean;
  body: any;
}

async function send(url: string, p: Post): Promise<Answer> {
  const res = await fetch(`${url}/api/v1/sites/${SITE}/threads/${p.thread}/comments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: ORIGIN, 'idempotency-key': p.key },
    body: JSON.stringify({ author: { name: p.name }, body: p.body }),
  });
  return { status: res.status, replayed: res.headers.get('idempotent-replayed') === 'true', body: await res.json() };
}

/** Every approved comment of a thread, through the public API, page after page. */
async function listAll(url: string, thread: string) {
  const comments: any[] = [];
  let cursor: string | null = null;
  do {
    const res: Response = await fetch(`${url}/api/v1/sites/${SITE}/threads/${thread}/comments?sort=oldest&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(res.status, 200);
    const page: any = await res.json();
    comments.push(...page.comments);
    cursor = page.nextCursor;
  } while (cursor);
  return comments;
}

const strip = (s: string) => s.trim();

test('every comment answered 201 survives SIGKILL mid-burst, whole, in a sound database; retried keys never duplicate', { timeout: 120_000 }, async (t) => {
  const run = `k${Date.now().toString(36)}`;
  const posts = Array.from({ length: TOTAL }, (_, i) => post(i, run));
  const env = { TALIQ_DB: db };
  const first = await startServer([], env);

  // ---- the burst, killed after KILL_AFTER answers of 201 ------------------------------------------
  const answered = new Map<number, Answer>();
  const lost = new Set<number>();
  const unsent: number[] = [];
  let next = 0;
  let killed = false;
  const worker = async () => {
    while (next < posts.length) {
      const p = posts[next++];
      if (killed) {
        unsent.push(p.i);
        continue;
      }
      try {
        const a = await send(first.url, p);
        assert.equal(a.status, 201, `post ${p.i} before the kill: ${JSON.stringify(a.body)}`);
        answered.set(p.i, a);
        if (answered.size === KILL_AFTER && !killed) {
          killed = true;
          first.child.kill('SIGKILL');
        }
      } catch (e) {
        if (e instanceof assert.AssertionError) throw e;
        lost.add(p.i); // the connection died with the server: the answer is lost, the comment may or may not be stored
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  await first.stop();
  assert.equal(first.child.signalCode, 'SIGKILL', 'the server was killed, not stopped');
  assert.ok(answered.size >= KILL_AFTER, `${answered.size} answered before the kill`);
  assert.ok(lost.size >= 1, 'some posts were in flight when the server died');
  assert.ok(unsent.length > 0, 'the server died mid-burst');
  assert.equal(answered.size + lost.size + unsent.length, TOTAL);
  assert.ok(existsSync(`${db}-wal`), 'the kill left the write-ahead log for the next start to recover');

  // ---- restart on the same file -----------------------------------------------------------------
  const server = await startServer([], env);
  const listed = new Map<string, any>();
  for (const thread of THREADS) for (const c of await listAll(server.url, thread)) listed.set(c.id, c);
  for (const [i, a] of answered) {
    const p = posts[i];
    const stored = listed.get(a.body.comment.id);
    assert.equal(a.body.comment.status, 'approved', 'post-moderation approves at once');
    assert.ok(stored, `comment ${i} (${a.body.comment.id}) was answered 201 and is gone after the crash`);
    assert.equal(stored.body, strip(p.body), `comment ${i} body`);
    assert.equal(stored.author.name, p.name, `comment ${i} author`);
    assert.equal(stored.createdAt, a.body.comment.createdAt, `comment ${i} time`);
  }

  // ---- the posts whose answer was lost: retried with the same key, twice ------------------------------
  let replayedAfterCrash = 0;
  for (const i of lost) {
    const p = posts[i];
    const once = await send(server.url, p);
    assert.equal(once.status, 201, JSON.stringify(once.body));
    if (once.replayed) replayedAfterCrash++;
    const twice = await send(server.url, p);
    assert.equal(twice.status, 201, JSON.stringify(twice.body));
    assert.ok(twice.replayed, `the second retry of post ${i} is a replay`);
    assert.equal(twice.body.comment.id, once.body.comment.id, `post ${i}: one comment for one key`);
    assert.equal(once.body.comment.body, strip(p.body));
    answered.set(i, once);
  }
  // Those never sent are sent now, and a key answered before the crash is replayed, not repeated.
  for (const i of unsent) answered.set(i, await send(server.url, posts[i]));
  for (const i of [0, KILL_AFTER - 1]) {
    const again = await send(server.url, posts[i]);
    assert.ok(again.replayed);
    assert.equal(again.body.comment.id, answered.get(i)!.body.comment.id);
  }
  t.diagnostic(`answered before the kill: ${answered.size - lost.size - unsent.length}, lost in flight: ${lost.size} (already stored: ${replayedAfterCrash}), never sent: ${unsent.length}`);

  // ---- the file itself, with the server stopped ---------------------------------------------------
  await server.stop();
  const file = new Database(db, { fileMustExist: true });
  try {
    assert.equal(file.pragma('integrity_check', { simple: true }), 'ok');
    assert.deepEqual(file.pragma('foreign_key_check'), []);
    const rows = file.prepare('SELECT id, idempotency_key AS key, author_name AS name, body FROM comments WHERE site_id = ?').all(SITE) as { id: string; key: string; name: string; body: string }[];
    assert.equal(rows.length, TOTAL, 'exactly one comment per post, none lost and none doubled');
    const byKey = new Map(rows.map((r) => [r.key, r]));
    assert.equal(byKey.size, TOTAL);
    for (const p of posts) {
      const row = byKey.get(p.key);
      assert.ok(row, `post ${p.i} stored`);
      assert.equal(row.id, answered.get(p.i)!.body.comment.id, `post ${p.i}: the id that was answered`);
      assert.equal(row.body, strip(p.body));
      assert.equal(row.name, p.name);
    }
  } finally {
    file.close();
  }
});

test('a post whose connection is cut before the answer, retried with its key, makes one comment', { timeout: 60_000 }, async () => {
  const server = await startServer([], { TALIQ_DB: db });
  const url = new URL(server.url);
  const p = post(9999, `cut${Date.now().toString(36)}`);
  const payload = JSON.stringify({ author: { name: p.name }, body: p.body });
  // Write the whole request, then destroy the socket without reading a byte of the answer.
  await new Promise<void>((resolve) => {
    const req = httpRequest({
      host: url.hostname,
      port: url.port,
      method: 'POST',
      path: `/api/v1/sites/${SITE}/threads/${p.thread}/comments`,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), origin: ORIGIN, 'idempotency-key': p.key },
    });
    req.on('error', () => resolve());
    req.end(payload, () => {
      req.destroy();
      resolve();
    });
  });
  // The server may still be working on it: retry until answered, as a client would.
  let stored: Answer | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    await new Promise((r) => setTimeout(r, 100));
    stored = await send(server.url, p);
    assert.equal(stored.status, 201, JSON.stringify(stored.body));
  }
  assert.ok(stored!.replayed, 'the last retry is a replay');
  await server.stop();
  const file = new Database(db, { readonly: true, fileMustExist: true });
  try {
    const n = file.prepare('SELECT count(*) FROM comments WHERE site_id = ? AND idempotency_key = ?').pluck().get(SITE, p.key);
    assert.equal(n, 1);
    assert.equal(file.prepare('SELECT count(*) FROM comments WHERE body = ?').pluck().get(p.body.trim()), 1);
  } finally {
    file.close();
  }
});
