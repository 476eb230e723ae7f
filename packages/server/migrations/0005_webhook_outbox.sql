-- Generated from packages/server/src/store/migrations.ts (npm run migrations:d1); do not edit.
CREATE TABLE webhook_outbox (
    id INTEGER PRIMARY KEY,
    site_id TEXT NOT NULL,
    event TEXT NOT NULL,
    body TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at INTEGER NOT NULL,
    lease_until INTEGER,
    lease TEXT,
    created_at INTEGER NOT NULL,
    done_at INTEGER,
    last_error TEXT
  );

CREATE INDEX webhook_outbox_due ON webhook_outbox (next_at) WHERE done_at IS NULL;
