-- Generated from packages/server/src/store/migrations.ts (npm run migrations:d1); do not edit.
CREATE TABLE site_secrets (
    site_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    secret TEXT NOT NULL,
    previous TEXT,
    previous_until INTEGER,
    rotated_at INTEGER,
    PRIMARY KEY (site_id, kind)
  );
