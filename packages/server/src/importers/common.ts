/** Helpers the importers share: thread keys from URLs, emails, names, hashes. */
import { LIMITS } from '../../../shared/src/limits.js';
import { PLAUSIBLE_EMAIL } from '../../../shared/src/operator.js';
import { ANONYMOUS, type ImportComment, type ImportData, type ImportSkip, type ImportThread } from './types.js';
import { line } from './html.js';

/**
 * The thread key of a page: its URL's path, as the widget takes it by default (the canonical
 * URL's pathname). A path of "/" with a query (WordPress's `/?p=4`) keeps the query, so that such
 * pages do not all become the home page's thread. Null when the URL is not an http(s) URL.
 */
export function keyFromUrl(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  let path = u.pathname;
  try {
    path = decodeURI(path);
  } catch {
    // keep it percent-encoded
  }
  return path === '/' && u.search ? `/${u.search}` : path;
}

/** A usable thread key: no control characters, within the limit; else null. */
export function checkKey(key: string | null): string | null {
  if (!key) return null;
  const k = key.trim();
  if (!k || k.length > LIMITS.threadKeyMax || /[\u0000-\u001F\u007F]/.test(k)) return null;
  return k;
}

/** An http(s) URL within the limit, else null. */
export function checkUrl(url: string): string | null {
  const u = url.trim();
  if (!u || u.length > LIMITS.urlMax || !/^https?:\/\//i.test(u) || !URL.canParse(u)) return null;
  return u;
}

/** A plausible email address (trimmed, lower-cased domain), else null. */
export function checkEmail(email: string): string | null {
  const e = email.trim();
  if (!e || e.length > LIMITS.emailMax || !PLAUSIBLE_EMAIL.test(e)) return null;
  const at = e.lastIndexOf('@');
  return e.slice(0, at) + '@' + e.slice(at + 1).toLowerCase();
}

/** The author's name as stored: one line, cleaned, at most nameMax; ANONYMOUS when empty. */
export function authorName(name: string, html = false): string {
  const n = line(name, LIMITS.nameMax, html);
  return /[\p{L}\p{N}\p{P}\p{S}]/u.test(n) ? n : ANONYMOUS;
}

/** Has visible text (not only marks such as RLM). */
export const visible = (s: string) => /[\p{L}\p{N}\p{P}\p{S}]/u.test(s);

/** FNV-1a, 64 bits, hex: a stable id for a source comment that has none. */
export function stableHash(s: string): string {
  let h = 0xcbf29ce484222325n;
  for (const b of new TextEncoder().encode(s)) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0');
}

/**
 * The parsed comments made consistent: a parent that is missing, skipped, in another thread or
 * part of a cycle is dropped (the reply becomes top-level); comments come oldest first with every
 * parent before its replies; only threads that have comments are kept.
 */
export function finish(source: ImportData['source'], threads: Map<string, ImportThread>, comments: ImportComment[], skipped: ImportSkip[]): ImportData {
  const byId = new Map(comments.map((c) => [c.sourceId, c]));
  for (const c of comments) {
    const p = c.parentSourceId == null ? undefined : byId.get(c.parentSourceId);
    if (!p || p.threadKey !== c.threadKey || p === c) c.parentSourceId = null;
  }
  // Break cycles: walk up from each comment; a walk that comes back to itself loses its link.
  for (const c of comments) {
    const seen = new Set<ImportComment>([c]);
    for (let p = c.parentSourceId == null ? undefined : byId.get(c.parentSourceId); p; p = p.parentSourceId == null ? undefined : byId.get(p.parentSourceId)) {
      if (seen.has(p)) {
        c.parentSourceId = null;
        break;
      }
      seen.add(p);
    }
  }
  const sorted = [...comments].sort((a, b) => a.createdAt - b.createdAt || (a.sourceId < b.sourceId ? -1 : a.sourceId > b.sourceId ? 1 : 0));
  const out: ImportComment[] = [];
  const placed = new Set<string>();
  const place = (c: ImportComment) => {
    if (placed.has(c.sourceId)) return;
    if (c.parentSourceId != null) place(byId.get(c.parentSourceId)!);
    placed.add(c.sourceId);
    out.push(c);
  };
  for (const c of sorted) place(c);
  const used = new Set(out.map((c) => c.threadKey));
  return { source, threads: [...threads.values()].filter((t) => used.has(t.key)), comments: out, skipped };
}
