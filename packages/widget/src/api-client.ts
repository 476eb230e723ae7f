/**
 * The reader's side of the HTTP API (`/api/v1`). Answers are typed from packages/shared (types
 * only: no zod here). Every failure becomes an `ApiError` carrying the server's error code, or
 * `network` when no answer came; the element turns codes into words.
 * Every request carries `Taliq-Reader` (the reader's random id); requests that change something
 * also carry `Taliq-Token` when the publisher signed the reader in.
 */
import type { ErrorBody, ErrorIssue } from '../../shared/src/errors.js';
import type { Sort } from '../../shared/src/limits.js';
import type { CommentPage, NewCommentInput, OwnComment, PostedComment } from '../../shared/src/schemas.js';
import { loadReaderId } from './storage.js';
import type { ClientErrorCode } from './i18n/types.js';

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly code: ClientErrorCode,
    message: string,
    /** HTTP status, 0 when the server could not be reached. */
    readonly status = 0,
    readonly issues: readonly ErrorIssue[] = [],
    /** Seconds to wait, from `Retry-After`, when rate limited. */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

export interface VoteResult {
  likes: number;
  dislikes: number;
  value: -1 | 0 | 1;
}

export type ReportReason = 'spam' | 'abuse' | 'off-topic' | 'other';

export interface ListOptions {
  sort?: Sort;
  limit?: number;
  cursor?: string | null;
  signal?: AbortSignal;
}

/** A random UUID v4, also where `crypto.randomUUID` is missing (pages served over plain http). */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const JSON_TYPE = { 'Content-Type': 'application/json' };

export class ApiClient {
  constructor(
    /** Base URL of the server, without trailing slash. */
    readonly api: string,
    readonly site: string,
    /** The publisher-signed JWT of a signed-in reader. */
    readonly token?: string,
  ) {}

  /** One page of approved top-level comments of a thread, with their approved replies. */
  list(thread: string, { sort, limit, cursor, signal }: ListOptions = {}): Promise<CommentPage> {
    const q = new URLSearchParams();
    if (sort) q.set('sort', sort);
    if (limit) q.set('limit', String(limit));
    if (cursor) q.set('cursor', cursor);
    const qs = q.toString();
    return this.request(this.comments(thread) + (qs ? `?${qs}` : ''), { signal });
  }

  /** Adds a comment. The same `idempotencyKey` for the same text answers with the first comment instead of a second one. */
  post(thread: string, input: NewCommentInput, idempotencyKey: string): Promise<PostedComment> {
    return this.send('POST', this.comments(thread), input, { 'Idempotency-Key': idempotencyKey });
  }

  /** The reader's own comments of this thread, as their receipts (edit tokens) name them, with their status. */
  async mine(thread: string, receipts: readonly string[], signal?: AbortSignal): Promise<OwnComment[]> {
    return (await this.send<{ comments: OwnComment[] }>('POST', this.comments(thread) + '/mine', { receipts }, {}, signal)).comments;
  }

  /** Changes the text of one's own comment, within the edit window. */
  async edit(id: string, editToken: string, body: string): Promise<OwnComment> {
    return (await this.send<{ comment: OwnComment }>('PATCH', this.comment(id), { body }, { Authorization: `Bearer ${editToken}` })).comment;
  }

  /** Deletes one's own comment, within the edit window. */
  remove(id: string, editToken: string): Promise<unknown> {
    return this.send('DELETE', this.comment(id), undefined, { Authorization: `Bearer ${editToken}` });
  }

  /** Likes (1), dislikes (-1) or takes back (0) this reader's vote; answers the new counts. */
  vote(id: string, value: -1 | 0 | 1): Promise<VoteResult> {
    return this.send('PUT', this.comment(id) + '/vote', { value });
  }

  report(id: string, reason: ReportReason, note?: string): Promise<unknown> {
    return this.send('POST', this.comment(id) + '/reports', { reason, note });
  }

  /** Approved comments per thread key, at most 50 keys a request. */
  async counts(threads: readonly string[]): Promise<Record<string, number>> {
    const q = threads.map(encodeURIComponent).join(',');
    return (await this.request<{ counts: Record<string, number> }>(`${this.base()}/counts?threads=${q}`, {})).counts;
  }

  /** The URL of the thread's live updates (text/event-stream). */
  events(thread: string): string {
    return `${this.base()}/threads/${encodeURIComponent(thread)}/events`;
  }

  private base(): string {
    return `${this.api}/api/v1/sites/${encodeURIComponent(this.site)}`;
  }

  private comments(thread: string): string {
    return `${this.base()}/threads/${encodeURIComponent(thread)}/comments`;
  }

  private comment(id: string): string {
    return `${this.api}/api/v1/comments/${encodeURIComponent(id)}`;
  }

  private send<T>(method: string, url: string, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<T> {
    if (this.token) headers['Taliq-Token'] = this.token;
    if (body) Object.assign(headers, JSON_TYPE);
    return this.request(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
  }

  private async request<T>(url: string, init: RequestInit): Promise<T> {
    let res: Response;
    try {
      res = await fetch(url, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), 'Taliq-Reader': loadReaderId() },
        credentials: 'omit',
        mode: 'cors',
      });
    } catch (e) {
      if (init.signal?.aborted) throw e;
      throw new ApiError('network', e instanceof Error ? e.message : String(e));
    }
    if (res.status === 204) return null as T;
    let data: unknown;
    try {
      data = await res.json();
    } catch (e) {
      if (init.signal?.aborted) throw e;
      data = null;
    }
    if (res.ok && data != null) return data as T;

    const err = (data as Partial<ErrorBody> | null)?.error;
    const retry = Number(res.headers.get('Retry-After'));
    const code: ClientErrorCode =
      typeof err?.code === 'string'
        ? err.code
        : res.status === 429
          ? 'rate_limited'
          : res.status >= 500 || res.ok
            ? 'internal'
            : 'bad_request';
    throw new ApiError(
      code,
      typeof err?.message === 'string' ? err.message : `HTTP ${res.status}`,
      res.status,
      Array.isArray(err?.issues) ? err.issues : [],
      retry > 0 ? retry : undefined,
    );
  }
}
