/**
 * A temp folder for a test's files, removed when its owner calls `remove()` — or, if a test
 * failed before reaching its cleanup, when the process exits. One exit hook for all of them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const live = new Set<string>();
let hooked = false;

const removeNow = (dir: string) => {
  live.delete(dir);
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
};

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  live.add(path);
  if (!hooked) {
    hooked = true;
    process.once('exit', () => {
      for (const dir of [...live]) removeNow(dir);
    });
  }
  return { path, remove: () => removeNow(path) };
}
