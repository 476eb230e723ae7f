/**
 * Versioned schema of the SQLite store. Append a migration; never edit one that has shipped.
 * Each runs in a transaction with its version recorded, so a crash mid-migration leaves the
 * database at the previous version.
 */
export const sqliteMigrations: string[] = [
  /* 1: sites, threads, comments, moderator tokens, audit, meta */ `
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
  -- Keyset pagination: page N costs what page 1 costs.
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
  `,
  /* 2: moderation: search text, reader history, reports, bans, removal register, thread modes */ `
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
  `,
  /* 3: votes, a "hot" score for the popular sort, and the event log behind live updates */ `
  CREATE TABLE votes (
    comment_id TEXT NOT NULL REFERENCES comments(id),
    reader_id TEXT NOT NULL,
    value INTEGER NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (comment_id, reader_id)
  );
  ALTER TABLE comments ADD COLUMN hot REAL NOT NULL DEFAULT 0;
  UPDATE comments SET hot = created_at / 45000000.0
    + (CASE WHEN likes - dislikes > 0 THEN 1 WHEN likes - dislikes < 0 THEN -1 ELSE 0 END)
      * (CASE WHEN abs(likes - dislikes) > 1 THEN log10(abs(likes - dislikes)) ELSE 0 END);
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
  `,
  /* 4: duplicate detection: a hash of each long body's normalized text */ `
  ALTER TABLE comments ADD COLUMN body_hash TEXT;
  CREATE INDEX comments_duplicates ON comments (thread_id, body_hash, created_at) WHERE body_hash IS NOT NULL;
  `,
];
