/**
 * A real app on a real store, with one registered site and a moderator token for it. Route tests
 * call `app.request()` without opening a port.
 *
 * The store is a SQLite file in a fresh temp folder, or with TALIQ_TEST_STORE=postgres a fresh
 * schema of the PostgreSQL database at DATABASE_URL (dropped on close): one behaviour, one suite.
 */
import { randomBytes } from 'node:crypto';
import { tempDir } from './temp-dir.js';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { DEFAULT_SETTINGS, type NewCommentInput, type SiteSettings } from '../../packages/shared/src/index.js';
import { createApp } from '../../packages/server/src/app.js';
import { createModeratorToken } from '../../packages/server/src/moderators.js';
import { openPostgresStore } from '../../packages/server/src/store/postgres.js';
import { openSqliteStore } from '../../packages/server/src/store/sqlite.js';
import { openD1Store } from '../../packages/server/src/store/d1.js';
import { d1Databases } from './d1.js';
import type { Store } from '../../packages/server/src/store/store.js';

export const SITE = 'akhbar';
export const ORIGIN = 'https://akhbar.example.ma';
export const SECRET = 'test-secret-that-is-at-least-32-characters-long';
export const ADMIN_TOKEN = 'admin-token-for-tests-0123456789abcdef';
/** TALIQ_ALLOWED_HOOK_HOSTS for tests whose webhook receiver listens on this machine. */
export const LOOPBACK_HOOK_HOSTS = '127.0.0.1,::1,localhost';

/** Limits out of the way of tests that post a lot; the rate-limit tests set their own. */
export const NO_LIMITS: SiteSettings['limits'] = {
  posts: { perReader: 100_000, perIp: 100_000, windowSeconds: 60 },
  edits: { perReader: 100_000, perIp: 100_000, windowSeconds: 60 },
  votes: { perReader: 100_000, perIp: 100_000, windowSeconds: 60 },
  reports: { perReader: 100_000, perIp: 100_000, windowSeconds: 60 },
};

/**
 * The engine testApp() opens: TALIQ_TEST_STORE=postgres (with DATABASE_URL) for PostgreSQL,
 * TALIQ_TEST_STORE=d1 for D1 on workerd (Miniflare), SQLite otherwise.
 */
export const TEST_ENGINE: 'sqlite' | 'postgres' | 'd1' =
  process.env.TALIQ_TEST_STORE === 'postgres' ? 'postgres' : process.env.TALIQ_TEST_STORE === 'd1' ? 'd1' : 'sqlite';

/** Skips a test that looks at the SQLite file itself when the suite runs on PostgreSQL. */
export const SQLITE_ONLY = { skip: TEST_ENGINE !== 'sqlite' ? 'reads the SQLite file itself' : false };

export interface TestApp {
  app: ReturnType<typeof createApp>;
  store: Store;
  engine: 'sqlite' | 'postgres' | 'd1';
  /** The SQLite file (SQLite only; empty on PostgreSQL). */
  dbPath: string;
  /** Every row of every table of the store, as arrays of column values, by table name. */
  tables(): Promise<Record<string, unknown[][]>>;
  /** Another store on the same database, as a second API instance opens it; the caller closes it. */
  openAnother(): Promise<Store>;
  /** Runs SQL on the store's database beside the app (a trigger that makes a write fail, say). */
  exec(sql: string): Promise<void>;
  /** Moderator token scoped to SITE. */
  modToken: string;
  /** Moves the app's clock. */
  clock: { now: number };
  close(): Promise<void>;
}

interface Backing {
  store: Store;
  dbPath: string;
  tables(): Promise<Record<string, unknown[][]>>;
  openAnother(): Promise<Store>;
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

async function sqliteBacking(): Promise<Backing> {
  const tmp = tempDir('taliq-test-');
  const dir = tmp.path;
  const dbPath = join(dir, 'taliq.db');
  const store = await openSqliteStore(dbPath);
  let raw: Database.Database | undefined;
  return {
    store, dbPath,
    openAnother: () => openSqliteStore(dbPath),
    exec: async (sql) => {
      const db = new Database(dbPath, { fileMustExist: true });
      try {
        db.exec(sql);
      } finally {
        db.close();
      }
    },
    tables: async () => {
      raw ??= new Database(dbPath, { readonly: true, fileMustExist: true });
      const out: Record<string, unknown[][]> = {};
      for (const name of raw.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).pluck().all() as string[]) {
        out[name] = raw.prepare(`SELECT * FROM "${name.replace(/"/g, '""')}"`).raw().all() as unknown[][];
      }
      return out;
    },
    close: async () => {
      raw?.close();
      await store.close();
      tmp.remove();
    },
  };
}

