/**
 * Shapes of the operator routes (server/src/routes/operator.ts): what `taliq` sends when it
 * administers a deployment over HTTP instead of opening the store itself. Tokens, a reader's
 * privacy requests, a site's export, and imports sent in batches.
 */
import { z } from 'zod';
import { LIMITS } from './limits.js';
import { cleanText } from './text.js';
import { ServerId, SiteId, ThreadKey } from './schemas.js';

/** Comments (and threads) in one import request: small enough for a Worker's time and query budget. */
export const IMPORT_BATCH_MAX = 100;

/** How the importers tell a plausible email address (kept, lower-cased domain) from junk (dropped). */
export const PLAUSIBLE_EMAIL = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/;

const VISIBLE = /[\p{L}\p{N}\p{P}\p{S}]/u;
const text = (max: number, multiline: boolean) =>
  z.string().transform((s) => cleanText(s, multiline)).pipe(z.string().max(max));
const visibleLine = (max: number) => text(max, false).refine((s) => VISIBLE.test(s), { message: 'Too small: expected visible text' });
const httpUrl = z.string().max(LIMITS.urlMax).refine((s) => /^https?:\/\//i.test(s) && URL.canParse(s), { message: 'Expected an http(s) URL' });
const label = visibleLine(100);

// ---- tokens ----------------------------------------------------------------------------------

/**
 * What a token may do. `owner`: everything on its site (settings, origins, webhook, secrets,
 * tokens, export and import) as well as what a `moderator` does: the queues, moderation actions,
 * bans, thread modes, the audit log and the removal register. Admin tokens own every site.
 */
export const ROLES = ['owner', 'moderator'] as const;
export type Role = (typeof ROLES)[number];
/** What `tokens create` and `POST /admin/tokens` give without `role`: what every token could do before roles. */
export const DEFAULT_ROLE: Role = 'owner';

/** POST /admin/tokens: a token for one site (`site`, with its `role`), or for every site (`admin: true`, an owner). */
export const NewToken = z
  .strictObject({ site: SiteId.optional(), admin: z.literal(true).optional(), role: z.enum(ROLES).optional(), label: label.optional() })
  .refine((t) => (t.site === undefined) !== (t.admin === undefined), { message: 'Give either site or admin: true', path: ['site'] })
  .refine((t) => !(t.admin && t.role === 'moderator'), { message: 'An admin token owns every site: its role is owner', path: ['role'] });
export type NewToken = z.input<typeof NewToken>;

export const TokenQuery = z.strictObject({ site: SiteId.optional() });

/** A token as listed: never the token itself, never its hash. */
export interface TokenView {
  id: string;
  /** null: an admin token, valid on every site. */
  siteId: string | null;
  /** `owner` for every admin token. */
  role: Role;
  label: string | null;
  createdAt: string;
  revokedAt: string | null;
}

/** The answer to POST /admin/tokens: the only time the token is shown. */
export interface CreatedToken extends TokenView {
  token: string;
}

// ---- privacy ---------------------------------------------------------------------------------

export const PrivacyRequest = z.strictObject({ email: z.email().max(LIMITS.emailMax) });

export interface PrivacyExport {
  email: string;
  exportedAt: string;
  comments: {
    site: string; thread: string; id: string; name: string; email: string | null; body: string; status: string;
    createdAt: string; editedAt: string | null;
  }[];
}

export interface PrivacyErased {
  /** Comments whose author's name, email, identity and text were erased. */
  erased: number;
}

// ---- imports ---------------------------------------------------------------------------------

export const IMPORT_SOURCES = ['disqus', 'wordpress', 'taliq'] as const;
export const ImportSource = z.enum(IMPORT_SOURCES);

/** An id from the imported file; with the source, it makes the comment's idempotency key. */
// Long enough for WordPress's `<thread key>:<id>` when a post has no id.
// A lone surrogate is no text: PostgreSQL would store it as U+FFFD, and refuses it in JSON.
const SourceId = z.string().min(1).max(1000).regex(/^[^\u0000-\u001F\u007F\p{Cs}]+$/u, 'No control characters or lone surrogates');

export const ImportThread = z.strictObject({
  key: ThreadKey,
  title: text(LIMITS.threadTitleMax, false).nullable(),
  url: httpUrl.nullable(),
  closed: z.boolean(),
  /** The thread's mode in the source (a Taliq export); applied only to a thread still `open`. */
  mode: z.enum(['pre', 'post', 'closed']).optional(),
});

export const ImportComment = z
  .strictObject({
    sourceId: SourceId,
    threadKey: ThreadKey,
    /** A comment earlier in this batch, or one named in `parents`; any other makes a top-level comment. */
    parentSourceId: SourceId.nullable(),
    authorName: visibleLine(LIMITS.nameMax),
    authorEmail: z
      .string()
      .max(LIMITS.emailMax)
      .regex(PLAUSIBLE_EMAIL, 'Expected an email address')
      .transform((e) => e.slice(0, e.lastIndexOf('@')) + e.slice(e.lastIndexOf('@')).toLowerCase())
      .nullable(),
    body: text(LIMITS.bodyMax, true),
    createdAt: z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
    status: z.enum(['approved', 'pending', 'rejected', 'spam', 'deleted']),
  })
  // A deleted comment may have lost its text; any other needs some.
  .refine((c) => c.status === 'deleted' || VISIBLE.test(c.body), { message: 'Too small: expected visible text', path: ['body'] });

/**
 * POST /admin/sites/{site}/import: part of one import. The CLI parses the file, then sends its
 * comments oldest first (parents before replies) in batches; `parents` gives the Taliq ids of
 * parents that earlier batches wrote (their answers' `ids`).
 */
export const ImportBatch = z
  .strictObject({
    source: ImportSource,
    threads: z.array(ImportThread).min(1).max(IMPORT_BATCH_MAX),
    comments: z.array(ImportComment).min(1).max(IMPORT_BATCH_MAX),
    parents: z.record(SourceId, ServerId).optional(),
  })
  .superRefine((b, ctx) => {
    const keys = new Set<string>();
    b.threads.forEach((t, i) => {
      if (keys.has(t.key)) ctx.addIssue({ code: 'custom', path: ['threads', i, 'key'], message: 'This thread is already in the batch' });
      keys.add(t.key);
    });
    const ids = new Set<string>();
    b.comments.forEach((c, i) => {
      if (!keys.has(c.threadKey)) ctx.addIssue({ code: 'custom', path: ['comments', i, 'threadKey'], message: 'This thread is not in the batch' });
      if (ids.has(c.sourceId)) ctx.addIssue({ code: 'custom', path: ['comments', i, 'sourceId'], message: 'This comment is already in the batch' });
      ids.add(c.sourceId);
    });
    if (b.parents && Object.keys(b.parents).length > IMPORT_BATCH_MAX) {
      ctx.addIssue({ code: 'too_big', origin: 'object', maximum: IMPORT_BATCH_MAX, inclusive: true, path: ['parents'], message: `At most ${IMPORT_BATCH_MAX} parents` });
    }
  });
export type ImportBatchInput = z.input<typeof ImportBatch>;

export interface ImportBatchResult {
  /** Threads the batch's comments went into (created or already there). */
  threads: number;
  /** Comments this request wrote. */
  comments: number;
  /** Comments an earlier run of the same import had written already. */
  existing: number;
  skipped: number;
  /** sourceId → the Taliq id of each comment of the batch (written now or before). */
  ids: Record<string, string>;
}
