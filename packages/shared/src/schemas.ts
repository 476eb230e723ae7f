/**
 * The HTTP API's shapes, once. The server validates with these schemas; every type the widget
 * or the dashboard uses is inferred from them (`import type`), so zod never reaches a browser.
 */
import { z } from 'zod';
import { LIMITS, SORTS, STATUSES } from './limits.js';
import { cleanText } from './text.js';
import type { Role } from './operator.js';

// Text made only of invisible marks (RLM, ZWJ, …) counts as empty.
const VISIBLE = /[\p{L}\p{N}\p{P}\p{S}]/u;
const cleaned = (max: number, multiline: boolean) =>
  z
    .string()
    .transform((s) => cleanText(s, multiline))
    .pipe(z.string().min(1).max(max).refine((s) => VISIBLE.test(s), { message: 'Too small: expected visible text' }));
const line = (max: number) => cleaned(max, false);
const paragraph = (max: number) => cleaned(max, true);
const httpUrl = z
  .string()
  .max(LIMITS.urlMax)
  .refine((s) => /^https?:\/\//i.test(s) && URL.canParse(s), { message: 'Expected an http(s) URL' });

// ---- reader requests ----------------------------------------------------------------------

/** A display name: one line of visible text. Also the sign-in token's `name` claim. */
export const AuthorName = line(LIMITS.nameMax);

export const NewComment = z.strictObject({
  author: z.strictObject({
    name: AuthorName,
    email: z.email().max(LIMITS.emailMax).optional(),
  }),
  body: paragraph(LIMITS.bodyMax),
  parentId: z.string().min(1).max(40).regex(/^[A-Za-z0-9_-]+$/).optional(),
  /** Honeypot: a field hidden from people; only bots fill it. */
  website: z.string().max(500).optional(),
  thread: z
    .strictObject({
      title: line(LIMITS.threadTitleMax).optional(),
      url: httpUrl.optional(),
    })
    .optional(),
});
export type NewComment = z.output<typeof NewComment>;
export type NewCommentInput = z.input<typeof NewComment>;

export const EditComment = z.strictObject({ body: paragraph(LIMITS.bodyMax) });

export const ReportReason = z.enum(['spam', 'abuse', 'off-topic', 'other']);
export const NewReport = z.strictObject({
  reason: ReportReason,
  note: z.string().max(500).transform((s) => cleanText(s, true)).optional(),
});

export const ListQuery = z.strictObject({
  sort: z.enum(SORTS).default('newest'),
  limit: z.coerce.number().int().min(1).max(LIMITS.pageMax).default(LIMITS.pageDefault),
  cursor: z.string().max(500).optional(),
});
export type ListQuery = z.output<typeof ListQuery>;

export const ReceiptsQuery = z.strictObject({
  receipts: z.array(z.string().min(1).max(500)).max(LIMITS.receiptsMax),
});

// Keys come from URLs: any text but control characters (which PostgreSQL cannot even store).
export const ThreadKey = z.string().min(1).max(LIMITS.threadKeyMax).regex(/^[^\u0000-\u001F\u007F]+$/, 'No control characters');
/** Ids the server makes (comments, tokens, bans): base64url or hex. */
export const ServerId = z.string().min(1).max(40).regex(/^[A-Za-z0-9_-]+$/);
/** A moderator's note, cleaned like any text. */
const note = z.string().max(500).transform((s) => cleanText(s, true));
export const SiteId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'Site ids are 1–63 lowercase letters, digits, _ or -');

// ---- answers ---------------------------------------------------------------------------------

export const PublicComment = z.object({
  id: z.string(),
  parentId: z.string().nullable(),
  author: z.object({ name: z.string(), verified: z.boolean() }),
  body: z.string(),
  createdAt: z.string(),
  editedAt: z.string().nullable(),
  likes: z.number(),
  dislikes: z.number(),
});
export type PublicComment = z.infer<typeof PublicComment>;

/** What the author of a comment sees of it: the public shape plus its status. */
export type OwnComment = PublicComment & { status: (typeof STATUSES)[number] };

export interface ThreadInfo {
  key: string;
  title: string | null;
  url: string | null;
  /** Approved comments in the whole thread, replies included. */
  count: number;
  closed: boolean;
  /** How long after posting an author may edit or delete, in seconds. */
  editWindowSeconds: number;
  /** Posting needs a solved challenge from GET /sites/{site}/challenge (Taliq-Pow header). */
  proofOfWork: boolean;
}

/** Replies of a top-level comment past a page's bound: how many, and the cursor of `…/comments/{id}/replies`. */
export interface MoreReplies {
  count: number;
  cursor: string;
}

/** A comment of a thread page: a top-level one whose replies go on past the page says so. */
export type PageComment = PublicComment & { moreReplies?: MoreReplies };

/** GET …/comments/{id}/replies: the next replies of one top-level comment. */
export interface RepliesPage {
  comments: PublicComment[];
  moreReplies: MoreReplies | null;
}

export interface CommentPage {
  thread: ThreadInfo;
  comments: PageComment[];
  nextCursor: string | null;
  /** Signed time the form was served; sent back as the Taliq-Form header when posting. */
  formToken: string;
}

