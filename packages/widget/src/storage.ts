/**
 * What the widget keeps in the host page's localStorage, all under `taliq:` keys:
 * - the anonymous reader's name (`taliq:name`);
 * - the draft of each thread (`taliq:draft:SITE:THREAD`), with the Idempotency-Key of the last
 *   attempt to send it, so a retry of the same text is recognised by the server;
 * - receipts (`taliq:receipts:SITE:THREAD`): id + edit token of the reader's own comments, to show
 *   them "awaiting review" after a reload.
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

/** Receipts kept per thread: as many as one `/comments/mine` request may carry. */
export const RECEIPTS_KEPT = LIMITS.receiptsMax;

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
 * After asking the server about the receipts in `asked`, keeps those whose comment is still in
 * `keepIds` (pending) and any receipt added meanwhile; drops the rest (approved, rejected, deleted, unknown).
 */
export function pruneReceipts(site: string, thread: string, asked: readonly Receipt[], keepIds: ReadonlySet<string>): void {
  const askedTokens = new Set(asked.map((r) => r.token));
  const kept = loadReceipts(site, thread).filter((r) => !askedTokens.has(r.token) || keepIds.has(r.id));
  write(threadKey('receipts', site, thread), kept.length ? kept : null);
}
