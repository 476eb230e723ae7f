-- Generated from packages/server/src/store/migrations.ts (npm run migrations:d1); do not edit.
ALTER TABLE moderator_tokens ADD COLUMN role TEXT NOT NULL DEFAULT 'owner';
