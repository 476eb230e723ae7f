/**
 * The data bench/store.ts loads into every engine, as SQL that generates it inside the database
 * (a fixture loader, not the product's write path): COMMENTS approved comments over THREADS
 * threads of one site. Thread 1, the largest, has LARGEST top-level comments and one reply
 * after every ten; the others share the rest, one reply after every four top-level comments.
 * Comment n (from 1) is `c` + n on 7 digits, written at BASE + n seconds, so ids and times grow
 * together and every thread's comments lie in one block of n.
 *
 * Also imported by the D1 worker (bench/store-worker.ts), so: no Node imports here.
 */
import type { NewStoredComment } from '../packages/server/src/store/store.js';

export const SITE = 'bench';
export const BASE = Date.UTC(2026, 0, 1);
export const PAGE = 20;

export interface Shape {
  comments: number;
  threads: number;
  /** Rows of thread 1: its top-level comments and their replies. */
  big: number;
  /** Rows of every other thread (the last may have fewer). */
  per: number;
}

export function shape(comments: number, threads: number, largest: number): Shape {
  const big = Math.min(largest + Math.floor(largest / 10), Math.floor(comments / 2));
  threads = Math.max(2, Math.min(threads, comments - big + 1));
  return { comments, threads, big, per: Math.ceil((comments - big) / (threads - 1)) };
}

const BODY = 'على المقال: رأي القارئ في الموضوع بتفصيل معقول، وأتمنى أن يقرأه المسؤولون ويأخذوا به.';

/** The comment columns the fixture fills; the others keep their defaults. */
const COLUMNS = 'id, site_id, thread_id, parent_id, root_id, author_name, reader_id, verified, body, status, reasons, created_at, likes, dislikes, reports, flagged, search_text, hot';

/** SQLite and D1: threads 1..threads. Params: none. */
export const sqliteThreads = (s: Shape) => `
  INSERT INTO threads (id, site_id, key, title, url, created_at)
  WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ${s.threads})
  SELECT i, '${SITE}', 'thread-' || i, 'مقال رقم ' || i, 'https://bench.example.ma/' || i, ${BASE} FROM seq`;

/** SQLite and D1: comments from..to (params: from, to). */
export const sqliteComments = (s: Shape) => `
  INSERT INTO comments (${COLUMNS})
  WITH RECURSIVE seq(n) AS (SELECT CAST(? AS INTEGER) UNION ALL SELECT n + 1 FROM seq WHERE n < CAST(? AS INTEGER)),
  c AS (SELECT n,
          CASE WHEN n <= ${s.big} THEN 1 ELSE 2 + (n - ${s.big} - 1) / ${s.per} END AS t,
          CASE WHEN n <= ${s.big} THEN n - 1 ELSE (n - ${s.big} - 1) % ${s.per} END AS k,
          CASE WHEN n <= ${s.big} THEN 11 ELSE 5 END AS p
        FROM seq)
  SELECT printf('c%07d', n), '${SITE}', t,
         CASE WHEN k % p = p - 1 THEN printf('c%07d', n - 1) END,
         CASE WHEN k % p = p - 1 THEN printf('c%07d', n - 1) END,
         'قارئ ' || n, 'reader' || (n % 50000), 0, 'تعليق رقم ' || n || ' ${BODY}', 'approved', '[]',
         ${BASE} + n * 1000, 0, 0, 0, 0, '', (${BASE} + n * 1000) / 45000000.0
  FROM c`;

/** PostgreSQL: threads. */
export const pgThreads = (s: Shape) => `
  INSERT INTO threads (id, site_id, key, title, url, created_at)
  SELECT i, '${SITE}', 'thread-' || i, 'مقال رقم ' || i, 'https://bench.example.ma/' || i, ${BASE} FROM generate_series(1, ${s.threads}) i`;

/** PostgreSQL: comments $1..$2. */
export const pgComments = (s: Shape) => `
  INSERT INTO comments (${COLUMNS})
  SELECT 'c' || lpad(n::text, 7, '0'), '${SITE}', t,
         CASE WHEN k % p = p - 1 THEN 'c' || lpad((n - 1)::text, 7, '0') END,
         CASE WHEN k % p = p - 1 THEN 'c' || lpad((n - 1)::text, 7, '0') END,
         'قارئ ' || n, 'reader' || (n % 50000), false, 'تعليق رقم ' || n || ' ${BODY}', 'approved', '[]',
         ${BASE} + n * 1000, 0, 0, 0, false, '', (${BASE} + n * 1000) / 45000000.0
  FROM (SELECT n,
          CASE WHEN n <= ${s.big} THEN 1 ELSE 2 + (n - ${s.big} - 1) / ${s.per} END AS t,
          CASE WHEN n <= ${s.big} THEN n - 1 ELSE (n - ${s.big} - 1) % ${s.per} END AS k,
          CASE WHEN n <= ${s.big} THEN 11 ELSE 5 END AS p
        FROM generate_series($1::bigint, $2::bigint) n) s`;

/** A new comment on thread 1, as postComment() hands it to the store: approved, so it logs an event too. */
export function newComment(prefix: string, n: number, now: number): NewStoredComment {
  return {
    id: `${prefix}${n}`,
    siteId: SITE,
    threadId: 1,
    parentId: null,
    rootId: null,
    authorName: `قارئ جديد ${n}`,
    authorEmail: null,
    readerId: `${prefix}reader${n}`,
    ipHash: null,
    verified: false,
    body: `تعليق جديد رقم ${n} ${BODY}`,
    status: 'approved',
    reasons: [],
    flagged: false,
    createdAt: now,
    idempotencyKey: null,
    searchText: '',
    bodyHash: null,
  };
}
