/**
 * Reader-side rules: where a new comment goes (pending or approved), who may see or edit it,
 * and how pages are cut. Routes call these; these call the store.
 */
import type { NewComment, Reason, SiteSettings, Sort } from '../../shared/src/index.js';
import { DUPLICATE_MIN_CHARS } from './abuse/spam-signals.js';
import { limitSubject } from './abuse/client-ip.js';
import type { Status } from '../../shared/src/limits.js';
import { ApiError, notFound } from './errors.js';
import type { Services } from './context.js';
import { randomId, safeEqual, sha256 } from './crypto.js';
import type { Cursor, Site, StoredComment, Thread } from './store/store.js';
import { judge } from './moderation/policy.js';
import { normalizeText } from './moderation/normalize.js';
import type { SsoUser } from './sso.js';

const DAY = 24 * 3600 * 1000;

export async function requireSite(s: Services, siteId: string): Promise<Site> {
  const site = await s.store.getSite(siteId);
  if (!site) throw notFound('site', siteId);
  return site;
}

export function isClosed(thread: Thread, settings: SiteSettings, now: number): boolean {
  if (thread.mode === 'closed') return true;
  return settings.closeAfterDays != null && now - thread.createdAt > settings.closeAfterDays * DAY;
}

export interface ReaderIdentity {
  /** Keyed hash of the widget's reader key (or, without one, of the IP address). */
  readerId: string | null;
  /** The readerId stands for the address (no reader key, not signed in): shared by everyone behind it. */
  byAddress?: boolean;
  /** Keyed hash of the IP address (IPv6: its /64, one subscriber's network), for bans that cover it. */
  ipHash: string | null;
}

/** Per /64 for IPv6, as the rate limits count: a ban on an address must survive the next privacy address. */
const ipHashOf = (s: Services, ip: string | undefined) => (ip ? s.signer.mac('ip', limitSubject(ip), 16) : Promise.resolve(null));

const READER_KEY = /^[A-Za-z0-9_-]{16,64}$/;

/** The server's hashed identity of a reader: the widget's reader key, else the IP address. */
export async function identify(s: Services, readerKey: string | undefined, ip: string | undefined): Promise<ReaderIdentity> {
  const key = readerKey && READER_KEY.test(readerKey) ? readerKey : null;
  return {
    readerId: key ? await s.signer.mac('reader', `key:${key}`, 16) : ip ? await s.signer.mac('reader', `ip:${ip}`, 16) : null,
    ...(key ? {} : { byAddress: true }),
    ipHash: await ipHashOf(s, ip),
  };
}

/** A signed-in reader's identity: the publisher's user id, the same on every device. */
export async function identifyUser(s: Services, user: SsoUser, ip: string | undefined): Promise<ReaderIdentity> {
  return { readerId: await s.signer.mac('reader', `user:${user.sub}`, 16), ipHash: await ipHashOf(s, ip) };
}

export interface PostContext {
  site: Site;
  /** The reader signed in through the publisher (a verified author). */
  user?: SsoUser | null;
  threadKey: string;
  input: NewComment;
  /** The Origin header was one of the site's registered origins. */
  fromRegisteredOrigin: boolean;
  idempotencyKey: string | null;
  reader: ReaderIdentity;
  /** Spam signals the route found on the request (honeypot, form timing). */
  signals?: { spam: boolean; reasons: Reason[] };
  /**
   * Counts the request against the rate limits (throws 429). Called once the cheap refusals (closed
   * thread, unknown thread, bad parent, ban) have passed: a refused request costs nothing, so a
   * banned reader or a bot cannot use up the counter of the carrier address its neighbours share.
   */
  spend?: () => Promise<void>;
}

/** The facts judge() needs about a reader on a site, and the ban that stops them, if any. */
async function readerFacts(s: Services, siteId: string, reader: ReaderIdentity) {
  const ban = await s.store.activeBan(siteId, reader.readerId, reader.ipHash, s.now());
  if (ban && !ban.shadow) throw new ApiError(403, 'forbidden', 'You can no longer comment on this site');
  const history = reader.readerId ? await s.store.readerHistory(siteId, reader.readerId, 10) : [];
  return { shadowBanned: !!ban, history };
}

/**
 * The stored form of a reader's Idempotency-Key. Every key starts with `r:` or `a:`, so none can
 * reach the importers' `import:<source>:<id>` keys. A reader with a key of their own (Taliq-Reader,
 * or signed in) has their own bucket. A reader known only by their address would share a bucket
 * with everyone behind it (a carrier's address is thousands of readers, who could then replay each
 * other's keys and read each other's edit tokens), so theirs is the address's hash for the day with
 * the page's form token (Taliq-Form).
 */
export async function idempotencyScope(s: Services, key: string, who: ReaderIdentity, ip: string | undefined, form: string | undefined): Promise<string> {
  if (who.readerId && !who.byAddress) return `r:${who.readerId}:${key}`;
  if (!ip) throw new ApiError(400, 'bad_request', 'An Idempotency-Key needs a reader identity (the Taliq-Reader header)');
  const day = Math.floor(s.now() / DAY);
  return `a:${await s.signer.mac(`idem-day:${day}`, `${ip}\n${form ?? ''}`, 16)}:${key}`;
}

/**
 * A new thread's URL, when it is on one of the site's registered origins; else none. The Origin
 * header says which page sent the request, not where `thread.url` points: without this, a first
 * comment could aim the thread's link (shown to moderators, in the JSON-LD, in webhooks) anywhere.
 * The comment is kept: a page whose canonical link is on another host loses only the link.
 */
function ownUrl(site: Site, url: string | undefined): string | null {
  if (!url) return null;
  try {
    return site.settings.origins.includes(new URL(url).origin) ? url : null;
  } catch {
    return null;
  }
}

