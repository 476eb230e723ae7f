/**
 * The reader's side of the HTTP API (`/api/v1`). Answers are typed from packages/shared (types
 * only: no zod here). Every failure becomes an `ApiError` carrying the server's error code, or
 * `network` when no answer came; the element turns codes into words.
 * Every request carries `Taliq-Reader` (the reader's random id); requests that change something
 * also carry `Taliq-Token` when the publisher signed the reader in.
 */
import type { ErrorBody } from '../../shared/src/errors.js';
import type { Sort } from '../../shared/src/limits.js';
import type { CommentPage, NewCommentInput, OwnComment, PostedComment, RepliesPage } from '../../shared/src/schemas.js';
import { ApiError } from '../../ui/src/api-error.js';
import { loadReaderId, randomId } from './storage.js';

export interface VoteResult {
  likes: number;
  dislikes: number;
  value: -1 | 0 | 1;
}

export type ReportReason = 'spam' | 'abuse' | 'off-topic' | 'other';

export interface ListOptions {
  sort?: Sort;
  cursor?: string | null;
  signal?: AbortSignal;
}

/** An Idempotency-Key: 128 random bits, as 22 base64url characters. */
export const newIdempotencyKey = randomId;

export class ApiClient {
  /** From the last list answer: when the form was served (signed), and whether posting needs a proof of work. */
  #f?: string;
  #p = false;

  constructor(
    /** Base URL of the server, without trailing slash. */
    readonly api: string,
    readonly site: string,
    /** The publisher-signed JWT of a signed-in reader. */
    readonly token?: string,
  ) {}

  /** One page (the server's default size, 20) of approved top-level comments of a thread, with their approved replies. */
  list(thread: string, { sort, cursor, signal }: ListOptions = {}): Promise<CommentPage> {
    const q = new URLSearchParams();
    if (sort) q.set('sort', sort);
    if (cursor) q.set('cursor', cursor);
    return this.request<CommentPage>('GET', `${this.thread(thread)}/comments?${q}`, undefined, {}, signal).then((page) => {
      this.#f = page.formToken;
      this.#p = page.thread.proofOfWork;
      return page;
    });
  }

  /** The next replies of a top-level comment, from a `moreReplies.cursor`. */
  replies(thread: string, id: string, cursor: string): Promise<RepliesPage> {
    return this.request('GET', `${this.thread(thread)}/comments/${encodeURIComponent(id)}/replies?cursor=${encodeURIComponent(cursor)}`);
  }

  /** Adds a comment. The same `idempotencyKey` for the same text answers with the first comment instead of a second one. */
  async post(thread: string, input: NewCommentInput, idempotencyKey: string): Promise<PostedComment> {
    const headers: Record<string, string> = { 'Idempotency-Key': idempotencyKey };
    // The form's served-at stamp tells the server a person took the time to write.
    if (this.#f) headers['Taliq-Form'] = this.#f;
    if (this.#p) {
      // The solver is fetched only by sites that ask for a proof of work: taliq-pow.js, beside taliq.js.
      const pow: typeof import('./pow.js') = await import(/* @vite-ignore */ new URL('taliq-pow.js', import.meta.url).href);
      const solved = await pow.solve(await this.request('GET', `${this.api}/api/v1/sites/${encodeURIComponent(this.site)}/challenge`));
      if (solved) headers['Taliq-Pow'] = solved;
    }
    return this.request('POST', `${this.thread(thread)}/comments`, input, headers);
  }

  /** The reader's own comments of this thread, as their receipts (edit tokens) name them, with their status. */
  async mine(thread: string, receipts: readonly string[], signal?: AbortSignal): Promise<OwnComment[]> {
    return (await this.request<{ comments: OwnComment[] }>('POST', `${this.thread(thread)}/comments/mine`, { receipts }, {}, signal)).comments;
  }

  /** Changes the text of one's own comment, within the edit window. */
  async edit(id: string, editToken: string, body: string): Promise<OwnComment> {
    return (await this.request<{ comment: OwnComment }>('PATCH', this.comment(id), { body }, { Authorization: `Bearer ${editToken}` })).comment;
  }

  /** Deletes one's own comment, within the edit window. */
  remove(id: string, editToken: string): Promise<unknown> {
    return this.request('DELETE', this.comment(id), undefined, { Authorization: `Bearer ${editToken}` });
  }

  /** Likes (1), dislikes (-1) or takes back (0) this reader's vote; answers the new counts. */
  vote(id: string, value: -1 | 0 | 1): Promise<VoteResult> {
    return this.request('PUT', `${this.comment(id)}/vote`, { value });
  }

  report(id: string, reason: ReportReason, note?: string): Promise<unknown> {
    return this.request('POST', `${this.comment(id)}/reports`, { reason, note });
  }

  /** Approved comments per thread key, at most 50 keys a request. */
  async counts(threads: readonly string[]): Promise<Record<string, number>> {
    return (await this.request<{ counts: Record<string, number> }>('GET', `${this.base()}/counts?threads=${threads.map(encodeURIComponent)}`)).counts;
  }

  /** The URL of the thread's live updates (text/event-stream). */
  events(thread: string): string {
    return `${this.thread(thread)}/events`;
  }

  private base(): string {
    return `${this.api}/api/v1/sites/${encodeURIComponent(this.site)}`;
  }

  private thread(thread: string): string {
    return `${this.base()}/threads/${encodeURIComponent(thread)}`;
  }

  private comment(id: string): string {
    return `${this.api}/api/v1/comments/${encodeURIComponent(id)}`;
  }

  private async request<T>(method: string, url: string, body?: unknown, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<T> {
    headers['Taliq-Reader'] = loadReaderId();
    if (this.token && method !== 'GET') headers['Taliq-Token'] = this.token;
    if (body) headers['Content-Type'] = 'application/json';
    let res: Response | undefined;
    let data: Partial<ErrorBody> | null = null;
    try {
      res = await fetch(url, { method, headers, body: body ? JSON.stringify(body) : undefined, signal, credentials: 'omit', mode: 'cors' });
      if (res.status !== 204) data = await res.json();
    } catch (e) {
      if (signal?.aborted) throw e;
      // No answer at all is a network failure; an answer that is not JSON is the server's fault.
      if (!res) throw new ApiError('network', String(e));
    }
    if (res.ok && (data || res.status === 204)) return data as T;
    const err = data?.error;
    throw new ApiError(
      typeof err?.code === 'string' ? err.code : res.status === 429 ? 'rate_limited' : res.ok || res.status >= 500 ? 'internal' : 'bad_request',
      err?.message ?? `HTTP ${res.status}`,
      err?.issues,
    );
  }
}
