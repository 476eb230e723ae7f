/**
 * `taliq`: run the server, and manage sites, tokens and comments, on the local store or, with
 * --api URL --token T (or TALIQ_API and TALIQ_ADMIN_TOKEN), on any deployment over its HTTP API.
 * This file reads the arguments and picks the backend; the commands are in cli/commands.ts.
 *   taliq serve [--port 8787] [--host H] [--db PATH | --database-url URL] [--demo]
 *   taliq sites add ID --origin URL [--origin URL …] [--moderation pre|post]
 *   taliq sites list | show ID | set ID SETTING VALUE | rotate-secret ID sso|webhook
 *   taliq threads set --site ID THREAD MODE
 *   taliq removals export --site ID [--from DAY] [--to DAY]
 *   taliq privacy export|erase --email ADDRESS
 *   taliq tokens create --site ID [--role owner|moderator] [--label TEXT] | --admin
 *   taliq tokens list [--site ID]
 *   taliq tokens revoke TOKEN_ID
 *   taliq import disqus|wordpress|taliq FILE --site ID
 *   taliq export --site ID [--format json]
 * Environment: PORT, TALIQ_DB, DATABASE_URL, TALIQ_SECRET, TALIQ_SECRET_GRACE_SECONDS, TALIQ_ADMIN_TOKEN, TALIQ_API.
 */
import { parseArgs } from 'node:util';
import { startNodeServer } from './runtime/node.js';
import { DEFAULT_DB, openStore } from './runtime/open-store.js';
import { ensureDemo } from './demo.js';
import type { Admin } from './cli/admin.js';
import { COMMANDS } from './cli/commands.js';
import { RemoteError, UsageError } from './cli/errors.js';
import { localAdmin } from './cli/local-admin.js';
import { isLoopback, parseApiUrl, remoteAdmin } from './cli/remote-admin.js';
import { parseSecretGrace } from './site-secrets.js';

const USAGE = `Usage:
  taliq serve [--port 8787] [--host HOST] [--db PATH | --database-url postgres://…] [--trusted-proxies N]
              [--max-streams-per-address N] [--max-streams N] [--demo]
  taliq sites add ID --origin URL [--origin URL …] [--moderation pre|post]
  taliq sites list
  taliq sites show ID
  taliq sites set ID SETTING VALUE          e.g. sites set akhbar bannedWords '["كلمة","*word*"]'
  taliq sites rotate-secret ID sso|webhook  a new SSO or webhook secret, printed once; the old one
                                            verifies for TALIQ_SECRET_GRACE_SECONDS (default a day)
  taliq threads set --site ID THREAD MODE   MODE: open (the site's rule), pre, post, closed
  taliq removals export --site ID [--from YYYY-MM-DD] [--to YYYY-MM-DD] > removals.csv
  taliq privacy export --email ADDRESS        a reader's comments, as JSON
  taliq privacy erase --email ADDRESS         erase what identifies a reader (law 09-08, GDPR)
  taliq tokens create --site ID [--role owner|moderator] [--label TEXT]
                                              owner (default): everything on the site;
                                              moderator: queues, bans, threads, audit only
  taliq tokens create --admin [--label TEXT]  an owner of every site
  taliq tokens list [--site ID]
  taliq tokens revoke TOKEN_ID
  taliq import disqus FILE --site ID          comments from a Disqus XML export
  taliq import wordpress FILE --site ID       comments from a WordPress export (WXR)
  taliq import taliq FILE --site ID           a site from taliq export (another server, another site)
  taliq export --site ID [--format json] > backup.json
Every command but serve works on the local store (--db PATH | --database-url URL), or on any
Taliq server over its HTTP API: --api https://comments.example.com [--token T], or TALIQ_API.
The token is --token, else TALIQ_ADMIN_TOKEN: an admin token, or a site's token for that site.
Environment: PORT, TALIQ_DB, DATABASE_URL, TALIQ_SECRET, TALIQ_SECRET_GRACE_SECONDS, TALIQ_ADMIN_TOKEN, TALIQ_API, TALIQ_TRUSTED_PROXIES, TALIQ_MAX_STREAMS_PER_ADDRESS, TALIQ_MAX_STREAMS, TALIQ_PAGE_CACHE_BYTES, REDIS_URL`;

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
      'max-streams-per-address': { type: 'string' },
      'max-streams': { type: 'string' },
      api: { type: 'string' },
      token: { type: 'string' },
      origin: { type: 'string', multiple: true },
      moderation: { type: 'string' },
      site: { type: 'string' },
      label: { type: 'string' },
      admin: { type: 'boolean' },
      role: { type: 'string' },
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

