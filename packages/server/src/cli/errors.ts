/** How the CLI fails: wrong usage (exit 2, with the usage text), or a server's refusal (exit 1). */
import type { ErrorIssue } from '../../../shared/src/errors.js';

export class UsageError extends Error {}

/** The API answered an error envelope, or could not be reached or understood. */
export class RemoteError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly code?: string,
    readonly issues?: ErrorIssue[],
  ) {
    super(message);
  }
}
