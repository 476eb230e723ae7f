/**
 * The reader flow (test/support/reader-flow.ts) against the real `taliq serve` on a SQLite file,
 * administered with the `taliq` CLI on the same file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readerFlow } from '../support/reader-flow.js';
import { startServer, taliq } from '../support/process.js';

readerFlow(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'taliq-e2e-'));
  const env = { TALIQ_DB: join(dir, 'taliq.db') };
  const server = await startServer([], env);
  const cli = async (args: string[]) => {
    const res = await taliq(args, env);
    if (res.code !== 0) throw new Error(`taliq ${args.join(' ')} failed: ${res.stderr}`);
    return res.stdout;
  };
  return {
    url: server.url,
    addSite: async (id, origin) => {
      await cli(['sites', 'add', id, '--origin', origin]);
      return (await cli(['tokens', 'create', '--site', id])).trim();
    },
    setSetting: async (id, key, value) => void (await cli(['sites', 'set', id, key, JSON.stringify(value)])),
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
