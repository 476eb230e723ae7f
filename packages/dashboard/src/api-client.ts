/**
 * The moderator's side of the HTTP API (`/api/v1/admin`), same origin as the dashboard, with the
 * moderator token as `Authorization: Bearer`. Types come from packages/shared (types only: no zod
 * in the bundle). Every failure becomes an `ApiError` carrying the server's error code, or
 * `network` when no answer came; the element turns codes into words.
 */
import type { ErrorBody } from '../../shared/src/errors.js';
import type { ModerationAction, ModeratorComment, QueuePage, QueueStatus } from '../../shared/src/schemas.js';
import { ApiError, type ClientErrorCode } from '../../ui/src/api-error.js';

/** `GET /admin/me`: who the token is, and the sites it may moderate. */
export interface Me {
  actor: string;
  /** The token's one site, or null for an admin token (every site). */
  siteId: string | null;
  /** `owner` for an admin token. The dashboard shows it; it never asks for secrets either way. */
  role: 'owner' | 'moderator';
  sites: string[];
}

export interface NewBan {
  readerId: string;
  shadow?: boolean;
  /** Also the network the reader last wrote from (IPv6: its /64). */
  ip?: boolean;
  /** ISO 8601; none for a permanent ban. */
  expiresAt?: string;
  reason?: string;
}

export interface QueueOptions {
  status: QueueStatus;
  q?: string;
  cursor?: string | null;
  limit?: number;
  signal?: AbortSignal;
}

export class ModerationClient {
  constructor(
    readonly token: string,
    /** Base URL of the server, without trailing slash; '' for the dashboard's own origin. */
    readonly api = '',
  ) {}

  me(signal?: AbortSignal): Promise<Me> {
    return this.request('/me', { signal });
  }

  queue(site: string, { status, q, cursor, limit, signal }: QueueOptions): Promise<QueuePage> {
    const p = new URLSearchParams({ status });
    if (q) p.set('q', q);
    if (cursor) p.set('cursor', cursor);
    if (limit) p.set('limit', String(limit));
    return this.request(`/sites/${encodeURIComponent(site)}/comments?${p}`, { signal });
  }

  async moderate(id: string, action: ModerationAction, reason?: string): Promise<ModeratorComment> {
    const answer = await this.request<{ comment: ModeratorComment }>(`/comments/${encodeURIComponent(id)}/moderate`, this.json({ action, reason }));
    return answer.comment;
  }

  async moderateMany(ids: readonly string[], action: ModerationAction): Promise<ModeratorComment[]> {
    const answer = await this.request<{ comments: ModeratorComment[] }>('/comments/moderate', this.json({ ids, action }));
    return answer.comments;
  }

  ban(site: string, ban: NewBan): Promise<{ ban: unknown }> {
    return this.request(`/sites/${encodeURIComponent(site)}/bans`, this.json(ban));
  }

  private json(body: unknown): RequestInit {
    return { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
  }

  private async request<T>(path: string, init: RequestInit): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.api}/api/v1/admin${path}`, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), Authorization: `Bearer ${this.token}` },
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch (e) {
      if (init.signal?.aborted) throw e;
      throw new ApiError('network', e instanceof Error ? e.message : String(e));
    }
    let data: unknown = null;
    try {
      data = await res.json();
    } catch (e) {
      if (init.signal?.aborted) throw e;
    }
    if (res.ok && data != null) return data as T;
    const err = (data as Partial<ErrorBody> | null)?.error;
    const code: ClientErrorCode =
      typeof err?.code === 'string' ? err.code : res.status === 401 ? 'unauthorized' : res.status >= 500 || res.ok ? 'internal' : 'bad_request';
    throw new ApiError(code, typeof err?.message === 'string' ? err.message : `HTTP ${res.status}`);
  }
}
