/**
 * The CLI's backend on the store of this machine (SQLite file or PostgreSQL URL), as `taliq`
 * has always worked. Changes are written to the audit log with the actor `cli`.
 */
import { DEFAULT_SETTINGS } from '../../../shared/src/index.js';
import { issueToken, revokeTokenById, tokenView } from '../moderators.js';
import { rotatedView, withCanonicalOrigins } from '../routes/admin.js';
import { DEFAULT_SECRET_GRACE_SECONDS, rotateSecret } from '../site-secrets.js';
import { Signer } from '../crypto.js';
import { eraseByEmail, exportByEmail } from '../privacy.js';
import { removalsCsv } from '../removals-csv.js';
import { exportSite } from '../importers/export.js';
import { importInto } from '../importers/import.js';
import type { Store } from '../store/store.js';
import type { Admin, SiteView } from './admin.js';
import { UsageError } from './errors.js';
import { assertCallableSettings } from '../net/called-urls.js';
import { parseAllowList } from '../net/outbound-guard.js';
import { resolveHost } from '../runtime/resolve-host.js';
import { ApiError } from '../errors.js';

/** The guard `taliq serve` applies, so the CLI refuses what the server would not call. */
async function assertCallable(settings: Record<string, unknown>) {
  try {
    await assertCallableSettings({ outbound: { allow: parseAllowList(process.env.TALIQ_ALLOWED_HOOK_HOSTS), resolve: resolveHost } }, settings);
  } catch (e) {
    throw e instanceof ApiError ? new UsageError(e.message) : e;
  }
}

const ACTOR = 'cli';
const DAY = 86_400_000;
const view = (s: SiteView): SiteView => ({ id: s.id, settings: s.settings });

/** What the local rotate-secret needs from the environment (cli.ts reads it). */
export interface LocalSecretOptions {
  /** TALIQ_SECRET, as the server has it: a site older than stored secrets derived its own from it. */
  secret?: string;
  /** TALIQ_SECRET_GRACE_SECONDS, already checked. */
  graceSeconds?: number;
}

export function localAdmin(store: Store, now = () => Date.now(), secrets: LocalSecretOptions = {}): Admin {
  const audit = (siteId: string | null, action: string, target: string | null, before: unknown, after: unknown) =>
    store.addAudit({ siteId, actor: ACTOR, action, target, before, after, at: now() });
  const site = async (id: string, hint = '') => {
    const found = await store.getSite(id);
    if (!found) throw new UsageError(`No site "${id}"${hint}`);
    return found;
  };

  return {
    async addSite(id, settings) {
      await assertCallable(settings);
      const created = await store.createSite(id, { ...DEFAULT_SETTINGS, ...withCanonicalOrigins(settings) });
      await audit(id, 'site.create', id, null, created.settings);
      return view(created);
    },

    async listSites() {
      return (await store.listSites()).map(view);
    },

    async getSite(id) {
      return view(await site(id));
    },

    async updateSite(id, patch) {
      const before = await site(id);
      await assertCallable(patch);
      const next = { ...before.settings, ...withCanonicalOrigins(patch) };
      const updated = await store.updateSiteSettings(id, next);
      const was = Object.fromEntries(Object.keys(patch).map((k) => [k, before.settings[k as keyof typeof before.settings]]));
      await audit(id, 'site.settings', id, was, patch);
      return view(updated);
    },

    async rotateSecret(siteId, kind) {
      await site(siteId);
      // The server's secret matters only for a site whose secrets were never stored: its derived
      // one becomes the previous. Read, never generated here: a new one would derive wrong values.
      const secret = secrets.secret || (await store.getMeta('secret'));
      if (!secret && !(await store.getSiteSecret(siteId, kind))) {
        throw new UsageError(`Site "${siteId}" has used the secret derived from TALIQ_SECRET until now: run this with the server's TALIQ_SECRET set, or once with --api`);
      }
      const rotated = await rotateSecret({ store, now, signer: new Signer(secret ?? 'x'.repeat(32)), secretGraceSeconds: secrets.graceSeconds ?? DEFAULT_SECRET_GRACE_SECONDS }, siteId, kind, ACTOR);
      if (!rotated) throw new UsageError(`No site "${siteId}"`);
      return rotatedView(rotated);
    },

    async setThreadMode(siteId, key, mode) {
      const thread = await store.getThread(siteId, key);
      if (!thread) throw new UsageError(`No thread "${key}" on site "${siteId}"`);
      await store.setThreadMode(thread.id, mode);
      await audit(siteId, 'thread.mode', key, { mode: thread.mode }, { mode });
    },

    async createToken(siteId, label, role) {
      if (siteId !== null) await site(siteId, ': add it first with taliq sites add');
      const created = await issueToken({ store, now }, siteId, label, ACTOR, role);
      return { id: created.id, token: created.token, role: created.role };
    },

    async listTokens(siteId) {
      return (await store.listTokens(siteId)).map(tokenView);
    },

    async revokeToken(id) {
      const token = (await store.listTokens()).find((t) => t.id === id);
      return !!token && (await revokeTokenById({ store, now }, token, ACTOR));
    },

    async removalsCsv(siteId, from, to) {
      await site(siteId);
      const day = (d: string) => Date.parse(`${d}T00:00:00Z`);
      return removalsCsv(await store.listRemovals(siteId, from ? day(from) : 0, (to ? day(to) : Number.MAX_SAFE_INTEGER - DAY) + DAY));
    },

    privacyExport: (email) => exportByEmail(store, email, now()),
    privacyErase: (email) => eraseByEmail(store, email, ACTOR, now),

    async exportSite(siteId) {
      await site(siteId);
      const doc = await exportSite(store, siteId, now());
      await audit(siteId, 'export', null, null, { threads: doc.threads.length, comments: doc.comments.length });
      return doc;
    },

    async importData(siteId, data, file) {
      await site(siteId, ': add it first with taliq sites add');
      const result = await importInto(store, siteId, data);
      await audit(siteId, 'import', data.source, null, { file, ...result });
      return result;
    },

    close: () => store.close(),
  };
}
