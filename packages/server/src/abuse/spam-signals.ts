/**
 * Cheap spam signals that cost a real reader nothing: a honeypot field only bots fill, a signed
 * timestamp issued with the form (a human takes more than a few seconds to write), and the same
 * long text posted again in a thread. Each becomes a `spam_signal` reason on the comment.
 */
import type { Reason } from '../../../shared/src/index.js';
import type { Services } from '../context.js';

/** Faster than this from loading the form to sending it is not a person typing. */
export const MIN_FORM_MS = 3_000;
/** Bodies shorter than this (thanks, +1, برافو) are often repeated by honest readers. */
export const DUPLICATE_MIN_CHARS = 20;

// Per app (each has its own secret): site → the token of the current second.
const perApp = new WeakMap<Services, Map<string, { second: number; token: Promise<string> }>>();

/** A signed "form served at" time; one per site and second, so busy threads sign once a second. */
export function formToken(s: Services, siteId: string): Promise<string> {
  let tokens = perApp.get(s);
  if (!tokens) perApp.set(s, (tokens = new Map()));
  const now = s.now();
  const second = Math.floor(now / 1000);
  const cached = tokens.get(siteId);
  if (cached?.second === second) return cached.token;
  if (tokens.size > 10_000) tokens.clear();
  const token = s.signer.sign('form', { site: siteId, t: second * 1000 }, 12);
  tokens.set(siteId, { second, token });
  return token;
}

export async function formSignals(s: Services, siteId: string, token: string | undefined, honeypot: string | undefined): Promise<{ spam: boolean; reasons: Reason[] }> {
  if (honeypot) return { spam: true, reasons: [{ code: 'spam_signal', detail: 'honeypot' }] };
  if (!token) return { spam: false, reasons: [] };
  const form = await s.signer.verify<{ site: string; t: number }>('form', token, 12);
  if (!form || form.site !== siteId) return { spam: false, reasons: [{ code: 'spam_signal', detail: 'form' }] };
  if (s.now() - form.t < MIN_FORM_MS) return { spam: false, reasons: [{ code: 'spam_signal', detail: 'fast' }] };
  return { spam: false, reasons: [] };
}
