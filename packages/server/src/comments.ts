/**
 * Reader-side rules: where a new comment goes (pending or approved), who may see or edit it,
 * and how pages are cut. Routes call these; these call the store.
 */
import type { NewComment, Reason, SiteSettings, Sort } from '../../shared/src/index.js';
import type { Status } from '../../shared/src/limits.js';
import { ApiError, notFound } from './errors.js';
import type { Services } from './context.js';
import { randomId } from './crypto.js';
import type { Cursor, Site, StoredComment, Thread } from './store/store.js';

const DAY = 24 * 3600 * 1000;

export async function requireSite(s: Services, siteId: string): Promise<Site> {
  const site = await s.store.getSite(siteId);
  if (!site) throw notFound('site', siteId);
  return site;
}

export function isClosed(thread: Thread, settings: SiteSettings, now: number): boolean {
  if (thread.closed) return true;
  return settings.closeAfterDays != null && now - thread.createdAt > settings.closeAfterDays * DAY;
}

// http(s) links and bare www. links, as a reader would count them.
const LINK = /\bhttps?:\/\/\S+|\bwww\.\S+/gi;
export const countLinks = (body: string) => body.match(LINK)?.length ?? 0;

/** The status a new comment starts in, with the reasons a moderator will see. */
export function initialStatus(settings: SiteSettings, body: string): { status: Status; reasons: Reason[] } {
  const reasons: Reason[] = [];
  const links = countLinks(body);
  if (links > settings.maxLinks) reasons.push({ code: 'links', detail: String(links) });
  if (settings.moderation === 'pre') reasons.unshift({ code: 'premoderation' });
  return { status: reasons.length ? 'pending' : 'approved', reasons };
}

export interface PostContext {
  site: Site;
  threadKey: string;
  input: NewComment;
  /** The Origin header was one of the site's registered origins. */
  fromRegisteredOrigin: boolean;
  idempotencyKey: string | null;
  readerId: string | null;
}

export async function postComment(s: Services, p: PostContext): Promise<{ comment: StoredComment; created: boolean }> {
  const now = s.now();
  let thread = await s.store.getThread(p.site.id, p.threadKey);
  if (!thread) {
    // Threads are born from the publisher's own pages only, so nobody can fill a site with junk threads.
    if (!p.fromRegisteredOrigin) throw new ApiError(404, 'thread_not_found', `No thread "${p.threadKey}"; new threads start from the site's registered origins`);
    thread = await s.store.ensureThread(p.site.id, p.threadKey, { title: p.input.thread?.title ?? null, url: p.input.thread?.url ?? null });
  }
  if (isClosed(thread, p.site.settings, now)) throw new ApiError(403, 'thread_closed', 'This thread is closed to new comments');

  let rootId: string | null = null;
  if (p.input.parentId) {
    const parent = await s.store.getComment(p.input.parentId);
    if (!parent || parent.threadId !== thread.id || parent.status !== 'approved') {
      throw new ApiError(422, 'validation_failed', 'The comment replied to is not in this thread', [
        { path: ['parentId'], code: 'invalid_value', message: 'No approved comment with this id in this thread' },
      ]);
    }
    rootId = parent.rootId ?? parent.id;
  }

  const { status, reasons } = initialStatus(p.site.settings, p.input.body);
  return s.store.insertComment({
    id: randomId(),
    siteId: p.site.id,
    threadId: thread.id,
    parentId: p.input.parentId ?? null,
    rootId,
    authorName: p.input.author.name,
    authorEmail: p.input.author.email ?? null,
    readerId: p.readerId,
    verified: false,
    body: p.input.body,
    status,
    reasons,
    createdAt: now,
    idempotencyKey: p.idempotencyKey,
  });
}

// ---- edit tokens: the reader's receipt for a comment, and the key to edit or delete it --------

export const editTokenFor = async (s: Services, id: string) => `${id}.${await s.signer.mac('edit', id, 24)}`;

/** The comment id an edit token stands for, or null when it was not issued by this server. */
export async function verifyEditToken(s: Services, token: string): Promise<string | null> {
  const dot = token.lastIndexOf('.');
  if (dot < 1) return null;
  const id = token.slice(0, dot);
  return (await editTokenFor(s, id)) === token ? id : null;
}

/** The comment an `Authorization: Bearer <editToken>` header may change, checked against the edit window. */
export async function commentForEdit(s: Services, id: string, authorization: string | undefined): Promise<{ comment: StoredComment; site: Site }> {
  const token = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (!token) throw new ApiError(401, 'unauthorized', 'Send the edit token as Authorization: Bearer <editToken>');
  if ((await verifyEditToken(s, token)) !== id) throw new ApiError(403, 'forbidden', 'This edit token is not for this comment');
  const comment = await s.store.getComment(id);
  if (!comment || comment.status === 'deleted') throw notFound('comment', id);
  const site = await requireSite(s, comment.siteId);
  if (s.now() - comment.createdAt > site.settings.editWindowSeconds * 1000) {
    throw new ApiError(403, 'edit_window_closed', 'The time to edit or delete this comment has passed');
  }
  return { comment, site };
}

// ---- cursors: signed so that a client cannot forge a position (or an SQL value) -----------------

type SignedCursor = Cursor & { o: string };

export const encodeCursor = (s: Services, order: string, c: Cursor | null) =>
  c ? s.signer.sign('cursor', { ...c, o: order } satisfies SignedCursor, 12) : Promise.resolve(null);

export async function decodeCursor(s: Services, order: string, value: string | undefined): Promise<Cursor | null> {
  if (!value) return null;
  const c = await s.signer.verify<SignedCursor>('cursor', value, 12);
  if (!c || c.o !== order || typeof c.t !== 'number' || typeof c.id !== 'string') {
    throw new ApiError(400, 'bad_request', 'This cursor is not valid here; start again from the first page');
  }
  return { t: c.t, s: c.s, id: c.id };
}

export const sortOrder = (sort: Sort) => `thread:${sort}`;
