/**
 * A comment acknowledged with 201 survives the server being killed. The real `taliq serve` takes a
 * burst of concurrent posts and is killed with SIGKILL in the middle of it (no shutdown hook
 * runs); restarted on the same database, it still has every acknowledged comment, whole, the
 * database is sound, and retrying a post whose answer was lost with the same Idempotency-Key never
 * makes a second comment.
 *  - SQLite: the kill leaves the WAL as it was; the file then passes `PRAGMA integrity_check`.
 *  - PostgreSQL (with DATABASE_URL; skipped without): the API process dies, the database does
 *    not; this checks that a 201 is sent only after its COMMIT returned, and that the killed
 *    instance's transactions in flight are rolled back whole (no comment without its event, no
 *    event without its comment). Each run uses a fresh schema, reached with
 *    `?options=-csearch_path=…` in the URL, and drops it after.
 * Needs the build (`npx rollup -c --silent`; npm test builds first).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { liftLimits, startServer as startTaliq, taliq, type ServerProcess } from '../support/process.js';

/** The key the reader sent, from the stored one (`r:<reader id>:<key>`, or `a:<address and form hash>:<key>` for a reader without a reader id, as these posts are). */
const readerKey = (stored: string) => stored.replace(/^[ra]:[^:]+:/, '');

const SITE = 'crash';
const ORIGIN = 'https://crash.example.ma';
const TOTAL = 300;
const IN_FLIGHT = 20;
const KILL_AFTER = 100;
const THREADS = ['crash-a', 'crash-b', 'crash-c'];

/** Every server started here, so that none outlives a failed test (its pipes would keep the run alive). */
const servers: ServerProcess[] = [];
const startServer = async (...args: Parameters<typeof startTaliq>) => {
  const started = await startTaliq(...args);
  servers.push(started);
  return started;
};

after(async () => {
  await Promise.all(servers.map((s) => s.stop('SIGKILL')));
});

/** Where `taliq` keeps its data, and how a test looks at it directly. */
interface Engine {
  name: string;
  skip: string | false;
  /** Creates the empty database; answers the `taliq serve` arguments and environment that reach it. */
  open(): Promise<{ args: string[]; env: Record<string, string> }>;
  /** Rows of a query written with `?` placeholders, on a fresh connection. */
  query<T = Record<string, unknown>>(sql: string, params: unknown[]): Promise<T[]>;
  /** What the kill leaves behind for the next start (SQLite: the WAL). */
  afterKill(): void;
  /** The engine's own soundness checks, with the server stopped. */
  sound(): Promise<void>;
  close(): Promise<void>;
}

