/**
 * The neutral shape every importer produces and import.ts writes into a store. Texts are already
 * plain, cleaned (cleanText) and within LIMITS; times are milliseconds since the epoch.
 */
export type ImportStatus = 'approved' | 'pending' | 'rejected' | 'spam' | 'deleted';

export interface ImportThread {
  /** The Taliq thread key: the path of the page's URL (see docs/importing.md). */
  key: string;
  title: string | null;
  url: string | null;
  /** Closed to new comments in the source system. */
  closed: boolean;
  /** The thread's own mode in the source (a Taliq export); `closed` stands for it otherwise. */
  mode?: 'pre' | 'post' | 'closed';
}

export interface ImportComment {
  /** Unique within one source file; with the source, the comment's idempotency key. */
  sourceId: string;
  threadKey: string;
  parentSourceId: string | null;
  authorName: string;
  authorEmail: string | null;
  body: string;
  createdAt: number;
  status: ImportStatus;
}

/** What the parser left out, and why (the CLI prints these). */
export interface ImportSkip {
  sourceId: string | null;
  reason: string;
}

export interface ImportData {
  source: 'disqus' | 'wordpress' | 'taliq';
  threads: ImportThread[];
  comments: ImportComment[];
  skipped: ImportSkip[];
}

/** The name given to a comment whose author left none ("anonymous"). */
export const ANONYMOUS = 'مجهول';

/** A bad file: the CLI prints the message and exits with 1, having written nothing. */
export class ImportError extends Error {}
