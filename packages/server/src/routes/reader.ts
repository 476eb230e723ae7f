/**
 * Reader routes under /api/v1: read a thread, post, see one's own pending comments, edit and
 * delete within the edit window, counts. CORS is answered for the site's registered origins only.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { EditComment, LIMITS, ListQuery, NewComment, ReceiptsQuery, SiteId, ThreadKey } from '../../../shared/src/index.js';
import type { CommentPage, MoreReplies, PageComment, PostedComment, RepliesPage, Sort } from '../../../shared/src/index.js';
import { REPLIES_PER_PAGE, type Cursor, type ListedComment, type Site, type Thread } from '../store/store.js';
import { ApiError, notFound } from '../errors.js';
import { validate } from '../validate.js';
import type { Services } from '../context.js';
import { commentForEdit, decodeCursor, editComment, editTokenFor, encodeCursor, identify, isClosed, postComment, requireSite, sortOrder, verifyEditToken } from '../comments.js';
import { NewReport, ServerId } from '../../../shared/src/index.js';
import { announce } from '../webhook.js';
import { verifySsoToken } from '../sso.js';
import { identifyUser, idempotencyScope } from '../comments.js';
import { renderThreadHtml, type MoreLinks } from '../render-html.js';
import { enforceLimit } from '../abuse/limits.js';
import { createChallenge, verifySolution } from '../abuse/pow.js';
import { formSignals, formToken } from '../abuse/spam-signals.js';
import type { Context } from 'hono';
import type { StatusCode } from 'hono/utils/http-status';
import { normalizeOrigin, readerCors } from '../middleware/cors.js';
import { toModerator, toOwn, toPublic } from '../views.js';
import type { CachedPage } from '../page-cache.js';

const ThreadParams = z.object({ site: SiteId, thread: ThreadKey });
const SiteParams = z.object({ site: SiteId });
const IdParams = z.object({ id: ServerId });
const CountsQuery = z.strictObject({
  threads: z.string().max(LIMITS.threadKeyMax * 50).transform((s) => [...new Set(s.split(',').filter(Boolean))]).pipe(z.array(ThreadKey).min(1).max(50)),
});
const NewVote = z.strictObject({ value: z.union([z.literal(1), z.literal(-1), z.literal(0)]) });
const EventsQuery = z.strictObject({ after: z.string().regex(/^\d{1,15}$/).optional() });
const HtmlQuery = z.strictObject({ sort: z.enum(['newest', 'oldest', 'popular']).default('oldest') });
const RootParams = z.object({ site: SiteId, thread: ThreadKey, id: ServerId });
const RepliesQuery = z.strictObject({ cursor: z.string().max(500).optional() });
const IdempotencyKey = z.string().regex(/^[\x21-\x7E]{1,100}$/).optional();

const encoder = new TextEncoder();

/** Whether an Accept-Encoding value takes gzip: named (or `*`) with a weight above 0, so `gzip;q=0` is a no. */
export function acceptsGzip(header: string | undefined): boolean {
  let named: boolean | undefined;
  let any = false;
  for (const part of (header ?? '').split(',')) {
    const [coding, ...params] = part.split(';').map((x) => x.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    const ok = Number.isFinite(weight) && weight > 0;
    if (coding === 'gzip' || coding === 'x-gzip') named = (named ?? false) || ok;
    else if (coding === '*') any = ok;
  }
  return named ?? any;
}

/**
 * comments.html is inert: nothing in it may load or run (its JSON-LD is data, which CSP does not
 * block), and only the site's registered origins may frame it.
 */
export function htmlPolicy(origins: readonly string[]): string {
  // Stored origins are bare scheme://host[:port]; anything else could not be a source here.
  const sources = origins.map(normalizeOrigin).filter((o) => /^https?:\/\/[^\s;,']+$/.test(o));
  return `default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors ${sources.length ? sources.join(' ') : "'none'"}`;
}

/** The headers of the thread's HTML pages (see htmlPolicy). */
function htmlHeaders(c: Context, site: Site) {
  c.header('Cache-Control', 'public, max-age=60');
  c.header('Content-Type', 'text/html; charset=UTF-8');
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Content-Security-Policy', htmlPolicy(site.settings.origins));
}

/** Absolute: the HTML is put inside a publisher's page, where a relative link would point at the publisher. */
const repliesHtml = (c: Context, site: string, key: string, id: string, cursor: string) =>
  `${new URL(c.req.url).origin}/api/v1/sites/${encodeURIComponent(site)}/threads/${encodeURIComponent(key)}/comments/${encodeURIComponent(id)}/replies.html?cursor=${encodeURIComponent(cursor)}`;

/** Cursors of one comment's replies: valid for that comment only. */
const repliesOrder = (rootId: string) => `replies:${rootId}`;

/** Pages past this size go gzipped to clients that accept it (where the runtime does not compress itself). */
const COMPRESS_FROM = 1024;

export function readerRoutes(s: Services) {
  const sendPage = async (c: Context, page: CachedPage) => {
    if (!s.compress) return c.body(page.body);
    // Appended: the CORS middleware's `Vary: Origin` must stay, or a shared cache hands one origin's answer to another.
    c.header('Vary', 'Accept-Encoding', { append: true });
    if (page.body.byteLength < COMPRESS_FROM || !acceptsGzip(c.req.header('accept-encoding'))) return c.body(page.body);
    c.header('Content-Encoding', 'gzip');
    return c.body(await page.gzipped());
  };

  const app = new Hono();
  const reader = (c: Context) => identify(s, c.req.header('taliq-reader'), s.clientIp(c));

  app.use('/sites/:site/*', readerCors(s, async (c) => c.req.param('site') ?? null));
  app.use('/comments/:id', readerCors(s, async (c) => (await s.store.getComment(c.req.param('id') ?? ''))?.siteId ?? null));
  app.use('/comments/:id/*', readerCors(s, async (c) => (await s.store.getComment(c.req.param('id') ?? ''))?.siteId ?? null));

  app.get('/sites/:site/threads/:thread/comments', validate('param', ThreadParams), validate('query', ListQuery), async (c) => {
    const { site: siteId, thread: key } = c.req.valid('param');
    const { sort, limit, cursor } = c.req.valid('query');
    const site = await requireSite(s, siteId);
    const after = await decodeCursor(s, sortOrder(sort), cursor);
    c.header('Cache-Control', 'no-cache');
    c.header('Content-Type', 'application/json; charset=UTF-8');
    // The whole answer, form token included, is kept encoded for the rest of the second.
    const token = await formToken(s, site.id);
    const cacheKey = after ? null : `${siteId}\n${key}\n${sort}\n${limit}\n${token}`;
    let page = cacheKey ? s.pages.get(cacheKey, Date.now()) : undefined;
    if (!page) {
      // (The cast: Workers' types answer Uint8Array<ArrayBufferLike> from encode().)
      const body = encoder.encode(JSON.stringify({ ...(await threadPage(site, key, sort, limit, after)), formToken: token } satisfies CommentPage)) as Uint8Array<ArrayBuffer>;
      page = s.pages.set(cacheKey, body, Date.now());
    }
    return sendPage(c, page);
  });

  async function threadPage(site: Site, key: string, sort: Sort, limit: number, after: Cursor | null): Promise<Omit<CommentPage, 'formToken'>> {
    const info = { editWindowSeconds: site.settings.editWindowSeconds, proofOfWork: site.settings.proofOfWork };
    const thread = await s.store.getThread(site.id, key);
    if (!thread) return { thread: { key, title: null, url: null, count: 0, closed: false, ...info }, comments: [], nextCursor: null };
    const [page, count] = await Promise.all([s.store.listThread(thread.id, sort, limit, after), s.store.countApproved(thread.id)]);
    const more = await moreReplies(page.top, page.replies, page.moreReplies);
    return {
      thread: { key, title: thread.title, url: thread.url, count, closed: isClosed(thread, site.settings, s.now()), ...info },
      comments: [...page.top.map((c): PageComment => (more[c.id] ? { ...toPublic(c), moreReplies: more[c.id] } : toPublic(c))), ...page.replies.map(toPublic)],
      nextCursor: await encodeCursor(s, sortOrder(sort), page.next),
    };
  }

  /** For each top-level comment with replies past the page: how many, and the cursor after its last one shown. */
  async function moreReplies(top: ListedComment[], replies: ListedComment[], counts: Record<string, number>): Promise<Record<string, MoreReplies>> {
    const out: Record<string, MoreReplies> = {};
    for (const c of top) {
      if (!counts[c.id]) continue;
      const last = replies.findLast((r) => r.rootId === c.id);
      if (last) out[c.id] = { count: counts[c.id], cursor: (await encodeCursor(s, repliesOrder(c.id), { t: last.createdAt, id: last.id }))! };
    }
    return out;
  }

  /** The approved top-level comment `id` of the thread, whose replies a reader pages through; else 404. */
  async function rootOf(site: Site, key: string, id: string): Promise<{ thread: Thread; root: ListedComment }> {
    const [thread, root] = await Promise.all([s.store.getThread(site.id, key), s.store.getComment(id)]);
    if (!thread || !root || root.threadId !== thread.id || root.status !== 'approved' || root.parentId) throw notFound('comment', id);
    return { thread, root };
  }

  async function repliesPage(rootId: string, cursor: string | undefined): Promise<{ replies: ListedComment[]; more: MoreReplies | null }> {
    const page = await s.store.listReplies(rootId, await decodeCursor(s, repliesOrder(rootId), cursor), REPLIES_PER_PAGE);
    const next = await encodeCursor(s, repliesOrder(rootId), page.next);
    return { replies: page.replies, more: next ? { count: page.more, cursor: next } : null };
  }

  // The replies of one top-level comment past the thread page's bound (REPLIES_PER_PAGE each).
  app.get('/sites/:site/threads/:thread/comments/:id/replies', validate('param', RootParams), validate('query', RepliesQuery), async (c) => {
    const { site: siteId, thread: key, id } = c.req.valid('param');
    const site = await requireSite(s, siteId);
    await rootOf(site, key, id);
    const page = await repliesPage(id, c.req.valid('query').cursor);
    c.header('Cache-Control', 'no-cache');
    return c.json({ comments: page.replies.map(toPublic), moreReplies: page.more } satisfies RepliesPage);
  });

  // The same as HTML, for comments.html's "more replies" links: the comment, its next replies, a link to the rest.
  app.get('/sites/:site/threads/:thread/comments/:id/replies.html', validate('param', RootParams), validate('query', RepliesQuery), async (c) => {
    const { site: siteId, thread: key, id } = c.req.valid('param');
    const site = await requireSite(s, siteId);
    const { thread, root } = await rootOf(site, key, id);
    const page = await repliesPage(id, c.req.valid('query').cursor);
    htmlHeaders(c, site);
    const more: MoreLinks = page.more ? { [id]: { count: page.more.count, href: repliesHtml(c, siteId, key, id, page.more.cursor) } } : {};
    return c.body(renderThreadHtml(thread, key, [root], page.replies, more));
  });

  app.post('/sites/:site/threads/:thread/comments', validate('param', ThreadParams), validate('json', NewComment), async (c) => {
    const { site: siteId, thread: threadKey } = c.req.valid('param');
    const idem = IdempotencyKey.safeParse(c.req.header('idempotency-key'));
    if (!idem.success) throw new ApiError(400, 'bad_request', 'Idempotency-Key must be 1–100 visible ASCII characters');
    const site = await requireSite(s, siteId);
    const origin = c.req.header('origin');
    const user = await verifySsoToken(s, site.id, c.req.header('taliq-token'));
    const who = user ? await identifyUser(s, user, s.clientIp(c)) : await reader(c);
    // A missing or wrong proof of work is refused before the rate limit counts anything.
    if (site.settings.proofOfWork && !(await verifySolution(s, site.id, c.req.header('taliq-pow')))) {
      throw new ApiError(403, 'forbidden', 'This site asks for a solved challenge (GET /sites/{site}/challenge) in the Taliq-Pow header');
    }
    const { website, ...input } = c.req.valid('json');
    const { comment, thread, created } = await postComment(s, {
      site,
      threadKey,
      // A signed-in reader writes under the name and identity the publisher vouches for.
      input: user ? { ...input, author: { name: user.name, email: user.email ?? input.author.email } } : input,
      user,
      fromRegisteredOrigin: !!origin && site.settings.origins.includes(normalizeOrigin(origin)),
      // Scoped to the reader: one reader's key never answers with another's comment.
      idempotencyKey: idem.data ? await idempotencyScope(s, idem.data, who, s.clientIp(c), c.req.header('taliq-form')) : null,
      reader: who,
      signals: await formSignals(s, site.id, c.req.header('taliq-form'), website),
      spend: () => enforceLimit(s, site, 'posts', who.readerId, s.clientIp(c)),
    });
    if (!created) c.header('Idempotent-Replayed', 'true');
    else if (comment.flagged) await announce(s, site, 'comment.flagged', toModerator(comment, thread));
    else if (comment.status === 'pending') await announce(s, site, 'comment.pending', toModerator(comment, thread));
    return c.json({ comment: toOwn(comment), editToken: await editTokenFor(s, comment.id) } satisfies PostedComment, 201);
  });

  // The reader's own comments, by the receipts (edit tokens) the widget kept: a pending comment
  // stays visible to its author after a reload, and to nobody else.
  app.post('/sites/:site/threads/:thread/comments/mine', validate('param', ThreadParams), validate('json', ReceiptsQuery), async (c) => {
    const { site: siteId, thread: key } = c.req.valid('param');
    const site = await requireSite(s, siteId);
    const thread = await s.store.getThread(site.id, key);
    const ids = (await Promise.all(c.req.valid('json').receipts.map((r) => verifyEditToken(s, r)))).filter((id): id is string => !!id);
    const comments = thread ? await s.store.getComments(ids) : [];
    return c.json({
      comments: comments.filter((x) => x.threadId === thread!.id && x.status !== 'deleted').sort((a, b) => b.createdAt - a.createdAt).map(toOwn),
    });
  });

  app.patch('/comments/:id', validate('param', IdParams), validate('json', EditComment), async (c) => {
    const { id } = c.req.valid('param');
    const { comment, site } = await commentForEdit(s, id, c.req.header('authorization'));
    const user = await verifySsoToken(s, site.id, c.req.header('taliq-token'));
    const who = user ? await identifyUser(s, user, s.clientIp(c)) : await reader(c);
    const edited = await editComment(s, comment, site, c.req.valid('json').body, who, () => enforceLimit(s, site, 'edits', who.readerId, s.clientIp(c)));
    return c.json({ comment: toOwn(edited) });
  });

  app.delete('/comments/:id', validate('param', IdParams), async (c) => {
    const { id } = c.req.valid('param');
    await commentForEdit(s, id, c.req.header('authorization'));
    await s.store.setStatus([id], 'deleted', { actor: 'author', at: s.now() });
    return c.body(null, 204);
  });

  // A reader reports a comment; at the site's threshold it joins the flagged queue.
  app.post('/comments/:id/reports', validate('param', IdParams), validate('json', NewReport), async (c) => {
    const { id } = c.req.valid('param');
    const comment = await s.store.getComment(id);
    if (!comment || comment.status !== 'approved') throw notFound('comment', id);
    const site = await requireSite(s, comment.siteId);
    const user = await verifySsoToken(s, site.id, c.req.header('taliq-token'));
    const who = user ? await identifyUser(s, user, s.clientIp(c)) : await reader(c);
    await enforceLimit(s, site, 'reports', who.readerId, s.clientIp(c));
    const { reason, note } = c.req.valid('json');
    const result = await s.store.addReport({ commentId: id, readerId: who.readerId ?? who.ipHash ?? 'unknown', reason, note: note ?? null, at: s.now() }, site.settings.reportThreshold);
    if (result.newlyFlagged) {
      const flagged = (await s.store.getComment(id))!;
      await announce(s, site, 'comment.flagged', toModerator(flagged, await s.store.getThreadById(flagged.threadId)));
    }
    return c.json({ received: true }, 202);
  });

  // A proof-of-work challenge, for sites that ask for one.
  app.get('/sites/:site/challenge', validate('param', SiteParams), async (c) => {
    const site = await requireSite(s, c.req.valid('param').site);
    c.header('Cache-Control', 'no-store');
    return c.json(await createChallenge(s, site.id));
  });

  // One vote per reader identity; 0 takes the vote back.
  app.put('/comments/:id/vote', validate('param', IdParams), validate('json', NewVote), async (c) => {
    const { id } = c.req.valid('param');
    const comment = await s.store.getComment(id);
    if (!comment || comment.status !== 'approved') throw notFound('comment', id);
    const user = await verifySsoToken(s, comment.siteId, c.req.header('taliq-token'));
    const who = user ? await identifyUser(s, user, s.clientIp(c)) : await reader(c);
    if (!who.readerId) throw new ApiError(400, 'bad_request', 'Votes need a reader identity (the Taliq-Reader header)');
    await enforceLimit(s, (await requireSite(s, comment.siteId)), 'votes', who.readerId, s.clientIp(c));
    return c.json(await s.store.vote(id, who.readerId, c.req.valid('json').value, s.now()));
  });

  // Live updates: approved, edited and removed comments of one thread, as server-sent events.
  app.get('/sites/:site/threads/:thread/events', validate('param', ThreadParams), validate('query', EventsQuery), async (c) => {
    const { site: siteId, thread: key } = c.req.valid('param');
    await requireSite(s, siteId);
    const lastSeen = c.req.header('last-event-id') ?? c.req.valid('query').after;
    // The runtime's stream, with the headers set so far (CORS) kept on it.
    const res = await s.liveEvents(c, siteId, key, lastSeen);
    for (const [k, v] of res.headers) c.header(k, v);
    return c.newResponse(res.body, res.status as StatusCode);
  });

  // The approved thread as escaped HTML with JSON-LD, for search engines and readers without JavaScript.
  app.get('/sites/:site/threads/:thread/comments.html', validate('param', ThreadParams), validate('query', HtmlQuery), async (c) => {
    const { site: siteId, thread: key } = c.req.valid('param');
    const { sort } = c.req.valid('query');
    const site = await requireSite(s, siteId);
    htmlHeaders(c, site);
    // Kept like the JSON page: a crawler's burst, or a publisher's server fetching it for every
    // article view, reads the store about once a second. Its links name the host asked.
    const cacheKey = `html\n${new URL(c.req.url).origin}\n${siteId}\n${key}\n${sort}`;
    let page = s.pages.get(cacheKey, Date.now());
    if (!page) {
      const thread = await s.store.getThread(siteId, key);
      const list = thread ? await s.store.listThread(thread.id, sort, LIMITS.pageMax, null) : { top: [], replies: [], moreReplies: {} };
      const more: MoreLinks = {};
      for (const [rootId, m] of Object.entries(await moreReplies(list.top, list.replies, list.moreReplies))) {
        more[rootId] = { count: m.count, href: repliesHtml(c, siteId, key, rootId, m.cursor) };
      }
      page = s.pages.set(cacheKey, encoder.encode(renderThreadHtml(thread, key, list.top, list.replies, more)) as Uint8Array<ArrayBuffer>, Date.now());
    }
    return sendPage(c, page);
  });

  app.get('/sites/:site/counts', validate('param', SiteParams), validate('query', CountsQuery), async (c) => {
    const site = await requireSite(s, c.req.valid('param').site);
    // No prototype: a thread keyed `__proto__` is a key like any other.
    const counts: Record<string, number> = Object.create(null);
    for (const key of c.req.valid('query').threads) {
      const thread = await s.store.getThread(site.id, key);
      counts[key] = thread ? await s.store.countApproved(thread.id) : 0;
    }
    c.header('Cache-Control', 'public, max-age=60');
    return c.json({ counts });
  });

  return app;
}
