/**
 * A real app on a real SQLite file in a fresh temp folder, with one registered site and a
 * moderator token for it. Route tests call `app.request()` without opening a port.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SETTINGS, type NewCommentInput, type SiteSettings } from '../../packages/shared/src/index.js';
import { createApp } from '../../packages/server/src/app.js';
import { createModeratorToken } from '../../packages/server/src/moderators.js';
import { openSqliteStore } from '../../packages/server/src/store/sqlite.js';
import type { Store } from '../../packages/server/src/store/store.js';

export const SITE = 'akhbar';
export const ORIGIN = 'https://akhbar.example.ma';
export const SECRET = 'test-secret-that-is-at-least-32-characters-long';
export const ADMIN_TOKEN = 'admin-token-for-tests';

/** Limits out of the way of tests that post a lot; the rate-limit tests set their own. */
export const NO_LIMITS: SiteSettings['limits'] = {
  posts: { perReader: 100_000, perIp: 100_000, windowSeconds: 60 },
  votes: { perReader: 100_000, perIp: 100_000, windowSeconds: 60 },
  reports: { perReader: 100_000, perIp: 100_000, windowSeconds: 60 },
};

export interface TestApp {
  app: ReturnType<typeof createApp>;
  store: Store;
  dbPath: string;
  /** Moderator token scoped to SITE. */
  modToken: string;
  /** Moves the app's clock. */
  clock: { now: number };
  close(): Promise<void>;
}

export async function testApp(settings: Partial<SiteSettings> = {}): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'taliq-test-'));
  const dbPath = join(dir, 'taliq.db');
  const store = await openSqliteStore(dbPath);
  await store.createSite(SITE, { ...DEFAULT_SETTINGS, origins: [ORIGIN], limits: NO_LIMITS, ...settings });
  const clock = { now: Date.now() };
  const { token } = await createModeratorToken({ store, now: () => clock.now }, SITE, 'test');
  const app = createApp({ store, secret: SECRET, adminToken: ADMIN_TOKEN, now: () => clock.now, clientIp: () => '203.0.113.7' });
  return {
    app, store, dbPath, modToken: token, clock,
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
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
