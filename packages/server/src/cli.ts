/**
 * `taliq`: run the server and manage sites and moderator tokens on the local store.
 *   taliq serve [--port 8787] [--host H] [--db PATH | --database-url URL] [--demo]
 *   taliq sites add ID --origin URL [--origin URL …] [--moderation pre|post]
 *   taliq sites list | show ID | set ID SETTING VALUE
 *   taliq threads set --site ID THREAD MODE
 *   taliq removals export --site ID [--from DAY] [--to DAY]
 *   taliq tokens create --site ID [--label TEXT] | --admin
 *   taliq tokens list [--site ID]
 *   taliq tokens revoke TOKEN_ID
 *   taliq import disqus|wordpress FILE --site ID
 *   taliq export --site ID [--format json]
 * Environment: PORT, TALIQ_DB, DATABASE_URL, TALIQ_SECRET, TALIQ_ADMIN_TOKEN.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { DEFAULT_SETTINGS, SiteId, SiteSettings, SiteSettingsPatch } from '../../shared/src/index.js';
import { removalsCsv } from './removals-csv.js';

const ThreadModeSchema = z.enum(['open', 'pre', 'post', 'closed']);
import { createModeratorToken } from './moderators.js';
import { withCanonicalOrigins } from './routes/admin.js';
import { startNodeServer } from './runtime/node.js';
import { DEFAULT_DB, openStore } from './runtime/open-store.js';
import type { Store } from './store/store.js';
import { ensureDemo } from './demo.js';
import { readFileSync } from 'node:fs';
import { parseDisqus } from './importers/disqus.js';
import { parseWordpress } from './importers/wordpress.js';
import { importInto } from './importers/import.js';
import { exportSite } from './importers/export.js';
import { ImportError } from './importers/types.js';

const USAGE = `Usage:
  taliq serve [--port 8787] [--host HOST] [--db PATH | --database-url postgres://…] [--trusted-proxies N] [--demo]
  taliq sites add ID --origin URL [--origin URL …] [--moderation pre|post]
  taliq sites list
  taliq sites show ID
  taliq sites set ID SETTING VALUE          e.g. sites set akhbar bannedWords '["كلمة","*word*"]'
  taliq threads set --site ID THREAD MODE   MODE: open (the site's rule), pre, post, closed
  taliq removals export --site ID [--from YYYY-MM-DD] [--to YYYY-MM-DD] > removals.csv
  taliq privacy export --email ADDRESS        a reader's comments, as JSON
  taliq privacy erase --email ADDRESS         erase what identifies a reader (law 09-08, GDPR)
  taliq tokens create --site ID [--label TEXT]
  taliq tokens create --admin [--label TEXT]
  taliq tokens list [--site ID]
  taliq tokens revoke TOKEN_ID
  taliq import disqus FILE --site ID          comments from a Disqus XML export
  taliq import wordpress FILE --site ID       comments from a WordPress export (WXR)
  taliq export --site ID [--format json] > backup.json
Environment: PORT, TALIQ_DB, DATABASE_URL, TALIQ_SECRET, TALIQ_ADMIN_TOKEN, TALIQ_TRUSTED_PROXIES, REDIS_URL`;

class UsageError extends Error {}

function options(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      db: { type: 'string' },
      'database-url': { type: 'string' },
      demo: { type: 'boolean' },
      'trusted-proxies': { type: 'string' },
      origin: { type: 'string', multiple: true },
      moderation: { type: 'string' },
      site: { type: 'string' },
      label: { type: 'string' },
      admin: { type: 'boolean' },
      from: { type: 'string' },
      email: { type: 'string' },
      to: { type: 'string' },
      format: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/** Which store: --database-url, else --db, else DATABASE_URL, else TALIQ_DB, else ./data/taliq.db. */
export function storeOptions(db: string | undefined, databaseUrl: string | undefined, env = process.env) {
  if (databaseUrl) return { databaseUrl };
  if (db) return { db };
  if (env.DATABASE_URL) return { databaseUrl: env.DATABASE_URL };
  return { db: env.TALIQ_DB || DEFAULT_DB };
}

