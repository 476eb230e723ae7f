/**
 * Moderation routes under /api/v1/admin, for a site's token (owner or moderator) or an admin
 * token (every site). Each route starts with its rule from `access` (moderators.ts), decided
 * before anything is validated. Every action and settings change is written to the audit log;
 * decisions on comments are moderation/service.ts's, the routes only parse, authorize and answer.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { BulkModerate, DEFAULT_SETTINGS, LIMITS, Moderate, QueueQuery, SiteId, SiteSettings, SiteSettingsPatch } from '../../../shared/src/index.js';
import { NewBan, ServerId, ThreadKey } from '../../../shared/src/index.js';
import type { Me, ModeratorComment, QueuePage } from '../../../shared/src/index.js';
import { normalizeText } from '../moderation/normalize.js';
import { randomHex } from '../crypto.js';
import { assertCallableSettings } from '../net/called-urls.js';
import { rotateSecret, SECRET_KINDS, siteSecret, type RotatedSecret } from '../site-secrets.js';
import { removalsCsv } from '../removals-csv.js';
import { ApiError, notFound, zodIssues } from '../errors.js';
import { validate } from '../validate.js';
import type { Services } from '../context.js';
import { decodeCursor, encodeCursor, requireSite } from '../comments.js';
import { access, assertScope, requireModerator, type Moderator } from '../moderators.js';
import { sameOriginOnly } from '../middleware/cors.js';
import type { Ban, StoredComment, Thread } from '../store/store.js';
import { toModerator } from '../views.js';
import { commentsToModerate, moderateComment, moderateComments } from '../moderation/service.js';

const SiteParams = z.object({ site: SiteId });
const IdParams = z.object({ id: ServerId });
const AuditQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(LIMITS.pageMax).default(50),
  before: z.coerce.number().int().positive().optional(),
});
const ThreadPatch = z.strictObject({ mode: z.enum(['open', 'pre', 'post', 'closed']) });
const day = z.iso.date().transform((d) => Date.parse(`${d}T00:00:00Z`));
const RemovalsQuery = z
  .strictObject({ from: day.optional(), to: day.optional() })
  .transform(({ from, to }) => ({ from: from ?? 0, to: to === undefined ? Number.MAX_SAFE_INTEGER : to + 24 * 3600 * 1000 }));
const NewSite = z.strictObject({ id: SiteId, settings: SiteSettingsPatch.optional() });
const SecretKindParam = z.object({ kind: z.enum(SECRET_KINDS) });

/** Stored origins are bare `scheme://host[:port]`, whatever path the moderator typed. */
export const withCanonicalOrigins = <T extends { origins?: string[] }>(settings: T): T =>
  settings.origins ? { ...settings, origins: [...new Set(settings.origins.map((o) => new URL(o).origin))] } : settings;

/** The comments a bulk body names, when it names some: scoped before the body's shape is checked. */
const namedIds = (body: unknown): string[] => {
  const ids = body && typeof body === 'object' ? (body as { ids?: unknown }).ids : undefined;
  if (!Array.isArray(ids)) return [];
  return [...new Set(ids.filter((id): id is string => ServerId.safeParse(id).success))].slice(0, LIMITS.pageMax);
};

