/**
 * Each site's own secrets: `sso` signs readers' sign-in tokens (HS256), `webhook` signs the
 * webhook's deliveries. They are stored per site (table site_secrets), so an owner can rotate one
 * without touching any other site, and a rotation keeps the replaced secret verifying for a grace
 * period (TALIQ_SECRET_GRACE_SECONDS, a day by default) while publishers and receivers switch.
 *
 * A new site gets random secrets. A site made before secrets were stored used a MAC of its id
 * under TALIQ_SECRET; its first read stores that value, so what its publisher signs with and its
 * receiver checks keep working after the upgrade (SQL cannot compute our MAC, so a migration could
 * not fill them in).
 */
import { randomId, type Signer } from './crypto.js';
import type { SecretKind, SiteSecret, Store } from './store/store.js';

export const SECRET_KINDS = ['sso', 'webhook'] as const satisfies readonly SecretKind[];
const PREFIX: Record<SecretKind, string> = { sso: 'ssosec_', webhook: 'whsec_' };

/** How long a replaced secret still verifies, unless TALIQ_SECRET_GRACE_SECONDS says otherwise. */
export const DEFAULT_SECRET_GRACE_SECONDS = 86_400;
/** At most 30 days: a leaked secret should not outlive its rotation for long. */
export const MAX_SECRET_GRACE_SECONDS = 30 * 86_400;

/** What the functions here need of the app's services (the CLI's local store builds its own). */
export interface SecretServices {
  store: Store;
  signer: Signer;
  now: () => number;
  secretGraceSeconds: number;
}

/** 24 random bytes, written as the derived ones were. */
export const randomSiteSecret = (kind: SecretKind) => `${PREFIX[kind]}${randomId(24)}`;

/** The secret a site had before secrets were stored: a MAC of its id under TALIQ_SECRET. */
const derivedSiteSecret = (signer: Signer, siteId: string, kind: SecretKind) => signer.mac(kind, siteId, 24).then((m) => `${PREFIX[kind]}${m}`);

/** The site's stored secret (stored now for a site made before secrets were); null: no such site. */
export async function siteSecret(s: SecretServices, siteId: string, kind: SecretKind): Promise<SiteSecret | null> {
  return (await s.store.getSiteSecret(siteId, kind)) ?? s.store.initSiteSecret(siteId, kind, await derivedSiteSecret(s.signer, siteId, kind));
}

/** The secrets that verify now, current first: the replaced one too while its grace lasts. */
export async function verifyingSecrets(s: SecretServices, siteId: string, kind: SecretKind): Promise<string[]> {
  const stored = await siteSecret(s, siteId, kind);
  if (!stored) return [];
  const inGrace = stored.previous !== null && stored.previousUntil !== null && s.now() < stored.previousUntil;
  return inGrace ? [stored.secret, stored.previous!] : [stored.secret];
}

export interface RotatedSecret {
  kind: SecretKind;
  /** The new secret: shown here once (owners can read it again in the site's settings). */
  secret: string;
  rotatedAt: number;
  /** Until when the replaced secret still verifies; null without a grace period. */
  previousValidUntil: number | null;
}

/** A new random secret for the site, the old one kept for the grace period; audited without either value. */
export async function rotateSecret(s: SecretServices, siteId: string, kind: SecretKind, actor: string): Promise<RotatedSecret | null> {
  const at = s.now();
  const graceMs = s.secretGraceSeconds * 1000;
  const secret = randomSiteSecret(kind);
  const stored = await s.store.rotateSiteSecret(siteId, kind, { secret, initial: await derivedSiteSecret(s.signer, siteId, kind), at, previousUntil: at + graceMs });
  if (!stored) return null;
  const rotated: RotatedSecret = { kind, secret, rotatedAt: at, previousValidUntil: graceMs > 0 ? at + graceMs : null };
  await s.store.addAudit({
    siteId, actor, action: 'site.secret.rotate', target: kind, before: null,
    after: { kind, previousValidUntil: rotated.previousValidUntil === null ? null : new Date(rotated.previousValidUntil).toISOString() },
    at,
  });
  return rotated;
}

/** TALIQ_SECRET_GRACE_SECONDS: whole seconds, 0 (none) to 30 days; unset or empty is the default. */
export function parseSecretGrace(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULT_SECRET_GRACE_SECONDS;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > MAX_SECRET_GRACE_SECONDS) {
    throw new Error(`TALIQ_SECRET_GRACE_SECONDS must be a whole number of seconds from 0 to ${MAX_SECRET_GRACE_SECONDS} (30 days), not "${value}"`);
  }
  return n;
}
