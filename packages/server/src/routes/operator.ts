/**
 * Operator routes under /api/v1/admin: what `taliq` needs to administer a deployment over HTTP
 * (a Worker has no local store to open). Tokens, a reader's privacy requests, a site's export and
 * imports. Who may call what:
 *   - an admin token (TALIQ_ADMIN_TOKEN, or `tokens create --admin`): everything;
 *   - a site's owner token, for its own site only: its tokens (create, list, revoke), its export
 *     and imports. A moderator token: none of these. Privacy requests span every site: admin only.
 * Authorization is decided before the body is read (each route's first handler is its rule from
 * `access`), so a token for another site gets 403 whatever it sends. Every change is written to
 * the audit log.
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { ImportBatch, NewToken, PrivacyRequest, ServerId, SiteId, TokenQuery } from '../../../shared/src/index.js';
import type { CreatedToken, ImportBatchResult } from '../../../shared/src/index.js';
import { ApiError } from '../errors.js';
import { validate } from '../validate.js';
import type { Services } from '../context.js';
import { requireSite } from '../comments.js';
import { access, assertScope, issueToken, requireModerator, revokeTokenById, tokenView, type Moderator } from '../moderators.js';
import { sameOriginOnly } from '../middleware/cors.js';
import { eraseByEmail, exportByEmail } from '../privacy.js';
import { exportSite } from '../importers/export.js';
import { importBatch, type ImportedRef } from '../importers/import.js';

type Env = { Variables: { moderator: Moderator } };

const SiteParams = z.object({ site: SiteId });

/** A site's token may create tokens for its own site only: decided on what the body names, whatever else it holds. */
const mayCreateToken: MiddlewareHandler<Env> = async (c, next) => {
  const m = c.get('moderator');
  if (m.siteId !== null) {
    const body: unknown = await c.req.json().catch(() => null);
    const named = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
    if (named.admin !== undefined || named.site !== m.siteId) {
      throw new ApiError(403, 'forbidden', `This token may create tokens for site "${m.siteId}" only`);
    }
  }
  return next();
};

const noStore = (c: Context) => c.header('Cache-Control', 'no-store');

export function operatorRoutes(s: Services) {
  const app = new Hono<Env>();
  app.use('*', sameOriginOnly(), requireModerator(s));

  // ---- tokens: shown once, stored hashed --------------------------------------------------------

  app.post('/tokens', access.anyOwner, mayCreateToken, validate('json', NewToken), async (c) => {
    const m = c.get('moderator');
    const { site, label, role } = c.req.valid('json');
    if (site !== undefined) await requireSite(s, site);
    const created: CreatedToken = await issueToken(s, site ?? null, label ?? null, m.actor, role);
    noStore(c);
    return c.json(created, 201);
  });

  app.get('/tokens', access.anyOwner, async (c, next) => {
    // Before the query's shape: a site's token asking for another site is refused as such.
    const site = c.req.query('site');
    if (site !== undefined) assertScope(c, site);
    return next();
  }, validate('query', TokenQuery), async (c) => {
    const m = c.get('moderator');
    const site = m.siteId ?? c.req.valid('query').site;
    const tokens = await s.store.listTokens(site);
    return c.json({ tokens: tokens.filter((t) => site === undefined || t.siteId === site).map(tokenView) });
  });

  app.delete('/tokens/:id', access.anyOwner, validate('param', z.object({ id: ServerId })), async (c) => {
    const m = c.get('moderator');
    const { id } = c.req.valid('param');
    const token = (await s.store.listTokens()).find((t) => t.id === id);
    if (!token) throw new ApiError(404, 'not_found', `No active token ${id}`);
    // The site right after the lookup: whether another site's token is still active is not ours to learn.
    if (m.siteId !== null && token.siteId !== m.siteId) throw new ApiError(403, 'forbidden', `Token ${id} is not for site "${m.siteId}"`);
    if (token.revokedAt != null) throw new ApiError(404, 'not_found', `No active token ${id}`);
    if (!(await revokeTokenById(s, token, m.actor))) throw new ApiError(404, 'not_found', `No active token ${id}`);
    return c.body(null, 204);
  });

  // ---- a reader's privacy requests, on every site ---------------------------------------------

  app.post('/privacy/export', access.admin, validate('json', PrivacyRequest), async (c) => {
    noStore(c);
    return c.json(await exportByEmail(s.store, c.req.valid('json').email, s.now()));
  });

  app.post('/privacy/erase', access.admin, validate('json', PrivacyRequest), async (c) => {
    return c.json(await eraseByEmail(s.store, c.req.valid('json').email, c.get('moderator').actor, s.now));
  });

  // ---- a site's export and imports --------------------------------------------------------------

  app.get('/sites/:site/export', access.owner, validate('param', SiteParams), async (c) => {
    const { site } = c.req.valid('param');
    await requireSite(s, site);
    const doc = await exportSite(s.store, site, s.now());
    await s.store.addAudit({ siteId: site, actor: c.get('moderator').actor, action: 'export', target: null, before: null, after: { threads: doc.threads.length, comments: doc.comments.length }, at: s.now() });
    noStore(c);
    return c.json(doc);
  });

  app.post('/sites/:site/import', access.owner, validate('param', SiteParams), validate('json', ImportBatch), async (c) => {
    const { site } = c.req.valid('param');
    await requireSite(s, site);
    const batch = c.req.valid('json');
    // Parents from earlier batches, by id: their thread and root are read from the store, and
    // one of another site is ignored (the reply becomes top-level).
    const named = Object.entries(batch.parents ?? {});
    const stored = named.length ? await s.store.getComments([...new Set(named.map(([, id]) => id))]) : [];
    const found = new Map(stored.filter((p) => p.siteId === site).map((p) => [p.id, p]));
    const parents = new Map<string, ImportedRef>();
    for (const [sourceId, id] of named) {
      const p = found.get(id);
      if (p) parents.set(sourceId, { id: p.id, rootId: p.rootId, threadId: p.threadId });
    }
    const { ids, ...result } = await importBatch(s.store, site, { source: batch.source, threads: batch.threads, comments: batch.comments, skipped: [] }, parents);
    await s.store.addAudit({ siteId: site, actor: c.get('moderator').actor, action: 'import', target: batch.source, before: null, after: result, at: s.now() });
    return c.json({ ...result, ids: Object.fromEntries(ids) } satisfies ImportBatchResult);
  });

  return app;
}
