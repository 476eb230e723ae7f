#!/usr/bin/env -S node --max-old-space-size=128 --max-semi-space-size=4
// The heap flags keep a busy server's memory in budget (under 120 MiB at 50 connections):
// without them V8 lets garbage from thousands of requests a second pile up to ~200 MiB.
// The `taliq` command. The build (npm install runs it) puts the compiled CLI in dist/server.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/server/cli.js', import.meta.url);
if (!existsSync(cli)) {
  console.error('taliq: not built yet; run `npm run build` (npm install does it) in the Taliq folder');
  process.exit(1);
}
const { run } = await import(cli.href);
await run();