async function postgresBacking(): Promise<Backing> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('TALIQ_TEST_STORE=postgres needs DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test)');
  const schema = `taliq_test_${randomBytes(6).toString('hex')}`;
  const store = await openPostgresStore(url, { schema, max: 4 });
  let raw: pg.Client | undefined;
  const connect = async () => {
    if (!raw) {
      raw = new pg.Client({ connectionString: url });
      await raw.connect();
      await raw.query(`SET search_path = "${schema}"`);
    }
    return raw;
  };
  return {
    store, dbPath: '',
    openAnother: () => openPostgresStore(url, { schema, max: 4 }),
    exec: async (sql) => {
      await (await connect()).query(sql);
    },
    tables: async () => {
      const c = await connect();
      const names = (await c.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY table_name`, [schema]))
        .rows.map((r) => r.table_name as string);
      const out: Record<string, unknown[][]> = {};
      for (const name of names) out[name] = (await c.query({ text: `SELECT * FROM "${name.replace(/"/g, '""')}"`, rowMode: 'array' })).rows;
      return out;
    },
    close: async () => {
      await store.close();
      const c = await connect();
      try {
        await c.query(`DROP SCHEMA "${schema}" CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}

/** A D1 database on real workerd, fresh for each test; another store on the same binding is a second isolate. */
async function d1Backing(): Promise<Backing> {
  const databases = d1Databases(1);
  const db = await databases.next();
  const store = await openD1Store(db);
  return {
    store, dbPath: '',
    openAnother: () => openD1Store(db),
    exec: async (sql) => {
      await db.batch([db.prepare(sql)]);
    },
    tables: async () => {
      const names = (await db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`).all()).results.map((r) => r.name as string);
      const out: Record<string, unknown[][]> = {};
      for (const name of names) out[name] = (await db.prepare(`SELECT * FROM "${name.replace(/"/g, '""')}"`).all()).results.map((r) => Object.values(r));
      return out;
    },
    close: async () => {
      await store.close();
      await databases.dispose();
    },
  };
}

export async function testApp(settings: Partial<SiteSettings> = {}): Promise<TestApp> {
  const backing = TEST_ENGINE === 'postgres' ? await postgresBacking() : TEST_ENGINE === 'd1' ? await d1Backing() : await sqliteBacking();
  const { store, dbPath } = backing;
  await store.createSite(SITE, { ...DEFAULT_SETTINGS, origins: [ORIGIN], limits: NO_LIMITS, ...settings });
  const clock = { now: Date.now() };
  const { token } = await createModeratorToken({ store, now: () => clock.now }, SITE, 'test');
  // Loopback receivers (webhook tests) are allowed as an operator would list them; the guard's own tests build their app without this.
  const app = createApp({ store, secret: SECRET, adminToken: ADMIN_TOKEN, now: () => clock.now, clientIp: () => '203.0.113.7', allowedHookHosts: LOOPBACK_HOOK_HOSTS });
  return { app, store, engine: store.engine as TestApp['engine'], dbPath, tables: backing.tables, openAnother: backing.openAnother, exec: backing.exec, modToken: token, clock, close: backing.close };
}

type Init = { headers?: Record<string, string>; origin?: string | null };

export function api(t: TestApp) {
  const call = async (method: string, path: string, body?: unknown, init: Init = {}) => {
    const headers: Record<string, string> = { ...init.headers };
    const origin = init.origin === undefined ? ORIGIN : init.origin;
    if (origin) headers.origin = origin;
    if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
    const res = await t.app.request(`/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
  };
  const mod = (init: Init = {}) => ({ ...init, origin: init.origin ?? null, headers: { authorization: `Bearer ${t.modToken}`, ...init.headers } });
  const thread = (key: string) => `/sites/${SITE}/threads/${encodeURIComponent(key)}`;
  return {
    call,
    post: (key: string, input: NewCommentInput, init?: Init) => call('POST', `${thread(key)}/comments`, input, init),
    list: (key: string, query = '', init?: Init) => call('GET', `${thread(key)}/comments${query ? `?${query}` : ''}`, undefined, init),
    mine: (key: string, receipts: string[]) => call('POST', `${thread(key)}/comments/mine`, { receipts }),
    queue: (query = 'status=pending', init: Init = {}) => call('GET', `/admin/sites/${SITE}/comments?${query}`, undefined, mod(init)),
    moderate: (id: string, action: string, init: Init = {}) => call('POST', `/admin/comments/${id}/moderate`, { action }, mod(init)),
    bulk: (ids: string[], action: string, init: Init = {}) => call('POST', `/admin/comments/moderate`, { ids, action }, mod(init)),
    mod,
  };
}

/** Posts and approves `n` comments in a thread, one millisecond apart, oldest first. */
export async function seedApproved(t: TestApp, key: string, n: number, body = (i: number) => `تعليق رقم ${i}`) {
  const a = api(t);
  const ids: string[] = [];
  for (let i = 1; i <= n; i++) {
    t.clock.now += 1;
    const res = await a.post(key, { author: { name: `قارئ ${i}` }, body: body(i) });
    ids.push(res.body.comment.id);
  }
  if (ids.length) await t.store.setStatus(ids, 'approved');
  return ids;
}
