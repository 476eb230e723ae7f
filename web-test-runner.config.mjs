// Browser tests of the reader widget: real Chromium, real API.
// Run with `node --import tsx ./node_modules/@web/test-runner/dist/bin.js --config web-test-runner.config.mjs`
// (tsx lets this file import the TypeScript test server).
import { createServer } from 'node:net';
import { chromeLauncher } from '@web/test-runner-chrome';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { testServerMiddleware } from './test/support/wtr-server.ts';

/** A free port, chosen up front so the page's origin can be registered for the test sites. */
const freePort = () =>
  new Promise((resolve, reject) => {
    const srv = createServer().once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });

const port = Number(process.env.WTR_PORT) || (await freePort());
const hostname = 'localhost';

export default {
  files: ['test/widget/**/*.test.ts'],
  hostname,
  port,
  nodeResolve: true,
  concurrency: 1,
  testFramework: { config: { timeout: 10_000 } },
  plugins: [esbuildPlugin({ ts: true, target: 'es2022', tsconfig: 'tsconfig.json' })],
  // /api/v1/* goes to a fresh real app on a temporary SQLite file; /__test/* creates sites, seeds, approves.
  // taliq.js fetches taliq-live.js beside itself; from the sources, that is taliq-live.ts.
  middleware: [(ctx, next) => ((ctx.path = ctx.path.replace(/^(\/packages\/widget\/src\/taliq-live)\.js$/, '$1.ts')), next()), await testServerMiddleware([`http://${hostname}:${port}`, `http://127.0.0.1:${port}`])],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
        headless: true,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
          '--disable-dev-shm-usage',
        ],
      },
    }),
  ],
};
