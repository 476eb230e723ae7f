/**
 * `npm run start:worker`: the demo on workerd, locally, through Miniflare: the Worker as built
 * (rebuilt first when a source is newer than dist/worker/index.js), a local D1 and Durable
 * Objects persisted under ./data/worker (TALIQ_WORKER_DATA), on PORT (8787), with the demo site
 * and its moderator token printed as `npm start` prints them. TALIQ_SECRET and TALIQ_ADMIN_TOKEN
 * (and TALIQ_ALLOWED_HOOK_HOSTS, TALIQ_SECRET_GRACE_SECONDS) are passed to the Worker as its secrets.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Miniflare } from 'miniflare';
import { ensureDemo } from '../demo.js';
import { openD1Store, type D1Like } from '../store/d1.js';
import { projectRoot } from './node.js';
import { workerOptions } from './worker-options.js';

const root = projectRoot();
const BUNDLE = join(root, 'dist/worker/index.js');
const SOURCES = ['packages', 'examples', 'rollup.config.mjs', 'tsconfig.json', 'tsconfig.worker.json', 'package.json'];

/** The newest modification time under `path` (node_modules and dist left out). */
function newest(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let t = 0;
  for (const name of readdirSync(path)) if (name !== 'node_modules' && name !== 'dist') t = Math.max(t, newest(join(path, name)));
  return t;
}

if (!existsSync(BUNDLE) || statSync(BUNDLE).mtimeMs < Math.max(...SOURCES.map((p) => newest(join(root, p))))) {
  console.log('Building (dist/worker is older than the sources)…');
  execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
}

const port = Number(process.env.PORT || 8787);
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, not "${process.env.PORT}"`);
const data = process.env.TALIQ_WORKER_DATA || join(root, 'data/worker');
const secrets = Object.fromEntries(['TALIQ_SECRET', 'TALIQ_ADMIN_TOKEN', 'TALIQ_ALLOWED_HOOK_HOSTS', 'TALIQ_SECRET_GRACE_SECONDS'].flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : [])));

const mf = new Miniflare({
  ...workerOptions(root, { TALIQ_DEMO: '1', ...secrets }),
  host: process.env.HOST || '127.0.0.1',
  port,
  d1Persist: join(data, 'd1'),
  durableObjectsPersist: join(data, 'durable-objects'),
});
const url = await mf.ready;
const origin = `http://localhost:${url.port}`;

// The demo site and a fresh token, written to the Worker's own D1 from here.
const store = await openD1Store((await mf.getD1Database('DB')) as unknown as D1Like);
const { token } = await ensureDemo(store, Number(url.port));
console.log([
  `Taliq listening on ${origin}  (store: ${store.engine}, on workerd)`,
  `Demo article:        ${origin}/`,
  `Demo site:           demo  (pre-moderation)`,
  `Moderator token:     ${token}`,
  `List pending:        curl -H "Authorization: Bearer ${token}" ${origin}/api/v1/admin/sites/demo/comments`,
].join('\n'));

const stop = () => mf.dispose().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