export interface PostedComment {
  comment: OwnComment;
  /** Bearer token to edit or delete this comment, and the reader's receipt for it. */
  editToken: string;
}

// ---- moderation -----------------------------------------------------------------------------

export const ReasonCode = z.enum([
  'premoderation',
  'banned_word',
  'suspect_word',
  'links',
  'reports',
  'new_reader',
  'banned_reader',
  'spam_signal',
]);
export type Reason = { code: z.infer<typeof ReasonCode>; detail?: string };

export const QueueStatus = z.enum(['pending', 'approved', 'rejected', 'spam', 'flagged']);
export type QueueStatus = z.infer<typeof QueueStatus>;

export const QueueQuery = z.strictObject({
  status: QueueStatus.default('pending'),
  limit: z.coerce.number().int().min(1).max(LIMITS.pageMax).default(50),
  cursor: z.string().max(500).optional(),
  q: z.string().max(200).optional(),
});
export type QueueQuery = z.output<typeof QueueQuery>;

export const ModerationAction = z.enum(['approve', 'reject', 'spam', 'restore']);
export type ModerationAction = z.infer<typeof ModerationAction>;

export const Moderate = z.strictObject({
  action: ModerationAction,
  reason: note.optional(),
});

export const BulkModerate = z.strictObject({
  ids: z.array(ServerId).min(1).max(LIMITS.pageMax),
  action: ModerationAction,
  reason: note.optional(),
});

export interface ModeratorComment extends PublicComment {
  status: (typeof STATUSES)[number];
  reasons: Reason[];
  reports: number;
  thread: { key: string; title: string | null; url: string | null };
  author: PublicComment['author'] & { email?: string; readerId: string | null };
  /** For a reply: the comment it answers. */
  parent?: { id: string; author: { name: string }; body: string };
  /** In the flagged queue (reported enough, or holding a suspect word), whatever its status. */
  flagged: boolean;
}

/** GET /admin/me: who a moderator token is. */
export interface Me {
  actor: string;
  /** null: an admin token, valid on every site. */
  siteId: string | null;
  /** `owner` for an admin token and TALIQ_ADMIN_TOKEN. */
  role: Role;
  sites: string[];
}

export const NewBan = z.strictObject({
  readerId: ServerId,
  shadow: z.boolean().optional(),
  /** Also the address (IPv6: its /64) of the reader's latest comment; never the default, carriers share addresses. */
  ip: z.boolean().optional(),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
  reason: note.optional(),
});
export type NewBan = z.input<typeof NewBan>;

export interface QueuePage {
  comments: ModeratorComment[];
  nextCursor: string | null;
  counts: Record<QueueStatus, number>;
}

const Limit = z.strictObject({
  perReader: z.number().int().min(1).max(1_000_000),
  perIp: z.number().int().min(1).max(1_000_000),
  windowSeconds: z.number().int().min(1).max(86_400),
});

export const SiteSettings = z.strictObject({
  origins: z.array(z.url({ protocol: /^https?$/ }).max(LIMITS.urlMax)).max(50),
  moderation: z.enum(['pre', 'post']),
  bannedWords: z.array(z.string().min(1).max(100)).max(2000),
  suspectWords: z.array(z.string().min(1).max(100)).max(2000),
  maxLinks: z.number().int().min(0).max(100),
  editWindowSeconds: z.number().int().min(0).max(7 * 24 * 3600),
  closeAfterDays: z.number().int().min(1).max(36500).nullable(),
  reportThreshold: z.number().int().min(1).max(1000),
  webhookUrl: httpUrl.nullable(),
  /** The publisher's JWKS (its public keys) for RS256/ES256 sign-in tokens; null: HS256 only. */
  ssoJwksUrl: httpUrl.nullable(),
  /** A reader whose last N decided comments were all approved skips pre-moderation; null: off. */
  trustAfter: z.number().int().min(1).max(100).nullable(),
  /**
   * How many posts, edits, votes and reports a reader and an IP address may send per window.
   * `edits` came later: optional, so settings written before keep validating (its default applies).
   */
  limits: z.strictObject({ posts: Limit, edits: Limit.optional(), votes: Limit, reports: Limit }),
  /** Ask every comment for a proof of work (ALTCHA-style), for sites under attack. */
  proofOfWork: z.boolean(),
});
export type SiteSettings = z.infer<typeof SiteSettings>;
export const SiteSettingsPatch = SiteSettings.partial();

export const DEFAULT_SETTINGS: SiteSettings = {
  origins: [],
  moderation: 'pre',
  bannedWords: [],
  suspectWords: [],
  maxLinks: 2,
  editWindowSeconds: 15 * 60,
  closeAfterDays: null,
  reportThreshold: 3,
  webhookUrl: null,
  ssoJwksUrl: null,
  trustAfter: null,
  limits: {
    // Many Moroccan readers share one mobile-carrier address, so the IP limits are loose.
    posts: { perReader: 5, perIp: 30, windowSeconds: 60 },
    edits: { perReader: 10, perIp: 100, windowSeconds: 600 },
    votes: { perReader: 60, perIp: 600, windowSeconds: 60 },
    reports: { perReader: 10, perIp: 100, windowSeconds: 3600 },
  },
  proofOfWork: false,
};
