/**
 * Miniflare options from wrangler.jsonc, so `npm run start:worker` and the Worker tests run the
 * configuration that `wrangler deploy` deploys: same entry, compatibility date, D1 and Durable
 * Object bindings, vars. Node only (it reads files); the Worker itself never imports this.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkerOptions } from 'miniflare';

interface WranglerConfig {
  main: string;
  compatibility_date: string;
  compatibility_flags?: string[];
  d1_databases: { binding: string; database_id: string }[];
  durable_objects: { bindings: { name: string; class_name: string }[] };
  migrations: { new_sqlite_classes?: string[] }[];
  triggers?: { crons?: string[] };
  vars?: Record<string, string>;
}

/** JSON with comments and trailing commas, as wrangler reads it. Strings are kept whole ("*\/5 * * * *"). */
export function parseJsonc(text: string): unknown {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      const end = /"(?:[^"\\]|\\.)*"/y;
      end.lastIndex = i;
      const m = end.exec(text);
      if (!m) throw new SyntaxError('Unterminated string in JSONC');
      out += m[0];
      i += m[0].length - 1;
    } else if (ch === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (ch === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      if (close < 0) throw new SyntaxError('Unterminated comment in JSONC');
      i = close + 1;
    } else out += ch;
  }
  return JSON.parse(out.replace(/,(\s*[}\]])/g, '$1'));
}

export const readWranglerConfig = (root: string) => parseJsonc(readFileSync(join(root, 'wrangler.jsonc'), 'utf8')) as WranglerConfig;

/** One Worker as wrangler.jsonc describes it, with extra vars (secrets in dev and tests). */
export function workerOptions(root: string, bindings: Record<string, string> = {}): WorkerOptions & { modules: true; scriptPath: string } {
  const config = readWranglerConfig(root);
  const sqlite = new Set(config.migrations.flatMap((m) => m.new_sqlite_classes ?? []));
  return {
    modules: true,
    scriptPath: join(root, config.main),
    compatibilityDate: config.compatibility_date,
    compatibilityFlags: config.compatibility_flags ?? [],
    d1Databases: Object.fromEntries(config.d1_databases.map((d) => [d.binding, d.database_id])),
    durableObjects: Object.fromEntries(config.durable_objects.bindings.map((b) => [b.name, { className: b.class_name, useSQLite: sqlite.has(b.class_name) }])),
    bindings: { ...config.vars, ...bindings },
  };
}
