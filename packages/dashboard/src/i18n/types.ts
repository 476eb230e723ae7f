import type { ErrorCode } from '../../../shared/src/errors.js';

/** Codes the dashboard turns into words: the server's, plus `network` when no answer came. */
export type ClientErrorCode = ErrorCode | 'network';
export type ErrorMessages = Record<ClientErrorCode, string>;
