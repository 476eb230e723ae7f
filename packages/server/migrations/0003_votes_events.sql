-- Generated from packages/server/src/store/migrations.ts (npm run migrations:d1); do not edit.
CREATE TABLE votes (
    comment_id TEXT NOT NULL REFERENCES comments(id),
    reader_id TEXT NOT NULL,
    value INTEGER NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (comment_id, reader_id)
  );

ALTER TABLE comments ADD COLUMN hot REAL NOT NULL DEFAULT 0;

DROP INDEX comments_thread_popular;

CREATE INDEX comments_thread_hot ON comments (thread_id, hot, created_at, id)
    WHERE status = 'approved' AND parent_id IS NULL;

CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    thread_id INTEGER NOT NULL,
    type TEXT NOT NULL,
    comment_id TEXT NOT NULL,
    at INTEGER NOT NULL
  );

CREATE INDEX events_thread ON events (thread_id, id);
