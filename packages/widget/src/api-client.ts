/**
 * The reader's side of the HTTP API (`/api/v1`). Answers are typed from packages/shared (types
 * only: no zod here). Every failure becomes an `ApiError` carrying the server's error code, or
 * `network` when no answer came; the element turns codes into words.
 */
import type { ErrorBody, ErrorIssue } from '../../shared/src/errors.js';
import type { Sort } from '../../shared/src/limits.js';
import type { CommentPage, NewCommentInput, OwnComment, PostedComment } from '../../shared/src/schemas.js';
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

export class ApiClient {
  constructor(
    /** Base URL of the server, without trailing slash. */
    readonly api: string,
    readonly site: string,
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
  post(thread: string, input: NewCommentInput, idempotencyKey: string, signal?: AbortSignal): Promise<PostedComment> {
    return this.request(this.comments(thread), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': idempotencyKey },
      body: JSON.stringify(input),
      signal,
    });
  }

  /** The reader's own comments of this thread, as their receipts (edit tokens) name them, with their status. */
  async mine(thread: string, receipts: readonly string[], signal?: AbortSignal): Promise<OwnComment[]> {
    const answer = await this.request<{ comments: OwnComment[] }>(this.comments(thread) + '/mine', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ receipts }),
      signal,
    });
    return answer.comments;
  }

  private comments(thread: string): string {
    return `${this.api}/api/v1/sites/${encodeURIComponent(this.site)}/threads/${encodeURIComponent(thread)}/comments`;
  }

  private async request<T>(url: string, init: RequestInit): Promise<T> {
    let res: Response;
    try {
      res = await fetch(url, { ...init, credentials: 'omit', mode: 'cors' });
    } catch (e) {
      if (init.signal?.aborted) throw e;
      throw new ApiError('network', e instanceof Error ? e.message : String(e));
    }
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
