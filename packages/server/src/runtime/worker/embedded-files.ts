/** The bundles and pages embedded in the Worker bundle at build time (decision 0008), as bytes. */
import embedded from 'taliq:static-files';
import type { StaticFiles, StaticName } from '../../static-routes.js';

export function embeddedFiles(): StaticFiles {
  const files: StaticFiles = {};
  for (const [name, { base64, type }] of Object.entries(embedded)) {
    files[name as StaticName] = { body: Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0)), type };
  }
  return files;
}
