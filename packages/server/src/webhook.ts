/**
 * The per-site webhook: new pending and flagged comments are announced to `webhookUrl` as JSON,
 * signed with HMAC-SHA256 (`Taliq-Signature: t=<unix seconds>,v1=<hex>` over `<t>.<body>`),
 * retried a bounded number of times. Delivery runs after the answer; it never blocks posting.
 */
import type { ModeratorComment } from '../../shared/src/index.js';
import type { Services } from './context.js';

export type WebhookEvent = 'comment.pending' | 'comment.flagged';

const enc = new TextEncoder();
const hex = (buf: ArrayBuffer) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');

/** The secret a site's receiver checks signatures with; shown to its moderators. */
export const webhookSecret = (s: Services, siteId: string) => s.signer.mac('webhook', siteId, 24).then((m) => `whsec_${m}`);

export async function signPayload(secret: string, timestamp: number, body: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', enc.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return `t=${timestamp},v1=${hex(await crypto.subtle.sign('HMAC', key, enc.encode(`${timestamp}.${body}`)))}`;
}

export function announce(s: Services, site: { id: string; settings: { webhookUrl: string | null } }, event: WebhookEvent, comment: ModeratorComment) {
  const url = site.settings.webhookUrl;
  if (!url) return;
  s.defer(deliver(s, url, site.id, event, comment));
}

async function deliver(s: Services, url: string, siteId: string, event: WebhookEvent, comment: ModeratorComment) {
  const body = JSON.stringify({ event, site: siteId, at: new Date(s.now()).toISOString(), comment });
  const secret = await webhookSecret(s, siteId);
  for (let attempt = 0; attempt <= s.webhookRetryDelays.length; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, s.webhookRetryDelays[attempt - 1]));
    try {
      const signature = await signPayload(secret, Math.floor(Date.now() / 1000), body);
      const res = await s.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'taliq-signature': signature, 'taliq-event': event, 'user-agent': 'Taliq-Webhook/1' },
        body,
        signal: AbortSignal.timeout(10_000),
        redirect: 'manual',
      });
      if (res.ok) return;
    } catch {
      // Network error or timeout: retry.
    }
  }
  console.warn(`taliq: webhook ${event} for site ${siteId} not delivered after ${s.webhookRetryDelays.length + 1} attempts`);
}
