/**
 * The one error type of both API clients (the reader's and the moderator's): the server's error
 * code, or `network` when no answer came; each element turns codes into its own words.
 */
import type { ErrorCode, ErrorIssue } from '../../shared/src/errors.js';

/** Codes an element turns into words: the server's, plus `network` when no answer came. */
export type ClientErrorCode = ErrorCode | 'network';

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly code: ClientErrorCode,
    message: string,
    /** The fields a `validation_failed` answer names (the reader's forms point at them). */
    readonly issues: readonly ErrorIssue[] = [],
  ) {
    super(message);
  }
}
