/**
 * The management commands, written once against the Admin interface: the same for the local
 * store and for a server's HTTP API. Each checks its arguments before it opens anything (a
 * mistake costs neither a database file nor a request), then asks `admin()` for the backend.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DEFAULT_ROLE, DEFAULT_SETTINGS, ROLES, SiteId, SiteSettings, SiteSettingsPatch, type Role } from '../../../shared/src/index.js';
import { withCanonicalOrigins } from '../routes/admin.js';
import { parseDisqus } from '../importers/disqus.js';
import { parseWordpress } from '../importers/wordpress.js';
import { parseTaliq } from '../importers/taliq.js';
import { ImportError, type ImportData } from '../importers/types.js';
import { SECRET_KINDS } from '../site-secrets.js';
import type { Admin } from './admin.js';
import { UsageError } from './errors.js';

export interface CommandOptions {
  origin?: string[];
  moderation?: string;
  site?: string;
  label?: string;
  admin?: boolean;
  role?: string;
  from?: string;
  to?: string;
  email?: string;
  format?: string;
}

export interface CommandContext {
  /** Positional arguments after the command and its subcommand. */
  args: string[];
  o: CommandOptions;
  /** The backend, opened on first use. */
  admin: () => Promise<Admin>;
}

type Command = (ctx: CommandContext) => Promise<number>;

const ThreadMode = z.enum(['open', 'pre', 'post', 'closed']);
const SecretKind = z.enum(SECRET_KINDS);
const PARSERS: Record<string, (text: string) => ImportData> = { disqus: parseDisqus, wordpress: parseWordpress, taliq: parseTaliq };

const issues = (error: z.ZodError, what: string) => error.issues.map((i) => `${i.path.join('.') || what}: ${i.message}`).join('\n');

function withCanonicalOriginsSafe<T extends { origins?: string[] }>(s: T): T {
  try {
    return withCanonicalOrigins(s);
  } catch {
    return s; // the schema then says which origin is not a URL
  }
}

function day(d: string | undefined, name: string) {
  if (d !== undefined && (!/^\d{4}-\d{2}-\d{2}$/.test(d) || Number.isNaN(Date.parse(`${d}T00:00:00Z`)))) throw new UsageError(`--${name} takes a day as YYYY-MM-DD`);
  return d;
}

function readUtf8(file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(file));
  } catch (e) {
    throw new ImportError(e instanceof TypeError ? `${file} is not UTF-8 text. Nothing was imported.` : `Cannot read ${file}: ${(e as Error).message}`);
  }
}

