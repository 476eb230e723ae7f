/**
 * The set-time half of the outbound guard: a settings change that names a URL the server would
 * call into its own network is refused with 422, before it is stored.
 */
import { ApiError } from '../errors.js';
import type { Services } from '../context.js';
import { whyRefused } from './outbound-guard.js';

/** Site settings that hold a URL the server calls. Settings added later that the server calls go here. */
export const CALLED_URL_SETTINGS = ['webhookUrl', 'moderationHookUrl', 'ssoJwksUrl'] as const;

/**
 * Throws 422 `validation_failed` (issue code `url_refused`, path `[field]`) when the server may
 * not call `url`. For any URL field, also one that is not a site setting (call it with its name).
 */
export async function assertCallableUrl(s: Pick<Services, 'outbound'>, field: string, url: string | null | undefined): Promise<void> {
  if (!url) return;
  const why = await whyRefused(url, s.outbound, 'lenient');
  if (!why) return;
  throw new ApiError(422, 'validation_failed', `The server will not call ${field}: ${why}`, [
    { path: [field], code: 'url_refused', message: `The server will not call this URL: ${why}. An operator may allow internal targets with TALIQ_ALLOWED_HOOK_HOSTS.` },
  ]);
}

/** Checks every called-URL field present in a settings object or patch. */
export async function assertCallableSettings(s: Pick<Services, 'outbound'>, settings: Record<string, unknown>): Promise<void> {
  for (const field of CALLED_URL_SETTINGS) {
    const value = settings[field];
    if (typeof value === 'string') await assertCallableUrl(s, field, value);
  }
}
