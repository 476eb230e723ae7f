/**
 * One error shape for every non-2xx answer: `{error: {code, message, issues?}}`.
 * Routes throw ApiError; the app's onError turns it (and anything unexpected) into the envelope.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import type { ErrorCode, ErrorIssue } from '../../shared/src/errors.js';
import { StoreError } from './store/driver.js';

export type ClientErrorStatus = 400 | 401 | 403 | 404 | 409 | 410 | 413 | 415 | 422 | 429 | 503;

export class ApiError extends Error {
  constructor(
    readonly status: ClientErrorStatus,
    readonly code: ErrorCode,
    message: string,
    readonly issues?: ErrorIssue[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export const notFound = (what: 'site' | 'thread' | 'comment', id: string) =>
  new ApiError(404, `${what}_not_found`, `No ${what} "${id}"`);

export function zodIssues(error: ZodError): ErrorIssue[] {
  return error.issues.map((i) => ({
    path: i.path.filter((p): p is string | number => typeof p !== 'symbol'),
    code: i.code,
    message: i.message,
  }));
}

export function errorResponse(c: Context, status: ContentfulStatusCode, code: ErrorCode, message: string, issues?: ErrorIssue[]) {
  return c.json({ error: issues ? { code, message, issues } : { code, message } }, status);
}

/** The status a client sees for each kind of store error: chosen here, not in the stores. */
const STORE_ERRORS = {
  conflict: [409, 'conflict'],
  not_found: [404, 'not_found'],
  invalid: [400, 'bad_request'],
} as const satisfies Record<StoreError['kind'], [ClientErrorStatus, ErrorCode]>;

export function onError(err: Error, c: Context) {
  if (err instanceof StoreError) {
    const [status, code] = STORE_ERRORS[err.kind];
    return errorResponse(c, status, code, err.message);
  }
  if (err instanceof ApiError) {
    if (err.headers) for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
    return errorResponse(c, err.status, err.code, err.message, err.issues);
  }
  // Hono's own HTTPException (e.g. from bodyLimit) carries a status and a Response.
  const status = (err as { status?: number }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code: ErrorCode = status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : 'bad_request';
    return errorResponse(c, status as ContentfulStatusCode, code, err.message || 'Bad request');
  }
  // Node's error when the client hangs up before its body has all come: the client's doing,
  // not ours (and one stack trace per cut-off request would let anyone fill the log).
  if (err.message === 'aborted' && (err as { code?: string }).code === 'ECONNRESET') {
    return errorResponse(c, 400, 'bad_request', 'The request body was cut off before its end');
  }
  console.error('taliq: unexpected error', err);
  return errorResponse(c, 500, 'internal', 'Internal error');
}
