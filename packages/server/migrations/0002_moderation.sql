-- Generated from packages/server/src/store/migrations.ts (npm run migrations:d1); do not edit.
ALTER TABLE comments ADD COLUMN search_text TEXT NOT NULL DEFAULT '';

ALTER TABLE comments ADD COLUMN ip_hash TEXT;

ALTER TABLE threads ADD COLUMN mode TEXT NOT NULL DEFAULT 'open';

CREATE INDEX comments_reader ON comments (site_id, reader_id, created_at);

CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    comment_id TEXT NOT NULL REFERENCES comments(id),
    reader_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    note TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (comment_id, reader_id)
  );

CREATE TABLE bans (
    id TEXT PRIMARY KEY,
    site_id TEXT NOT NULL REFERENCES sites(id),
    reader_id TEXT NOT NULL,
    ip_hash TEXT,
    shadow INTEGER NOT NULL DEFAULT 0,
    reason TEXT,
    expires_at INTEGER,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    lifted_at INTEGER
  );

CREATE INDEX bans_reader ON bans (site_id, reader_id);

CREATE INDEX bans_ip ON bans (site_id, ip_hash);

CREATE TABLE removals (
    id INTEGER PRIMARY KEY,
    site_id TEXT NOT NULL,
    comment_id TEXT NOT NULL,
    status TEXT NOT NULL,
    thread_key TEXT NOT NULL,
    thread_title TEXT,
    thread_url TEXT,
    author_name TEXT NOT NULL,
    reader_id TEXT,
    body TEXT NOT NULL,
    codes TEXT NOT NULL,
    reason TEXT,
    moderator TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    at INTEGER NOT NULL
  );

CREATE INDEX removals_site_at ON removals (site_id, at);
