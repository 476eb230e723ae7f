/**
 * The CLI's backend on a server's HTTP API (`--api URL --token T`, or TALIQ_API with
 * TALIQ_ADMIN_TOKEN): the same commands for a Node server and for a Worker, which has no store
 * the CLI could open. The routes are the moderation and operator routes under /api/v1/admin.
 *
 * Every failure becomes a RemoteError that says what happened: the server's own message from its
 * error envelope, an API that cannot be reached, or an answer that is not from a Taliq server.
 * The token travels only in the Authorization header and is never part of a message.
 */
import type { CreatedToken, ErrorBody, ImportBatchInput, ImportBatchResult, PrivacyErased, PrivacyExport, TokenView } from '../../../shared/src/index.js';
import type { ImportResult } from '../importers/import.js';
import type { Admin, RotatedSecretView, SiteExport, SiteView } from './admin.js';
import { RemoteError, UsageError } from './errors.js';
import { importBatches, wireComment } from './import-batches.js';

/** The --api value as the base URL requests are made against; http(s) only. */
export function parseApiUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // The value is not echoed: a token pasted there by mistake would land in a terminal's scrollback.
    throw new UsageError(`--api (TALIQ_API) must be the server's URL, such as https://comments.example.com`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError(`--api (TALIQ_API) must be an http:// or https:// URL, not ${url.protocol}`);
  if (url.username || url.password) throw new UsageError('--api (TALIQ_API) takes no user name or password: give the token with --token or TALIQ_ADMIN_TOKEN');
  if (url.search || url.hash) throw new UsageError('--api (TALIQ_API) takes no query or fragment');
  // Either the server's address or its API base: https://x.example or https://x.example/api/v1.
  url.pathname = url.pathname.replace(/\/+$/, '').replace(/\/api\/v1$/, '') + '/';
  return url;
}

/** Whether the URL stays on this machine (plain http is then no risk to the token). */
export const isLoopback = (url: URL) => /^(localhost|127(\.\d+){3}|\[::1\])$/i.test(url.hostname);

interface RemoteOptions {
  fetch?: typeof fetch;
  /** Per request, in ms. */
  timeoutMs?: number;
}