export function adminRoutes(s: Services) {
  const app = new Hono<{ Variables: { moderator: Moderator; comment: StoredComment } }>();
  app.use('*', sameOriginOnly(), requireModerator(s));

  /** Each comment with its thread and, for a reply, its parent; each thread loaded once. */
  async function withThreads(comments: StoredComment[]) {
    const threads = new Map<number, Thread | null>();
    for (const c of comments) if (!threads.has(c.threadId)) threads.set(c.threadId, await s.store.getThreadById(c.threadId));
    const parentIds = [...new Set(comments.map((c) => c.parentId).filter((id): id is string => !!id))];
    const parents = new Map((await s.store.getComments(parentIds)).map((p) => [p.id, p]));
    return comments.map((c) => {
      const view: ModeratorComment = toModerator(c, threads.get(c.threadId) ?? null);
      const p = c.parentId ? parents.get(c.parentId) : undefined;
      return p ? { ...view, parent: { id: p.id, author: { name: p.authorName }, body: p.body } } : view;
    });
  }

  app.get('/sites/:site/comments', access.moderator, validate('param', SiteParams), validate('query', QueueQuery), async (c) => {
    const { site: siteId } = c.req.valid('param');
    await requireSite(s, siteId);
    const { status, limit, cursor, q } = c.req.valid('query');
    const order = `queue:${status}:${q ?? ''}`;
    const page = await s.store.listQueue(siteId, status, limit, await decodeCursor(s, order, cursor), (q && normalizeText(q)) || null);
    return c.json({
      comments: await withThreads(page.items),
      nextCursor: await encodeCursor(s, order, page.next),
      counts: await s.store.queueCounts(siteId),
    } satisfies QueuePage);
  });

  app.post('/comments/moderate', access.anyModerator, async (c, next) => {
    // Every named comment's site, before the body's shape: another site's id is 403 whatever the rest says.
    for (const comment of await s.store.getComments(namedIds(await c.req.json().catch(() => null)))) assertScope(c, comment.siteId);
    return next();
  }, validate('json', BulkModerate), async (c) => {
    const m = c.get('moderator');
    const { ids, action, reason } = c.req.valid('json');
    // Every scope before anything is missing or changed: a bulk action is all or nothing.
    const found = await commentsToModerate(s, ids, (comment) => assertScope(c, comment.siteId));
    return c.json({ comments: await withThreads(await moderateComments(s, m, found, { action, reason })) });
  });

  app.post('/comments/:id/moderate', access.anyModerator, validate('param', IdParams), async (c, next) => {
    const { id } = c.req.valid('param');
    const comment = await s.store.getComment(id);
    if (!comment) throw notFound('comment', id);
    // The comment's site, right after the lookup and before the body is read.
    assertScope(c, comment.siteId);
    c.set('comment', comment);
    return next();
  }, validate('json', Moderate), async (c) => {
    const { action, reason } = c.req.valid('json');
    const updated = await moderateComment(s, c.get('moderator'), c.get('comment'), { action, reason });
    return c.json({ comment: (await withThreads([updated]))[0] });
  });

  // Who the token is: the dashboard checks a token with this at sign-in.
  app.get('/me', access.anyModerator, async (c) => {
    const m = c.get('moderator');
    const sites = m.siteId ? [m.siteId] : (await s.store.listSites()).map((x) => x.id);
    return c.json({ actor: m.actor, siteId: m.siteId, role: m.role, sites } satisfies Me);
  });

  app.get('/sites', access.anyModerator, async (c) => {
    const m = c.get('moderator');
    const sites = await s.store.listSites();
    return c.json({ sites: sites.filter((x) => m.siteId === null || x.id === m.siteId).map((x) => ({ id: x.id, settings: x.settings })) });
  });

  app.post('/sites', access.admin, validate('json', NewSite), async (c) => {
    const m = c.get('moderator');
    const { id, settings } = c.req.valid('json');
    await assertCallableSettings(s, settings ?? {});
    const site = await s.store.createSite(id, { ...DEFAULT_SETTINGS, ...withCanonicalOrigins(settings ?? {}) });
    await s.store.addAudit({ siteId: id, actor: m.actor, action: 'site.create', target: id, before: null, after: site.settings, at: s.now() });
    return c.json({ id: site.id, settings: site.settings }, 201);
  });

  app.get('/sites/:site', access.moderator, validate('param', SiteParams), async (c) => {
    const { site: siteId } = c.req.valid('param');
    const site = await requireSite(s, siteId);
    // Secrets are the owners': a moderator token reads the settings only.
    if (c.get('moderator').role !== 'owner') return c.json({ id: site.id, settings: site.settings });
    const [webhook, sso] = await Promise.all([siteSecret(s, site.id, 'webhook'), siteSecret(s, site.id, 'sso')]);
    return c.json({ id: site.id, settings: site.settings, webhookSecret: webhook!.secret, ssoSecret: sso!.secret });
  });

  // A new random secret; the replaced one still verifies for the grace period (site-secrets.ts).
  app.post('/sites/:site/secrets/:kind/rotate', access.owner, validate('param', SiteParams.extend({ kind: z.string() })), async (c) => {
    const { site: siteId, kind: rawKind } = c.req.valid('param');
    const m = c.get('moderator');
    // 422, not the 400 of a malformed path: the path is fine, the kind is not one we have.
    const kind = SecretKindParam.safeParse({ kind: rawKind });
    if (!kind.success) throw new ApiError(422, 'validation_failed', `Sites have no "${rawKind.slice(0, 40)}" secret: the kinds are ${SECRET_KINDS.join(' and ')}`, zodIssues(kind.error));
    await requireSite(s, siteId);
    const rotated = await rotateSecret(s, siteId, kind.data.kind, m.actor);
    if (!rotated) throw notFound('site', siteId);
    return c.json(rotatedView(rotated));
  });

  app.patch('/sites/:site', access.owner, validate('param', SiteParams), validate('json', SiteSettingsPatch), async (c) => {
    const { site: siteId } = c.req.valid('param');
    const m = c.get('moderator');
    const site = await requireSite(s, siteId);
    const patch = withCanonicalOrigins(c.req.valid('json'));
    const next = SiteSettings.parse({ ...site.settings, ...patch });
    await assertCallableSettings(s, patch);
    const updated = await s.store.updateSiteSettings(siteId, next);
    const before = Object.fromEntries(Object.keys(patch).map((k) => [k, site.settings[k as keyof typeof site.settings]]));
    await s.store.addAudit({ siteId, actor: m.actor, action: 'site.settings', target: siteId, before, after: patch, at: s.now() });
    return c.json({ id: updated.id, settings: updated.settings });
  });

  app.get('/sites/:site/audit', access.moderator, validate('param', SiteParams), validate('query', AuditQuery), async (c) => {
    const { site: siteId } = c.req.valid('param');
    await requireSite(s, siteId);
    const { limit, before } = c.req.valid('query');
    const entries = await s.store.listAudit(siteId, limit, before ?? null);
    return c.json({
      entries: entries.map((e) => ({ ...e, at: new Date(e.at).toISOString() })),
      nextBefore: entries.length === limit ? entries[entries.length - 1].id : null,
    });
  });

  // ---- bans ----------------------------------------------------------------------------------

  app.post('/sites/:site/bans', access.moderator, validate('param', SiteParams), validate('json', NewBan), async (c) => {
    const { site: siteId } = c.req.valid('param');
    const m = c.get('moderator');
    await requireSite(s, siteId);
    const input = c.req.valid('json');
    // A ban takes the reader; the address they last wrote from only when asked, since one carrier
    // address can be thousands of readers.
    const ipHash = input.ip ? (await s.store.lastCommentBy(siteId, input.readerId))?.ipHash : null;
    if (input.ip && !ipHash) {
      throw new ApiError(422, 'validation_failed', 'No address is known for this reader: their latest comment is older than 30 days', [
        { path: ['ip'], code: 'invalid_value', message: 'No address known for this reader' },
      ]);
    }
    const ban: Ban = {
      id: randomHex(6), siteId, readerId: input.readerId, ipHash: ipHash ?? null, coversIp: !!input.ip, shadow: input.shadow ?? false,
      reason: input.reason ?? null, expiresAt: input.expiresAt ? Date.parse(input.expiresAt) : null,
      createdAt: s.now(), createdBy: m.actor, liftedAt: null,
    };
    await s.store.createBan(ban);
    await s.store.addAudit({ siteId, actor: m.actor, action: 'reader.ban', target: input.readerId, before: null, after: { shadow: ban.shadow, ip: ban.coversIp, expiresAt: input.expiresAt ?? null, reason: ban.reason }, at: s.now() });
    return c.json({ ban: banView(ban) }, 201);
  });

  app.get('/sites/:site/bans', access.moderator, validate('param', SiteParams), async (c) => {
    const { site: siteId } = c.req.valid('param');
    await requireSite(s, siteId);
    return c.json({ bans: (await s.store.listBans(siteId)).map(banView) });
  });

  app.delete('/sites/:site/bans/:id', access.moderator, validate('param', SiteParams.extend({ id: ServerId })), async (c) => {
    const { site: siteId, id } = c.req.valid('param');
    const m = c.get('moderator');
    if (!(await s.store.liftBan(siteId, id, s.now()))) throw new ApiError(404, 'not_found', `No ban ${id} in force`);
    await s.store.addAudit({ siteId, actor: m.actor, action: 'reader.unban', target: id, before: null, after: null, at: s.now() });
    return c.body(null, 204);
  });

  // ---- threads: per-thread moderation mode ----------------------------------------------------

  app.patch('/sites/:site/threads/:thread', access.moderator, validate('param', SiteParams.extend({ thread: ThreadKey })), validate('json', ThreadPatch), async (c) => {
    const { site: siteId, thread: key } = c.req.valid('param');
    const m = c.get('moderator');
    await requireSite(s, siteId);
    const thread = await s.store.getThread(siteId, key);
    if (!thread) throw notFound('thread', key);
    const { mode } = c.req.valid('json');
    await s.store.setThreadMode(thread.id, mode);
    await s.store.addAudit({ siteId, actor: m.actor, action: 'thread.mode', target: key, before: { mode: thread.mode }, after: { mode }, at: s.now() });
    return c.json({ thread: { key, title: thread.title, url: thread.url, mode } });
  });

  // ---- removal register, as CSV for a date range ---------------------------------------------

  app.get('/sites/:site/removals.csv', access.moderator, validate('param', SiteParams), validate('query', RemovalsQuery), async (c) => {
    const { site: siteId } = c.req.valid('param');
    await requireSite(s, siteId);
    const { from, to } = c.req.valid('query');
    const rows = await s.store.listRemovals(siteId, from, to);
    c.header('Content-Type', 'text/csv; charset=utf-8');
    c.header('Content-Disposition', `attachment; filename="taliq-removals-${siteId}.csv"`);
    return c.body(removalsCsv(rows));
  });

  return app;
}

export const rotatedView = (r: RotatedSecret) => ({
  kind: r.kind, secret: r.secret, rotatedAt: new Date(r.rotatedAt).toISOString(),
  previousValidUntil: r.previousValidUntil === null ? null : new Date(r.previousValidUntil).toISOString(),
});

const banView = (b: Ban) => ({
  id: b.id, readerId: b.readerId, shadow: b.shadow, ip: b.coversIp, reason: b.reason,
  expiresAt: b.expiresAt ? new Date(b.expiresAt).toISOString() : null,
  createdAt: new Date(b.createdAt).toISOString(), createdBy: b.createdBy,
  liftedAt: b.liftedAt ? new Date(b.liftedAt).toISOString() : null,
});

