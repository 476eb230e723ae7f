-- Generated from packages/server/src/store/migrations.ts (npm run migrations:d1); do not edit.
ALTER TABLE comments ADD COLUMN body_hash TEXT;

CREATE INDEX comments_duplicates ON comments (thread_id, body_hash, created_at) WHERE body_hash IS NOT NULL;
