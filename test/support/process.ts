/**
 * The real `taliq` command in a child process, as a self-hoster runs it: for the CLI, end-to-end
 * and crash tests. Needs the build (npm test builds first).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const TALIQ_BIN = fileURLToPath(new URL('../../bin/taliq.js', import.meta.url));

/**
 * CI sets DATABASE_URL and REDIS_URL for the tests of those stores; these processes use SQLite and
 * in-memory limits unless told otherwise, and the local store unless a test gives TALIQ_API.
 */
const childEnv = (env: Record<string, string>) => ({ ...process.env, DATABASE_URL: '', REDIS_URL: '', TALIQ_API: '', ...env });

export async function taliq(args: string[], env: Record<string, string> = {}) {
  try {
    // Run as installed: through the file's own #! line, with its heap flags.
    const { stdout, stderr } = await promisify(execFile)(TALIQ_BIN, args, { env: childEnv(env) });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

export interface ServerProcess {
  url: string;
  port: number;
  output: () => string;
  child: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** The Node flags on bin/taliq.js's `#!` line (the heap flags it is run with). */
const shebangFlags = () => readFileSync(TALIQ_BIN, 'utf8').split('\n')[0].split(/\s+/).filter((a) => a.startsWith('--'));

/**
 * Starts `taliq serve` on a free port and waits until it listens. With `nodeArgs` (e.g.
 * `--cpu-prof`, which NODE_OPTIONS refuses) Node is started explicitly, with the `#!` line's flags.
 */
export function startServer(args: string[], env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<ServerProcess> {
  const [cmd, argv] = nodeArgs.length ? [process.execPath, [...shebangFlags(), ...nodeArgs, TALIQ_BIN]] : [TALIQ_BIN, []];
  const child = spawn(cmd, [...argv, 'serve', '--port', '0', ...args], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  return listening(child, 'taliq serve', 15_000);
}

export const WORKER_DEV = fileURLToPath(new URL('../../packages/server/src/runtime/worker-dev.ts', import.meta.url));

/**
 * Starts `npm run start:worker` (the Worker on workerd through Miniflare) on a free port, with its
 * local D1 and Durable Objects under `env.TALIQ_WORKER_DATA`, and waits until it listens.
 */
export function startWorkerServer(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER_DEV], { env: childEnv({ PORT: '0', ...env }), stdio: ['ignore', 'pipe', 'pipe'] });
  // A stale dist/ is rebuilt first, which takes a while.
  return listening(child, 'start:worker', 180_000);
}

/** Waits for the "listening on" line both servers print once they answer. */
async function listening(child: ChildProcess, name: string, ms: number): Promise<ServerProcess> {
  let out = '';
  child.stderr!.on('data', (d) => (out += d));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${out}`)), ms);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = out.match(/listening on http:\/\/localhost:(\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}:\n${out}`)));
  });
  return {
    url: `http://localhost:${port}`,
    port,
    output: () => out,
    child,
    stop: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}

/** Tests post many comments from one address: lift the site's rate limits out of their way. */
export async function liftLimits(site: string, env: Record<string, string>) {
  const open = { perReader: 1_000_000, perIp: 1_000_000, windowSeconds: 60 };
  const res = await taliq(['sites', 'set', site, 'limits', JSON.stringify({ posts: open, votes: open, reports: open })], env);
  if (res.code !== 0) throw new Error(`taliq sites set ${site} limits failed: ${res.stderr}`);
}
