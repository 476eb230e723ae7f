/**
 * What the widget keeps in the host page's localStorage, all under `taliq:` keys:
 * - the reader's random id (`taliq:reader`), sent as `Taliq-Reader` with every request: the
 *   server's identity of the reader for one vote each, bans and rate limits;
 * - the anonymous reader's name (`taliq:name`);
 * - the draft of each thread (`taliq:draft:SITE:THREAD`), with the Idempotency-Key of the last
 *   attempt to send it, so a retry of the same text is recognised by the server;
 * - receipts (`taliq:receipts:SITE:THREAD`): id and edit token of the reader's own comments, to
 *   show pending ones "awaiting review" after a reload, and to edit or delete them within the
 *   site's edit window (kept while pending, or approved and within the window);
 * - the reader's votes on a site (`taliq:votes:SITE`), to show which buttons they pressed.
 * Storage may be missing, full or forbidden (private modes, sandboxed frames): every call then
 * quietly does nothing and the widget still works for this page view.
 */
import { LIMITS } from '../../shared/src/limits.js';

export interface Draft {
  body: string;
  /** Idempotency-Key of the last attempt, and the exact request body it was sent with. */
  attempt?: { key: string; payload: string };
}

export interface Receipt {
  id: string;
  token: string;
}

export type Vote = 1 | -1;

/** Receipts kept per thread: as many as one `/comments/mine` request may carry. */
export const RECEIPTS_KEPT = LIMITS.receiptsMax;
/** Votes remembered per site; the oldest are forgotten first. */
export const VOTES_KEPT = 1000;

const storage = (): Storage | null => {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
};

const read = <T>(key: string): T | null => {
  try {
    const raw = storage()?.getItem(key);
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null;
  }
};

const write = (key: string, value: unknown): void => {
  try {
    if (value == null) storage()?.removeItem(key);
    else storage()?.setItem(key, JSON.stringify(value));
  } catch {
    /* full or forbidden: keep working without it */
  }
};

// Site ids cannot contain ':', and the thread key is encoded, so keys never collide.
const threadKey = (kind: string, site: string, thread: string) => `taliq:${kind}:${site}:${encodeURIComponent(thread)}`;

/** 128 random bits as 22 base64url characters: the reader's id, Idempotency-Keys. */
export const randomId = (): string =>
  btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))))
    .slice(0, 22)
    .replace(/\+/g, '-')
    .replace(/\//g, '_');

let readerId = '';
/** The reader's random id, made once and kept in storage; where storage does not work, for this page view. */
export function loadReaderId(): string {
  const kept = read<unknown>('taliq:reader');
  if (typeof kept === 'string' && /^[\w-]{22}$/.test(kept)) return kept;
  const id = readerId || randomId();
  write('taliq:reader', id);
  readerId = read('taliq:reader') === id ? '' : id;
  return id;
}

export const loadName = (): string => {
  const name = read<unknown>('taliq:name');
  return typeof name === 'string' ? name : '';
};
export const saveName = (name: string): void => write('taliq:name', name || null);

export function loadDraft(site: string, thread: string): Draft | null {
  const d = read<Draft>(threadKey('draft', site, thread));
  return d && typeof d.body === 'string' ? d : null;
}
export function saveDraft(site: string, thread: string, draft: Draft | null): void {
  write(threadKey('draft', site, thread), draft && (draft.body || draft.attempt) ? draft : null);
}

export function loadReceipts(site: string, thread: string): Receipt[] {
  const list = read<unknown>(threadKey('receipts', site, thread));
  return Array.isArray(list)
    ? list.filter((r): r is Receipt => typeof r?.id === 'string' && typeof r?.token === 'string')
    : [];
}

/** Keeps a new receipt first, dropping the oldest past `RECEIPTS_KEPT`. */
export function addReceipt(site: string, thread: string, receipt: Receipt): void {
  const rest = loadReceipts(site, thread).filter((r) => r.id !== receipt.id);
  write(threadKey('receipts', site, thread), [receipt, ...rest].slice(0, RECEIPTS_KEPT));
}

/**
 * Keeps the receipts for which `keep` says yes, and any receipt added meanwhile (not in `asked`);
 * drops the rest. `keep` is not asked about receipts added meanwhile.
 */
export function pruneReceipts(site: string, thread: string, asked: readonly Receipt[], keep: (r: Receipt) => boolean): Receipt[] {
  const askedTokens = new Set(asked.map((r) => r.token));
  const kept = loadReceipts(site, thread).filter((r) => !askedTokens.has(r.token) || keep(r));
  write(threadKey('receipts', site, thread), kept.length ? kept : null);
  return kept;
}

export function loadVotes(site: string): Map<string, Vote> {
  const list = read<unknown>(`taliq:votes:${site}`);
  return new Map(Array.isArray(list) ? list.filter((v) => typeof v?.[0] === 'string' && (v[1] === 1 || v[1] === -1)) : []);
}

/** Remembers (or with 0 forgets) the reader's vote on a comment; the newest are kept. */
export function saveVote(site: string, id: string, value: Vote | 0): void {
  const votes = loadVotes(site);
  votes.delete(id);
  if (value) votes.set(id, value);
  write(`taliq:votes:${site}`, votes.size ? [...votes].slice(-VOTES_KEPT) : null);
}
