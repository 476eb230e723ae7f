#!/usr/bin/env node
// The `taliq` command. The build (npm install runs it) puts the compiled CLI in dist/server.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/server/cli.js', import.meta.url);
if (!existsSync(cli)) {
  console.error('taliq: not built yet; run `npm run build` (npm install does it) in the Taliq folder');
  process.exit(1);
}
const { run } = await import(cli.href);
await run();