export function remoteAdmin(base: URL, token: string, options: RemoteOptions = {}): Admin {
  const fetchImpl = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const where = base.href.replace(/\/$/, '');
  const seg = encodeURIComponent;

  async function request(method: string, path: string, body?: unknown): Promise<Response> {
    const url = new URL(`api/v1/admin${path}`, base);
    let res: Response;
    try {
      res = await fetchImpl(url, {
        method,
        headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
        // A redirect is reported, not followed: the token should go only where it was told to.
        redirect: 'manual',
      });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      if (err.name === 'TimeoutError') throw new RemoteError(`The Taliq API at ${where} did not answer within ${timeoutMs / 1000} s`);
      throw new RemoteError(`Cannot reach the Taliq API at ${where}: ${err.cause?.code ?? err.cause?.message ?? err.message}`);
    }
    if (res.status >= 300 && res.status < 400) {
      throw new RemoteError(`The server at ${where} redirects to ${res.headers.get('location') ?? 'another address'}: give that address as --api`, res.status);
    }
    if (!res.ok) throw await refusal(res);
    return res;
  }

  async function refusal(res: Response): Promise<RemoteError> {
    const text = await res.text().catch(() => '');
    let envelope: ErrorBody['error'] | undefined;
    try {
      const parsed = JSON.parse(text) as Partial<ErrorBody>;
      if (typeof parsed.error?.code === 'string' && typeof parsed.error.message === 'string') envelope = parsed.error;
    } catch {
      // not JSON: said below
    }
    if (!envelope) {
      return new RemoteError(`The server at ${where} answered ${res.status} ${res.statusText}, not as the Taliq API does: is --api the address of a Taliq server?`, res.status);
    }
    const { code, message, issues } = envelope;
    if (res.status === 401) return new RemoteError(`${message}: the server at ${where} refused the token (check --token or TALIQ_ADMIN_TOKEN)`, 401, code);
    if (res.status === 404 && code === 'not_found' && message.startsWith('No route')) {
      return new RemoteError(`${message}: is the server at ${where} an older version of Taliq?`, 404, 'no_route');
    }
    return new RemoteError(message, res.status, code, issues);
  }

  async function json<T>(res: Response): Promise<T> {
    const type = res.headers.get('content-type') ?? '';
    if (/^application\/json\b/i.test(type)) {
      try {
        return (await res.json()) as T;
      } catch {
        // said below
      }
    }
    throw new RemoteError(`The server at ${where} answered ${res.status} with something that is not JSON: is --api the address of a Taliq server?`, res.status);
  }

  const call = async <T>(method: string, path: string, body?: unknown) => json<T>(await request(method, path, body));
  const view = (s: SiteView): SiteView => ({ id: s.id, settings: s.settings });

  return {
    addSite: async (id, settings) => view(await call<SiteView>('POST', '/sites', { id, settings })),
    listSites: async () => (await call<{ sites: SiteView[] }>('GET', '/sites')).sites.map(view),
    // The answer also holds the site's secrets: they are left here.
    getSite: async (id) => view(await call<SiteView>('GET', `/sites/${seg(id)}`)),
    updateSite: async (id, patch) => view(await call<SiteView>('PATCH', `/sites/${seg(id)}`, patch)),
    rotateSecret: (siteId, kind) => call<RotatedSecretView>('POST', `/sites/${seg(siteId)}/secrets/${seg(kind)}/rotate`),
    setThreadMode: async (siteId, key, mode) => {
      await call('PATCH', `/sites/${seg(siteId)}/threads/${seg(key)}`, { mode });
    },

    createToken: async (siteId, label, role) => {
      const created = await call<CreatedToken>('POST', '/tokens', { ...(siteId === null ? { admin: true } : { site: siteId, role }), ...(label === null ? {} : { label }) });
      return { id: created.id, token: created.token, role: created.role };
    },
    listTokens: async (siteId) => (await call<{ tokens: TokenView[] }>('GET', `/tokens${siteId === undefined ? '' : `?site=${seg(siteId)}`}`)).tokens,
    revokeToken: async (id) => {
      try {
        await request('DELETE', `/tokens/${seg(id)}`);
        return true;
      } catch (e) {
        if (e instanceof RemoteError && e.status === 404 && e.code === 'not_found') return false;
        throw e;
      }
    },

    removalsCsv: async (siteId, from, to) => {
      const query = new URLSearchParams({ ...(from ? { from } : {}), ...(to ? { to } : {}) }).toString();
      return (await request('GET', `/sites/${seg(siteId)}/removals.csv${query ? `?${query}` : ''}`)).text();
    },
    privacyExport: (email) => call<PrivacyExport>('POST', '/privacy/export', { email }),
    privacyErase: (email) => call<PrivacyErased>('POST', '/privacy/erase', { email }),
    exportSite: (siteId) => call<SiteExport>('GET', `/sites/${seg(siteId)}/export`),

    async importData(siteId, data) {
      // Parents written by earlier batches: sourceId → Taliq id, from each batch's answer.
      const ids = new Map<string, string>();
      const threads = new Set<string>();
      const total: ImportResult = { threads: 0, comments: 0, existing: 0, skipped: data.skipped.length };
      let sent = 0;
      for (const batch of importBatches(data)) {
        const parents = Object.fromEntries(batch.outside.flatMap((s) => (ids.has(s) ? [[s, ids.get(s)!]] : [])));
        const body: ImportBatchInput = {
          source: data.source,
          threads: batch.threads,
          comments: batch.comments.map(wireComment),
          ...(Object.keys(parents).length ? { parents } : {}),
        };
        let result: ImportBatchResult;
        try {
          result = await call<ImportBatchResult>('POST', `/sites/${seg(siteId)}/import`, body);
        } catch (e) {
          if (!(e instanceof RemoteError) || sent === 0) throw e;
          throw new RemoteError(`${e.message}. The import stopped after ${sent} of ${data.comments.length} comments; run it again to finish (what is imported already is not imported twice)`, e.status, e.code, e.issues);
        }
        for (const [s, id] of Object.entries(result.ids)) ids.set(s, id);
        for (const t of batch.threads) threads.add(t.key);
        total.comments += result.comments;
        total.existing += result.existing;
        total.skipped += result.skipped;
        sent += batch.comments.length;
      }
      total.threads = threads.size;
      return total;
    },

    close: async () => {},
  };
}