function sqliteEngine(): Engine {
  let dir = '', db = '';
  return {
    name: 'SQLite',
    skip: false,
    open: async () => {
      dir = mkdtempSync(join(tmpdir(), 'taliq-crash-'));
      db = join(dir, 'taliq.db');
      return { args: [], env: { TALIQ_DB: db } };
    },
    query: async <T,>(sql: string, params: unknown[]) => {
      const file = new Database(db, { readonly: true, fileMustExist: true });
      try {
        return file.prepare(sql).all(...params) as T[];
      } finally {
        file.close();
      }
    },
    afterKill: () => assert.ok(existsSync(`${db}-wal`), 'the kill left the write-ahead log for the next start to recover'),
    sound: async () => {
      const file = new Database(db, { fileMustExist: true });
      try {
        assert.equal(file.pragma('integrity_check', { simple: true }), 'ok');
        assert.deepEqual(file.pragma('foreign_key_check'), []);
      } finally {
        file.close();
      }
    },
    close: async () => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresEngine(): Engine {
  const base = process.env.DATABASE_URL;
  const schema = `taliq_crash_${randomBytes(6).toString('hex')}`;
  let admin: pg.Client | undefined;
  const connect = async () => {
    if (!admin) {
      admin = new pg.Client({ connectionString: base });
      await admin.connect();
    }
    return admin;
  };
  return {
    name: 'PostgreSQL',
    skip: base ? false : 'DATABASE_URL is not set: the PostgreSQL crash test is skipped',
    open: async () => {
      await (await connect()).query(`CREATE SCHEMA "${schema}"`);
      // The server's own connections reach the schema through the URL, as a self-hoster's would.
      const url = new URL(base!);
      url.searchParams.set('options', `-c search_path=${schema}`);
      return { args: ['--database-url', url.href], env: { DATABASE_URL: url.href } };
    },
    query: async <T,>(sql: string, params: unknown[]) => {
      let n = 0;
      const c = await connect();
      await c.query(`SET search_path = "${schema}"`);
      return (await c.query(sql.replace(/\?/g, () => `$${++n}`), params)).rows as T[];
    },
    afterKill: () => {},
    sound: async () => {
      // PostgreSQL enforces the foreign keys itself; what a crash could leave is a broken index or constraint.
      const c = await connect();
      const broken = await c.query(
        `SELECT i.indexrelid::regclass::text AS name FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid
          WHERE x.relnamespace = $1::regnamespace AND NOT (i.indisvalid AND i.indisready)
         UNION ALL
         SELECT conname FROM pg_constraint WHERE connamespace = $1::regnamespace AND NOT convalidated`, [schema]);
      assert.deepEqual(broken.rows, []);
    },
    close: async () => {
      if (!admin) return;
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    },
  };
}

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

for (const engine of [sqliteEngine(), postgresEngine()]) {
  describe(engine.name, { skip: engine.skip }, () => {
    let store: { args: string[]; env: Record<string, string> };

    before(async () => {
      store = await engine.open();
      const added = await taliq(['sites', 'add', SITE, '--origin', ORIGIN, '--moderation', 'post', ...store.args], store.env);
      assert.equal(added.code, 0, added.stderr);
      // Hundreds of posts from one address: the per-reader and per-IP limits would refuse most of them.
      await liftLimits(SITE, store.env);
    });

    after(async () => {
      await Promise.all(servers.map((s) => s.stop('SIGKILL')));
      await engine.close();
    });

    test('every comment answered 201 survives SIGKILL mid-burst, whole, in a sound database; retried keys never duplicate', { timeout: 120_000 }, async (t) => {
      const run = `k${Date.now().toString(36)}`;
      const posts = Array.from({ length: TOTAL }, (_, i) => post(i, run));
      const first = await startServer(store.args, store.env);

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
      engine.afterKill();

      // ---- restart on the same file -----------------------------------------------------------------
      const server = await startServer(store.args, store.env);
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

      // ---- the database itself, with the server stopped ------------------------------------------------
      await server.stop();
      await engine.sound();
      const rows = await engine.query<{ id: string; key: string; name: string; body: string }>('SELECT id, idempotency_key AS key, author_name AS name, body FROM comments WHERE site_id = ?', [SITE]);
      assert.equal(rows.length, TOTAL, 'exactly one comment per post, none lost and none doubled');
      // Stored keys are scoped to the reader (see readerKey); the post's own key follows.
      const byKey = new Map(rows.map((r) => [readerKey(r.key), r]));
      assert.equal(byKey.size, TOTAL);
      for (const p of posts) {
        const row = byKey.get(p.key);
        assert.ok(row, `post ${p.i} stored`);
        assert.equal(row.id, answered.get(p.i)!.body.comment.id, `post ${p.i}: the id that was answered`);
        assert.equal(row.body, strip(p.body));
        assert.equal(row.name, p.name);
      }
      // Each comment was written with its thread and its live-update event in one transaction: the
      // kill left no thread twice, no comment without its event and no event without its comment.
      const threads = await engine.query<{ key: string }>('SELECT key FROM threads WHERE site_id = ? ORDER BY key', [SITE]);
      assert.deepEqual(threads.map((r) => r.key), [...THREADS].sort());
      const unlogged = await engine.query(`SELECT c.id FROM comments c WHERE c.site_id = ? AND c.status = 'approved'
                                             AND (SELECT count(*) FROM events e WHERE e.comment_id = c.id AND e.type = 'comment.approved') <> 1`, [SITE]);
      assert.deepEqual(unlogged, [], 'every approved comment has exactly one approval event');
      const orphans = await engine.query('SELECT e.id FROM events e WHERE NOT EXISTS (SELECT 1 FROM comments c WHERE c.id = e.comment_id)', []);
      assert.deepEqual(orphans, [], 'no event without its comment');
    });

      test('a post whose connection is cut before the answer, retried with its key, makes one comment', { timeout: 60_000 }, async () => {
      const server = await startServer(store.args, store.env);
      // One address for every attempt: an anonymous reader's key is scoped by its IP, and
      // `localhost` may be ::1 for one client and 127.0.0.1 for the next.
      const url = new URL(server.url.replace('localhost', '127.0.0.1'));
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
        stored = await send(url.origin, p);
        assert.equal(stored.status, 201, JSON.stringify(stored.body));
      }
      assert.ok(stored!.replayed, 'the last retry is a replay');
      await server.stop();
      const keys = await engine.query<{ key: string }>('SELECT idempotency_key AS key FROM comments WHERE site_id = ?', [SITE]);
      assert.equal(keys.filter((r) => readerKey(r.key) === p.key).length, 1);
      assert.equal((await engine.query('SELECT id FROM comments WHERE body = ?', [p.body.trim()])).length, 1);
    });
  });
}
