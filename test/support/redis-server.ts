/**
 * A redis-server of the test's own, on a free port, that the test may kill, pause and start
 * again on the same port: the shared Redis other tests use (REDIS_URL) is never touched.
 * Nothing is saved to disk; the process is killed when the test process exits, if not before.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export const REDIS_SERVER = '/usr/bin/redis-server';

export interface RedisServer {
  port: number;
  url: string;
  /** Kills it (SIGKILL: gone at once, as a crash or a lost node) and waits until it has exited. */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty; waits until it accepts connections. */
  start(): Promise<void>;
  /** SIGSTOP: connections stay open and nothing answers, as with a hung or partitioned server. */
  pause(): void;
  resume(): void;
}

const live = new Set<ChildProcess>();
let hooked = false;

/** A port nothing listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function launch(port: number): Promise<ChildProcess> {
  const child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (!hooked) {
    hooked = true;
    process.once('exit', () => {
      for (const c of live) c.kill('SIGKILL');
    });
  }
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (child.kill('SIGKILL'), reject(new Error(`redis-server did not start on ${port}:\n${out}`))), 10_000);
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.stderr!.on('data', (d) => (out += d));
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`redis-server exited with ${code}:\n${out}`))));
  });
}

/** Starts a redis-server on `port` (a free one by default). */
export async function startRedisServer(port?: number): Promise<RedisServer> {
  const p = port ?? (await freePort());
  let child: ChildProcess | undefined = await launch(p);
  const kill = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGKILL');
    });
  };
  return {
    port: p,
    url: `redis://127.0.0.1:${p}`,
    kill,
    start: async () => {
      await kill();
      child = await launch(p);
    },
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
  };
}
