import type { ClientErrorCode } from '../../../ui/src/api-error.js';

export type { ClientErrorCode };
export type ErrorMessages = Record<ClientErrorCode, string>;
