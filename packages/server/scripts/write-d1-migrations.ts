/**
 * Writes packages/server/migrations/NNNN_name.sql from the one migration list (store/migrations.ts),
 * for self-hosters who migrate D1 with `wrangler d1 migrations apply`. Run after adding a
 * migration: `npm run migrations:d1`. test/server/migrations.test.ts fails while the files lag.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { d1MigrationFiles } from '../src/store/d1-migration-files.js';

const dir = new URL('../migrations/', import.meta.url);
mkdirSync(dir, { recursive: true });
for (const f of d1MigrationFiles()) writeFileSync(new URL(f.file, dir), f.sql);
console.log(`wrote ${d1MigrationFiles().length} files to packages/server/migrations/`);