/**
 * Which backend: a server's API with --api or TALIQ_API (the token from --token, else
 * TALIQ_ADMIN_TOKEN), else the local store. Pure, for tests; the API URL is checked here.
 */
export function backendOptions(o: { api?: string; token?: string; db?: string; 'database-url'?: string }, env = process.env) {
  const api = o.api ?? (env.TALIQ_API || undefined);
  if (api === undefined) {
    if (o.token !== undefined) throw new UsageError('--token goes with --api URL (or TALIQ_API): without them the CLI opens the local store');
    return { local: storeOptions(o.db, o['database-url'], env) } as const;
  }
  if (o.db !== undefined || o['database-url'] !== undefined) throw new UsageError('--db and --database-url open a local store: they do not go with --api (TALIQ_API)');
  const url = parseApiUrl(api);
  const token = o.token ?? (env.TALIQ_ADMIN_TOKEN || undefined);
  if (!token) throw new UsageError('--api (TALIQ_API) needs a token: --token T, or TALIQ_ADMIN_TOKEN (an admin token, or a site\'s token for that site)');
  // Checked here, without printing it: fetch would refuse it with a message that quotes it.
  if (!/^[\x21-\x7E]+$/.test(token)) throw new UsageError('The token (--token or TALIQ_ADMIN_TOKEN) has characters no token has: spaces, line breaks or non-ASCII');
  return { remote: { url, token } } as const;
}

/** A stream cap from its option or variable; unset means the default. */
export function streamCount(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`${name} must be a whole number of streams, at least 1, not "${value}"`);
  return n;
}

/** TALIQ_PAGE_CACHE_BYTES; unset means the default. */
export function byteCount(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new UsageError(`${name} must be a whole number of bytes, not "${value}"`);
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
    if (o.api !== undefined || o.token !== undefined) throw new UsageError('serve runs the server on this machine: it takes no --api or --token (TALIQ_API is not used by serve)');
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
      allowedHookHosts: process.env.TALIQ_ALLOWED_HOOK_HOSTS,
      secretGraceSeconds: secretGrace(),
      maxStreamsPerAddress: streamCount('--max-streams-per-address', o['max-streams-per-address'] ?? process.env.TALIQ_MAX_STREAMS_PER_ADDRESS),
      maxStreams: streamCount('--max-streams', o['max-streams'] ?? process.env.TALIQ_MAX_STREAMS),
      pageCacheBytes: byteCount('TALIQ_PAGE_CACHE_BYTES', process.env.TALIQ_PAGE_CACHE_BYTES),
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

  const name = COMMANDS[`${command} ${sub}`] ? `${command} ${sub}` : command;
  const handler = COMMANDS[name];
  if (!handler) throw new UsageError(`Unknown command: ${[command, sub].filter(Boolean).join(' ')}`);
  const backend = backendOptions(o);
  let opened: Admin | undefined;
  const admin = async () => {
    if (!opened) {
      if (backend.local) opened = localAdmin(await openStore(backend.local), undefined, { secret: process.env.TALIQ_SECRET || undefined, graceSeconds: secretGrace() });
      else {
        if (backend.remote.url.protocol === 'http:' && !isLoopback(backend.remote.url)) {
          console.error(`taliq: warning: the token goes unencrypted over http:// to ${backend.remote.url.host}; use https://`);
        }
        opened = remoteAdmin(backend.remote.url, backend.remote.token);
      }
    }
    return opened;
  };
  try {
    return await handler({ args: name === command ? [sub, ...rest].filter((a) => a !== undefined) : rest, o, admin });
  } finally {
    await opened?.close();
  }
}

/** TALIQ_SECRET_GRACE_SECONDS, checked; a wrong value is the operator's to fix (exit 2). */
function secretGrace(): number {
  try {
    return parseSecretGrace(process.env.TALIQ_SECRET_GRACE_SECONDS);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function trustedProxies(value: string | undefined): number {
  if (value === undefined || value === '') return 0;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 10) throw new UsageError('--trusted-proxies (TALIQ_TRUSTED_PROXIES) is the number of proxies in front, 0 to 10');
  return n;
}

export async function run(argv = process.argv.slice(2)) {
  try {
    const code = await main(argv);
    if (code >= 0) process.exitCode = code;
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`taliq: ${(e as Error).message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else if (e instanceof RemoteError) {
      const lines = (e.issues ?? []).map((i) => `  ${i.path.join('.') || '(body)'}: ${i.message}`);
      console.error([`taliq: ${e.message}`, ...lines].join('\n'));
      process.exitCode = 1;
    } else {
      // ImportError, a conflict from the store (the id is taken), anything else: the message says it.
      console.error(`taliq: ${(e as Error).message}`);
      process.exitCode = 1;
    }
  }
}
