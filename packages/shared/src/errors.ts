/**
 * Error codes of the JSON error envelope `{error: {code, message, issues?}}`.
 * The server sends the code; the widget and the dashboard turn it into words.
 */
export const ERROR_CODES = [
  'bad_request',
  'validation_failed',
  'unauthorized',
  'forbidden',
  'origin_not_allowed',
  'not_found',
  'site_not_found',
  'thread_not_found',
  'comment_not_found',
  'thread_closed',
  'edit_window_closed',
  'conflict',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  'too_many_attempts',
  'too_many_streams',
  'server_busy',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** One problem with one field, as zod found it. `path` names the field, e.g. ["author", "name"]. */
export interface ErrorIssue {
  path: (string | number)[];
  /** zod's issue code: `too_small`, `too_big`, `invalid_type`, `invalid_format`, `unrecognized_keys`, … */
  code: string;
  message: string;
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; issues?: ErrorIssue[] };
}