async function withStore<T>(db: string | undefined, databaseUrl: string | undefined, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(storeOptions(db, databaseUrl));
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

const now = () => Date.now();

function trustedProxies(value: string | undefined): number {
  if (value === undefined || value === '') return 0;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 10) throw new UsageError('--trusted-proxies (TALIQ_TRUSTED_PROXIES) is the number of proxies in front, 0 to 10');
  return n;
}

export async function main(argv: string[]): Promise<number> {
  const { values: o, positionals: [command, sub, ...rest] } = options(argv);
  if (o.help || !command) {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const db = o.db, url = o['database-url'];

  if (command === 'serve') {
    const port = Number(o.port ?? process.env.PORT ?? 8787);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number, not "${o.port}"`);
    const server = await startNodeServer({
      port,
      host: o.host,
      ...storeOptions(db, url),
      secret: process.env.TALIQ_SECRET,
      adminToken: process.env.TALIQ_ADMIN_TOKEN,
      demo: o.demo,
      trustedProxies: trustedProxies(o['trusted-proxies'] ?? process.env.TALIQ_TRUSTED_PROXIES),
      redisUrl: process.env.REDIS_URL || undefined,
    });
    const origin = `http://${o.host && o.host !== '0.0.0.0' && o.host !== '::' ? (o.host.includes(':') ? `[${o.host}]` : o.host) : 'localhost'}:${server.port}`;
    const lines = [`Taliq listening on ${origin}  (store: ${server.store.engine})`];
    if (o.demo) {
      const { token } = await ensureDemo(server.store, server.port);
      lines.push(
        `Demo article:        ${origin}/`,
        `Demo site:           demo  (pre-moderation)`,
        `Moderator token:     ${token}`,
        `List pending:        curl -H "Authorization: Bearer ${token}" ${origin}/api/v1/admin/sites/demo/comments`,
      );
    }
    // One write, so whoever waits for "listening" also has the token.
    console.log(lines.join('\n'));
    const stop = () => server.close().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return -1; // keep running
  }

  if (command === 'sites' && sub === 'add') {
    const id = SiteId.safeParse(rest[0]);
    if (!id.success) throw new UsageError('sites add needs a site id: lowercase letters, digits, _ or -');
    if (!o.origin?.length) throw new UsageError('sites add needs at least one --origin URL (the pages that embed the comments)');
    const settings = SiteSettings.safeParse(withCanonicalOriginsSafe({ ...DEFAULT_SETTINGS, origins: o.origin, moderation: o.moderation ?? 'pre' }));
    if (!settings.success) throw new UsageError(settings.error.issues.map((i) => `${i.path.join('.') || 'settings'}: ${i.message}`).join('\n'));
    await withStore(db, url, async (store) => {
      await store.createSite(id.data, settings.data);
      await store.addAudit({ siteId: id.data, actor: 'cli', action: 'site.create', target: id.data, before: null, after: settings.data, at: now() });
    });
    console.log(`Site "${id.data}" added: origins ${settings.data.origins.join(', ')}; ${settings.data.moderation}-moderation`);
    return 0;
  }

  if (command === 'sites' && sub === 'list') {
    await withStore(db, url, async (store) => {
      for (const s of await store.listSites()) console.log(`${s.id}\t${s.settings.moderation}\t${s.settings.origins.join(' ')}`);
    });
    return 0;
  }

  if (command === 'sites' && sub === 'show') {
    await withStore(db, url, async (store) => {
      const site = await store.getSite(rest[0] ?? '');
      if (!site) throw new UsageError(`No site "${rest[0] ?? ''}"`);
      console.log(JSON.stringify(site.settings, null, 2));
    });
    return 0;
  }

  if (command === 'sites' && sub === 'set') {
    const [id, key, raw] = rest;
    if (!id || !key || raw === undefined) throw new UsageError('sites set needs a site id, a setting and a value');
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // a plain string, such as pre or post
    }
    const patch = SiteSettingsPatch.safeParse({ [key]: value });
    if (!patch.success) throw new UsageError(patch.error.issues.map((i) => `${i.path.join('.') || 'setting'}: ${i.message}`).join('\n'));
    await withStore(db, url, async (store) => {
      const site = await store.getSite(id);
      if (!site) throw new UsageError(`No site "${id}"`);
      const next = { ...site.settings, ...withCanonicalOriginsSafe(patch.data as { origins: string[] }) };
      await store.updateSiteSettings(id, next);
      await store.addAudit({ siteId: id, actor: 'cli', action: 'site.settings', target: id, before: { [key]: site.settings[key as keyof typeof site.settings] }, after: patch.data, at: now() });
      console.log(`${id}: ${key} = ${JSON.stringify(next[key as keyof typeof next])}`);
    });
    return 0;
  }

  if (command === 'threads' && sub === 'set') {
    const [key, mode] = rest;
    const parsed = ThreadModeSchema.safeParse(mode);
    if (!o.site || !key || !parsed.success) throw new UsageError('threads set needs --site ID, a thread key and a mode: open, pre, post or closed');
    await withStore(db, url, async (store) => {
      const thread = await store.getThread(o.site!, key);
      if (!thread) throw new UsageError(`No thread "${key}" on site "${o.site}"`);
      await store.setThreadMode(thread.id, parsed.data);
      await store.addAudit({ siteId: o.site!, actor: 'cli', action: 'thread.mode', target: key, before: { mode: thread.mode }, after: { mode: parsed.data }, at: now() });
      console.log(`${o.site} ${key}: ${parsed.data}`);
    });
    return 0;
  }

  if (command === 'removals' && sub === 'export') {
    if (!o.site) throw new UsageError('removals export needs --site ID');
    const day = (d: string | undefined, name: string) => {
      if (d === undefined) return undefined;
      if (!/^\d{4}-\d{2}-\d{2}$/.test(d) || Number.isNaN(Date.parse(`${d}T00:00:00Z`))) throw new UsageError(`--${name} takes a day as YYYY-MM-DD`);
      return Date.parse(`${d}T00:00:00Z`);
    };
    const from = day(o.from, 'from') ?? 0;
    const to = (day(o.to, 'to') ?? Number.MAX_SAFE_INTEGER - 86_400_000) + 86_400_000;
    await withStore(db, url, async (store) => {
      if (!(await store.getSite(o.site!))) throw new UsageError(`No site "${o.site}"`);
      process.stdout.write(removalsCsv(await store.listRemovals(o.site!, from, to)));
    });
    return 0;
  }

  if (command === 'privacy' && (sub === 'export' || sub === 'erase')) {
    const email = z.email().safeParse(o.email);
    if (!email.success) throw new UsageError(`privacy ${sub} needs --email ADDRESS`);
    await withStore(db, url, async (store) => {
      if (sub === 'export') {
        const comments = await store.commentsByEmail(email.data);
        const out = comments.map((c) => ({
          site: c.siteId, thread: c.threadKey, id: c.id, name: c.authorName, email: c.authorEmail, body: c.body, status: c.status,
          createdAt: new Date(c.createdAt).toISOString(), editedAt: c.editedAt ? new Date(c.editedAt).toISOString() : null,
        }));
        console.log(JSON.stringify({ email: email.data, exportedAt: new Date().toISOString(), comments: out }, null, 2));
      } else {
        const erased = await store.eraseByEmail(email.data, now());
        for (const site of new Set(erased.map((e) => e.siteId))) {
          await store.addAudit({ siteId: site, actor: 'cli', action: 'privacy.erase', target: null, before: null, after: { comments: erased.filter((e) => e.siteId === site).length }, at: now() });
        }
        console.log(`Erased the author's name, email, identity and text of ${erased.length} comment(s)`);
      }
    });
    return 0;
  }

  if (command === 'tokens' && sub === 'create') {
    if (!o.site === !o.admin) throw new UsageError('tokens create needs --site ID, or --admin for a token valid on every site');
    await withStore(db, url, async (store) => {
      if (o.site && !(await store.getSite(o.site))) throw new UsageError(`No site "${o.site}": add it first with taliq sites add`);
      const { id, token } = await createModeratorToken({ store, now }, o.site ?? null, o.label ?? null);
      await store.addAudit({ siteId: o.site ?? null, actor: 'cli', action: 'token.create', target: id, before: null, after: { label: o.label ?? null }, at: now() });
      console.log(token);
      console.error(`Token ${id} for ${o.site ? `site "${o.site}"` : 'every site (admin)'}. It is shown once: keep it now.`);
    });
    return 0;
  }

  if (command === 'tokens' && sub === 'list') {
    await withStore(db, url, async (store) => {
      for (const t of await store.listTokens(o.site)) {
        console.log(`${t.id}\t${t.siteId ?? '(admin)'}\t${new Date(t.createdAt).toISOString()}\t${t.revokedAt ? 'revoked' : 'active'}\t${t.label ?? ''}`);
      }
    });
    return 0;
  }

  if (command === 'tokens' && sub === 'revoke') {
    if (!rest[0]) throw new UsageError('tokens revoke needs a token id (see taliq tokens list)');
    const ok = await withStore(db, url, async (store) => {
      const token = (await store.listTokens()).find((t) => t.id === rest[0]);
      const done = await store.revokeToken(rest[0], now());
      if (done) await store.addAudit({ siteId: token?.siteId ?? null, actor: 'cli', action: 'token.revoke', target: rest[0], before: null, after: null, at: now() });
      return done;
    });
    console.log(ok ? `Token ${rest[0]} revoked` : `No active token ${rest[0]}`);
    return ok ? 0 : 1;
  }

  if (command === 'import' && (sub === 'disqus' || sub === 'wordpress')) {
    const file = rest[0];
    if (!o.site || !file) throw new UsageError(`import ${sub} needs a FILE and --site ID`);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(file));
    } catch (e) {
      throw new ImportError(e instanceof TypeError ? `${file} is not UTF-8 text. Nothing was imported.` : `Cannot read ${file}: ${(e as Error).message}`);
    }
    await withStore(db, url, async (store) => {
      if (!(await store.getSite(o.site!))) throw new UsageError(`No site "${o.site}": add it first with taliq sites add`);
      // The whole file is read and checked before anything is written.
      const data = sub === 'disqus' ? parseDisqus(text) : parseWordpress(text);
      const result = await importInto(store, o.site!, data);
      await store.addAudit({ siteId: o.site!, actor: 'cli', action: 'import', target: sub, before: null, after: { file, ...result }, at: now() });
      for (const s of data.skipped) console.error(`skipped ${s.sourceId ?? '(no id)'}: ${s.reason}`);
      console.log(`Imported ${result.comments} comment(s) into ${result.threads} thread(s) of site "${o.site}"` +
        `${result.existing ? `; ${result.existing} were already imported` : ''}${result.skipped ? `; ${result.skipped} skipped` : ''}`);
    });
    return 0;
  }

  if (command === 'export') {
    if (!o.site) throw new UsageError('export needs --site ID');
    if ((o.format ?? 'json') !== 'json') throw new UsageError('export writes JSON only (--format json)');
    await withStore(db, url, async (store) => {
      if (!(await store.getSite(o.site!))) throw new UsageError(`No site "${o.site}"`);
      const doc = await exportSite(store, o.site!);
      process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
      await store.addAudit({ siteId: o.site!, actor: 'cli', action: 'export', target: null, before: null, after: { threads: doc.threads.length, comments: doc.comments.length }, at: now() });
    });
    return 0;
  }

  throw new UsageError(`Unknown command: ${[command, sub].filter(Boolean).join(' ')}`);
}

function withCanonicalOriginsSafe<T extends { origins: string[] }>(s: T): T {
  try {
    return withCanonicalOrigins(s);
  } catch {
    return s; // the schema then says which origin is not a URL
  }
}

export async function run(argv = process.argv.slice(2)) {
  try {
    const code = await main(argv);
    if (code >= 0) process.exitCode = code;
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`taliq: ${(e as Error).message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else if ((e as { code?: string }).code === 'conflict') {
      console.error(`taliq: ${(e as Error).message}`);
      process.exitCode = 1;
    } else {
      console.error('taliq:', (e as Error).message);
      process.exitCode = 1;
    }
  }
}
