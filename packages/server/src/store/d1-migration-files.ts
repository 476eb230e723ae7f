/** The D1 migrations as wrangler reads them: one .sql file per migration, named as migrate.ts records them. */
import { migrationFile, splitStatements } from './migrate.js';
import { migrations } from './migrations.js';

export const d1MigrationFiles = () =>
  migrations.map((m) => ({
    file: migrationFile(m),
    sql: `-- Generated from packages/server/src/store/migrations.ts (npm run migrations:d1); do not edit.\n${splitStatements(m.d1 ?? m.sqlite).map((s) => `${s};\n`).join('\n')}`,
  }));
