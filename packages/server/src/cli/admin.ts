/**
 * What the CLI's commands need of a Taliq deployment, however it is reached: the store on this
 * machine (local-admin.ts) or a server's HTTP API (remote-admin.ts), so that the same commands
 * work for a Node server and for a Worker. Commands (commands.ts) are written once against it.
 *
 * Inputs are checked by the commands before they get here; what a backend finds wrong (no such
 * site, a conflict, a refused token) it throws, and cli.ts prints.
 */
import type { PrivacyErased, PrivacyExport, Role, SiteSettings, TokenView } from '../../../shared/src/index.js';
import type { exportSite } from '../importers/export.js';
import type { ImportResult } from '../importers/import.js';
import type { ImportData } from '../importers/types.js';
import type { SecretKind, ThreadMode } from '../store/store.js';

export interface SiteView {
  id: string;
  settings: SiteSettings;
}

/** As `POST /admin/sites/{site}/secrets/{kind}/rotate` answers it: times as ISO strings. */
export interface RotatedSecretView {
  kind: SecretKind;
  secret: string;
  rotatedAt: string;
  previousValidUntil: string | null;
}

export type SiteExport = Awaited<ReturnType<typeof exportSite>>;

export interface Admin {
  /** The site with the server's defaults for what `settings` leaves out. */
  addSite(id: string, settings: Pick<SiteSettings, 'origins' | 'moderation'>): Promise<SiteView>;
  listSites(): Promise<SiteView[]>;
  getSite(id: string): Promise<SiteView>;
  /** Answers the site with every setting after the change. */
  updateSite(id: string, patch: Partial<SiteSettings>): Promise<SiteView>;
  setThreadMode(siteId: string, key: string, mode: ThreadMode): Promise<void>;
  /** A new random secret of this kind for the site; the answer is the only place it is printed. */
  rotateSecret(siteId: string, kind: SecretKind): Promise<RotatedSecretView>;

  /** `siteId` null: an admin token, valid on every site (an owner). The token is in the answer only. */
  createToken(siteId: string | null, label: string | null, role: Role): Promise<{ id: string; token: string; role: Role }>;
  listTokens(siteId?: string): Promise<TokenView[]>;
  /** false when no active token has this id. */
  revokeToken(id: string): Promise<boolean>;

  /** The removal register as CSV, for these days (YYYY-MM-DD, UTC, included). */
  removalsCsv(siteId: string, from: string | undefined, to: string | undefined): Promise<string>;
  privacyExport(email: string): Promise<PrivacyExport>;
  privacyErase(email: string): Promise<PrivacyErased>;
  exportSite(siteId: string): Promise<SiteExport>;
  /** Writes parsed comments; `file` names the import in the audit log. Running it again adds nothing. */
  importData(siteId: string, data: ImportData, file: string): Promise<ImportResult>;

  close(): Promise<void>;
}
