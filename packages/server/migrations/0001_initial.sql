-- Generated from packages/server/src/store/migrations.ts (npm run migrations:d1); do not edit.
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE sites (
    id TEXT PRIMARY KEY,
    settings TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );

CREATE TABLE threads (
    id INTEGER PRIMARY KEY,
    site_id TEXT NOT NULL REFERENCES sites(id),
    key TEXT NOT NULL,
    title TEXT,
    url TEXT,
    closed INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    UNIQUE (site_id, key)
  );

CREATE TABLE comments (
    id TEXT PRIMARY KEY,
    site_id TEXT NOT NULL REFERENCES sites(id),
    thread_id INTEGER NOT NULL REFERENCES threads(id),
    parent_id TEXT REFERENCES comments(id),
    root_id TEXT REFERENCES comments(id),
    author_name TEXT NOT NULL,
    author_email TEXT,
    reader_id TEXT,
    verified INTEGER NOT NULL DEFAULT 0,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    reasons TEXT NOT NULL DEFAULT '[]',
    created_at INTEGER NOT NULL,
    edited_at INTEGER,
    likes INTEGER NOT NULL DEFAULT 0,
    dislikes INTEGER NOT NULL DEFAULT 0,
    reports INTEGER NOT NULL DEFAULT 0,
    flagged INTEGER NOT NULL DEFAULT 0,
    idempotency_key TEXT
  );

CREATE INDEX comments_thread_top ON comments (thread_id, created_at, id)
    WHERE status = 'approved' AND parent_id IS NULL;

CREATE INDEX comments_thread_popular ON comments (thread_id, (likes - dislikes), created_at, id)
    WHERE status = 'approved' AND parent_id IS NULL;

CREATE INDEX comments_replies ON comments (root_id, created_at, id) WHERE status = 'approved';

CREATE INDEX comments_thread_status ON comments (thread_id, status);

CREATE INDEX comments_queue ON comments (site_id, status, created_at, id);

CREATE INDEX comments_flagged ON comments (site_id, created_at, id) WHERE flagged = 1;

CREATE UNIQUE INDEX comments_idempotency ON comments (site_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;

CREATE TABLE moderator_tokens (
    id TEXT PRIMARY KEY,
    site_id TEXT REFERENCES sites(id),
    hash TEXT NOT NULL UNIQUE,
    label TEXT,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
  );

CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    site_id TEXT,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT,
    before TEXT,
    after TEXT,
    at INTEGER NOT NULL
  );

CREATE INDEX audit_site ON audit (site_id, id);
