/**
 * Limits shared by the server (zod schemas) and the widget (form attributes, live counters).
 * Plain data, no imports: the widget bundles this file, so it must stay tiny.
 */
export const LIMITS = {
  nameMax: 50,
  bodyMax: 5000,
  emailMax: 254,
  pageDefault: 20,
  pageMax: 100,
  threadKeyMax: 200,
  threadTitleMax: 300,
  urlMax: 2000,
  /** Receipts (edit tokens) a reader may ask about in one request. */
  receiptsMax: 50,
  /** Request bodies larger than this are refused before they are read whole. */
  requestBodyMax: 32 * 1024,
} as const;

export const SORTS = ['newest', 'oldest', 'popular'] as const;
export type Sort = (typeof SORTS)[number];

export const STATUSES = ['pending', 'approved', 'rejected', 'spam', 'deleted'] as const;
export type Status = (typeof STATUSES)[number];