export const COMMANDS: Record<string, Command> = {
  async 'sites add'({ args: [raw], o, admin }) {
    const id = SiteId.safeParse(raw);
    if (!id.success) throw new UsageError('sites add needs a site id: lowercase letters, digits, _ or -');
    if (!o.origin?.length) throw new UsageError('sites add needs at least one --origin URL (the pages that embed the comments)');
    const settings = SiteSettings.safeParse(withCanonicalOriginsSafe({ ...DEFAULT_SETTINGS, origins: o.origin, moderation: o.moderation ?? 'pre' }));
    if (!settings.success) throw new UsageError(issues(settings.error, 'settings'));
    const site = await (await admin()).addSite(id.data, { origins: settings.data.origins, moderation: settings.data.moderation });
    console.log(`Site "${site.id}" added: origins ${site.settings.origins.join(', ')}; ${site.settings.moderation}-moderation`);
    return 0;
  },

  async 'sites list'({ admin }) {
    for (const s of await (await admin()).listSites()) console.log(`${s.id}\t${s.settings.moderation}\t${s.settings.origins.join(' ')}`);
    return 0;
  },

  async 'sites show'({ args: [id], admin }) {
    if (!id) throw new UsageError('sites show needs a site id');
    console.log(JSON.stringify((await (await admin()).getSite(id)).settings, null, 2));
    return 0;
  },

  async 'sites set'({ args: [id, key, raw], admin }) {
    if (!id || !key || raw === undefined) throw new UsageError('sites set needs a site id, a setting and a value');
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // a plain string, such as pre or post
    }
    const patch = SiteSettingsPatch.safeParse({ [key]: value });
    if (!patch.success) throw new UsageError(issues(patch.error, 'setting'));
    const site = await (await admin()).updateSite(id, withCanonicalOriginsSafe(patch.data));
    console.log(`${id}: ${key} = ${JSON.stringify(site.settings[key as keyof typeof site.settings])}`);
    return 0;
  },

  async 'sites rotate-secret'({ args: [id, kind], admin }) {
    const parsed = SecretKind.safeParse(kind);
    if (!id || !parsed.success) throw new UsageError('sites rotate-secret needs a site id and which secret: sso or webhook');
    const rotated = await (await admin()).rotateSecret(id, parsed.data);
    // The new secret alone on stdout, so that it can be captured; the rest to stderr.
    console.log(rotated.secret);
    console.error(`New ${parsed.data} secret for site "${id}". It is shown once: keep it now. ` +
      (rotated.previousValidUntil ? `The old one still verifies until ${rotated.previousValidUntil}.` : 'The old one no longer verifies.'));
    return 0;
  },

  async 'threads set'({ args: [key, mode], o, admin }) {
    const parsed = ThreadMode.safeParse(mode);
    if (!o.site || !key || !parsed.success) throw new UsageError('threads set needs --site ID, a thread key and a mode: open, pre, post or closed');
    await (await admin()).setThreadMode(o.site, key, parsed.data);
    console.log(`${o.site} ${key}: ${parsed.data}`);
    return 0;
  },

  async 'removals export'({ o, admin }) {
    if (!o.site) throw new UsageError('removals export needs --site ID');
    const from = day(o.from, 'from'), to = day(o.to, 'to');
    process.stdout.write(await (await admin()).removalsCsv(o.site, from, to));
    return 0;
  },

  async 'privacy export'({ o, admin }) {
    const email = z.email().safeParse(o.email);
    if (!email.success) throw new UsageError('privacy export needs --email ADDRESS');
    console.log(JSON.stringify(await (await admin()).privacyExport(email.data), null, 2));
    return 0;
  },

  async 'privacy erase'({ o, admin }) {
    const email = z.email().safeParse(o.email);
    if (!email.success) throw new UsageError('privacy erase needs --email ADDRESS');
    const { erased } = await (await admin()).privacyErase(email.data);
    console.log(`Erased the author's name, email, identity and text of ${erased} comment(s)`);
    return 0;
  },

  async 'tokens create'({ o, admin }) {
    if (!o.site === !o.admin) throw new UsageError('tokens create needs --site ID, or --admin for a token valid on every site');
    if (o.role !== undefined && !(ROLES as readonly string[]).includes(o.role)) throw new UsageError(`--role is ${ROLES.join(' or ')}`);
    if (o.admin && o.role === 'moderator') throw new UsageError('An admin token owns every site: --admin takes no --role moderator');
    const { id, token, role } = await (await admin()).createToken(o.site ?? null, o.label ?? null, (o.role as Role | undefined) ?? DEFAULT_ROLE);
    // The one place a token is printed: stdout, so that it can be captured; the rest to stderr.
    console.log(token);
    console.error(`Token ${id} (${role}) for ${o.site ? `site "${o.site}"` : 'every site (admin)'}. It is shown once: keep it now.`);
    return 0;
  },

  async 'tokens list'({ o, admin }) {
    for (const t of await (await admin()).listTokens(o.site)) {
      console.log(`${t.id}\t${t.siteId ?? '(admin)'}\t${t.role}\t${t.createdAt}\t${t.revokedAt ? 'revoked' : 'active'}\t${t.label ?? ''}`);
    }
    return 0;
  },

  async 'tokens revoke'({ args: [id], admin }) {
    if (!id) throw new UsageError('tokens revoke needs a token id (see taliq tokens list)');
    const ok = await (await admin()).revokeToken(id);
    console.log(ok ? `Token ${id} revoked` : `No active token ${id}`);
    return ok ? 0 : 1;
  },

  async export({ o, admin }) {
    if (!o.site) throw new UsageError('export needs --site ID');
    if ((o.format ?? 'json') !== 'json') throw new UsageError('export writes JSON only (--format json)');
    process.stdout.write(JSON.stringify(await (await admin()).exportSite(o.site), null, 2) + '\n');
    return 0;
  },
};

for (const source of Object.keys(PARSERS)) {
  COMMANDS[`import ${source}`] = async ({ args: [file], o, admin }) => {
    if (!o.site || !file) throw new UsageError(`import ${source} needs a FILE and --site ID`);
    const text = readUtf8(file);
    const backend = await admin();
    await backend.getSite(o.site); // before the work of parsing: a missing site says so at once
    // The whole file is read and checked before anything is written.
    const data = PARSERS[source](text);
    const result = await backend.importData(o.site, data, file);
    for (const s of data.skipped) console.error(`skipped ${s.sourceId ?? '(no id)'}: ${s.reason}`);
    console.log(`Imported ${result.comments} comment(s) into ${result.threads} thread(s) of site "${o.site}"` +
      `${result.existing ? `; ${result.existing} were already imported` : ''}${result.skipped ? `; ${result.skipped} skipped` : ''}`);
    return 0;
  };
}
