-- Generated from packages/server/src/store/migrations.ts (npm run migrations:d1); do not edit.
ALTER TABLE bans ADD COLUMN covers_ip INTEGER NOT NULL DEFAULT 0;

UPDATE bans SET covers_ip = 1 WHERE ip_hash IS NOT NULL;