export async function postComment(s: Services, p: PostContext): Promise<{ comment: StoredComment; thread: Thread; created: boolean }> {
  const now = s.now();
  const existing = await s.store.getThread(p.site.id, p.threadKey);
  // Threads are born from the publisher's own pages only, so nobody can fill a site with junk threads.
  if (!existing && !p.fromRegisteredOrigin) {
    throw new ApiError(404, 'thread_not_found', `No thread "${p.threadKey}"; new threads start from the site's registered origins`);
  }
  // A thread that does not exist yet is created with the comment, after every check has passed.
  const newThread = existing ? undefined : { siteId: p.site.id, key: p.threadKey, title: p.input.thread?.title ?? null, url: ownUrl(p.site, p.input.thread?.url) };
  const thread: Thread = existing ?? { id: 0, ...newThread!, createdAt: now, closed: false, mode: 'open' };
  if (isClosed(thread, p.site.settings, now)) throw new ApiError(403, 'thread_closed', 'This thread is closed to new comments');

  let rootId: string | null = null;
  if (p.input.parentId) {
    const parent = existing ? await s.store.getComment(p.input.parentId) : null;
    if (!parent || parent.threadId !== thread.id || parent.status !== 'approved') {
      throw new ApiError(422, 'validation_failed', 'The comment replied to is not in this thread', [
        { path: ['parentId'], code: 'invalid_value', message: 'No approved comment with this id in this thread' },
      ]);
    }
    rootId = parent.rootId ?? parent.id;
  }
  const facts = await readerFacts(s, p.site.id, p.reader);
  await p.spend?.();

  // Letters and digits only: punctuation, spacing and spelling tricks do not make a text new.
  const letters = normalizeText(p.input.body).replace(/[^\p{L}\p{N}]/gu, '');
  const bodyHash = [...letters].length >= DUPLICATE_MIN_CHARS ? await sha256(letters) : null;
  const signals = { spam: p.signals?.spam ?? false, reasons: [...(p.signals?.reasons ?? [])] };
  if (bodyHash && existing && (await s.store.hasDuplicate(existing.id, bodyHash, now - 7 * DAY))) {
    signals.reasons.push({ code: 'spam_signal', detail: 'duplicate' });
  }
  const verdict = judge({
    settings: p.site.settings,
    threadMode: thread.mode,
    name: p.input.author.name,
    body: p.input.body,
    signals,
    ...facts,
  });
  const result = await s.store.insertComment(
    {
      id: randomId(),
      siteId: p.site.id,
      threadId: thread.id,
      parentId: p.input.parentId ?? null,
      rootId,
      authorName: p.input.author.name,
      authorEmail: p.input.author.email ?? null,
      readerId: p.reader.readerId,
      ipHash: p.reader.ipHash,
      verified: !!p.user,
      body: p.input.body,
      status: verdict.status,
      reasons: verdict.reasons,
      flagged: verdict.flagged,
      createdAt: now,
      idempotencyKey: p.idempotencyKey,
      searchText: normalizeText(`${p.input.author.name} ${p.input.body}`),
      bodyHash,
    },
    newThread,
  );
  if (!result.created && (result.comment.body !== p.input.body || (existing && result.comment.threadId !== existing.id) || (!existing))) {
    throw new ApiError(409, 'conflict', 'This Idempotency-Key was used for another comment');
  }
  return { ...result, thread: existing ?? (await s.store.getThreadById(result.comment.threadId))! };
}

/**
 * An edit is judged like a new comment, but never brings a comment back: a rejected or spam
 * comment cannot be edited, a pending one stays pending, a flag from readers' reports stays, and an
 * approved comment edited on a pre-moderated site waits for review again.
 */
export async function editComment(s: Services, comment: StoredComment, site: Site, body: string, reader: ReaderIdentity, spend?: () => Promise<void>) {
  if (comment.status !== 'approved' && comment.status !== 'pending') {
    throw new ApiError(409, 'conflict', 'A moderator has already decided on this comment');
  }
  const thread = await s.store.getThreadById(comment.threadId);
  if (thread && isClosed(thread, site.settings, s.now())) throw new ApiError(403, 'thread_closed', 'This thread is closed');
  const facts = await readerFacts(s, site.id, reader);
  // As for posts: only an edit that passed the cheap refusals counts against the limit.
  await spend?.();
  const verdict = judge({ settings: site.settings, threadMode: thread?.mode ?? 'open', name: comment.authorName, body, ...facts });
  const status = verdict.status === 'approved' && comment.status === 'pending' ? 'pending' : verdict.status;
  const reasons = status === 'pending' && comment.status === 'pending' ? mergeReasons(comment.reasons, verdict.reasons) : verdict.reasons;
  const patch = { body, searchText: normalizeText(`${comment.authorName} ${body}`), editedAt: s.now(), status, reasons, flagged: comment.flagged || verdict.flagged };
  await s.store.updateComment(comment.id, patch);
  return { ...comment, ...patch };
}

const mergeReasons = (a: Reason[], b: Reason[]) => [...a, ...b.filter((r) => !a.some((x) => x.code === r.code && x.detail === r.detail))];

// ---- edit tokens: the reader's receipt for a comment, and the key to edit or delete it --------

export const editTokenFor = async (s: Services, id: string) => `${id}.${await s.signer.mac('edit', id, 24)}`;

/** The comment id an edit token stands for, or null when it was not issued by this server. */
export async function verifyEditToken(s: Services, token: string): Promise<string | null> {
  const dot = token.lastIndexOf('.');
  if (dot < 1) return null;
  const id = token.slice(0, dot);
  return safeEqual(token, await editTokenFor(s, id)) ? id : null;
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
