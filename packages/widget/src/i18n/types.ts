import type { ClientErrorCode } from '../../../ui/src/api-error.js';

export type { ClientErrorCode };

/**
 * The errors a reader is told about. Server codes that mean the same to a reader (a comment or a
 * thread not found; requests only a bug would send) share one message: see `WORDED_AS`.
 */
export type ErrorWord =
  | 'network'
  | 'validation_failed'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'origin_not_allowed'
  | 'thread_closed'
  | 'edit_window_closed'
  | 'rate_limited'
  | 'internal';
export type ErrorMessages = Record<ErrorWord, string>;

/** Server codes worded as another code's message. */
export const WORDED_AS: Partial<Record<ClientErrorCode, ErrorWord>> = {
  comment_not_found: 'not_found',
  thread_not_found: 'not_found',
  site_not_found: 'origin_not_allowed',
  bad_request: 'internal',
  conflict: 'internal',
  payload_too_large: 'internal',
  unsupported_media_type: 'internal',
  too_many_streams: 'rate_limited',
  too_many_attempts: 'rate_limited',
  server_busy: 'internal',
};

/** The message key for a code; unknown codes (a newer server) read as `internal`. */
export const errorWord = (code: string): ErrorWord => WORDED_AS[code as ClientErrorCode] ?? (code as ErrorWord);
