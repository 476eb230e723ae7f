/**
 * The per-site webhook: new pending and flagged comments are announced to `webhookUrl` as JSON,
 * signed with HMAC-SHA256 (`Taliq-Signature: t=<unix seconds>,v1=<hex>` over `<t>.<body>`). For
 * the grace period after the site's webhook secret is rotated, a second `v1=` signs with the old
 * one (`t=…,v1=<new>,v1=<old>`, as Stripe does), so a receiver still holding it keeps working.
 *
 * Deliveries go through the store's outbox, so nothing sleeps in a request and nothing is lost
 * to a restart: `announce` queues the payload and tries it once after the answer; a failed
 * attempt is due again after the next of `webhookRetryDelays`, and whoever drains the outbox next
 * sends it (a timer on Node, the cron trigger on Workers). Each attempt is leased, so two
 * instances never send one delivery at the same time.
 */
import type { ModeratorComment } from '../../shared/src/index.js';
import type { Services } from './context.js';
import { randomHex } from './crypto.js';
import { verifyingSecrets } from './site-secrets.js';

export type WebhookEvent = 'comment.pending' | 'comment.flagged';

const enc = new TextEncoder();
const hex = (buf: ArrayBuffer) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');

/** How long one attempt may take before another instance may try the same delivery. */
const LEASE_MS = 60_000;
const ATTEMPT_TIMEOUT_MS = 10_000;

/** The `Taliq-Signature` value: one `v1=` per secret, in the order given (current first). */
export async function signPayload(secrets: string | string[], timestamp: number, body: string): Promise<string> {
  const signed = enc.encode(`${timestamp}.${body}`);
  const v1 = await Promise.all([secrets].flat().map(async (secret) => {
    const key = await crypto.subtle.importKey('raw', enc.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    return `,v1=${hex(await crypto.subtle.sign('HMAC', key, signed))}`;
  }));
  return `t=${timestamp}${v1.join('')}`;
}

/** Queues the announcement (before the answer, so it outlives a crash) and tries it after the answer. */
export async function announce(s: Services, site: { id: string; settings: { webhookUrl: string | null } }, event: WebhookEvent, comment: ModeratorComment) {
  if (!site.settings.webhookUrl) return;
  const at = s.now();
  const body = JSON.stringify({ event, site: site.id, at: new Date(at).toISOString(), comment });
  await s.store.enqueueWebhook({ siteId: site.id, event, body, at });
  s.defer(drainOutbox(s));
}

/** Sends every delivery that is due; answers how many were delivered. */
export async function drainOutbox(s: Services, limit = 50): Promise<number> {
  const lease = randomHex(8);
  const items = await s.store.claimWebhooks(s.now(), limit, LEASE_MS, lease);
  let delivered = 0;
  await Promise.all(items.map(async (item) => {
    const site = await s.store.getSite(item.siteId);
    const url = site?.settings.webhookUrl;
    // The URL is read now: a hook removed or moved since the comment does not get the old address.
    if (!url) return s.store.settleWebhook(item.id, lease, { done: true, at: s.now(), error: 'no webhook URL' });
    const error = await attempt(s, url, item.siteId, item.event, item.body);
    if (!error) {
      delivered++;
      return s.store.settleWebhook(item.id, lease, { done: true, at: s.now() });
    }
    const wait = s.webhookRetryDelays[item.attempts - 1];
    if (wait === undefined) {
      console.warn(`taliq: webhook ${item.event} for site ${item.siteId} not delivered after ${item.attempts} attempts: ${error}`);
      return s.store.settleWebhook(item.id, lease, { done: true, at: s.now(), error });
    }
    return s.store.settleWebhook(item.id, lease, { done: false, nextAt: s.now() + wait, error });
  }));
  return delivered;
}

/** One POST; answers why it failed, or null. */
async function attempt(s: Services, url: string, siteId: string, event: string, body: string): Promise<string | null> {
  try {
    const secrets = await verifyingSecrets(s, siteId, 'webhook');
    if (secrets.length === 0) return 'no such site';
    const signature = await signPayload(secrets, Math.floor(Date.now() / 1000), body);
    const res = await s.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'taliq-signature': signature, 'taliq-event': event, 'user-agent': 'Taliq-Webhook/1' },
      body,
      signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
      redirect: 'manual',
    });
    await res.body?.cancel();
    return res.ok ? null : `HTTP ${res.status}`;
  } catch (e) {
    return (e as Error).message || 'network error';
  }
}
