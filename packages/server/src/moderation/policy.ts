/**
 * Where a new (or edited) comment goes, and why. Pure: the caller gathers the facts.
 * Order of precedence: a shadow ban or a banned word sends it to spam; a suspect word, too many
 * links, or a history of rejections holds it in pending (a suspect word also flags it);
 * otherwise the thread's or the site's moderation mode decides, and a trusted reader skips
 * pre-moderation.
 */
import type { Reason, SiteSettings } from '../../../shared/src/index.js';
import type { Status } from '../../../shared/src/limits.js';
import type { ThreadMode } from '../store/store.js';
import { wordFilter } from './word-filter.js';

export interface Verdict {
  status: Status;
  reasons: Reason[];
  flagged: boolean;
}

export interface Facts {
  settings: SiteSettings;
  threadMode: ThreadMode;
  name: string;
  body: string;
  /** The reader's last decided comments, newest first. */
  history: Status[];
  shadowBanned: boolean;
  /** spam_signal reasons found on the request (form timing, duplicate…); `spam` when certain (honeypot). */
  signals?: { spam: boolean; reasons: Reason[] };
}

// http(s) links and bare www. links, as a reader would count them.
const LINK = /\bhttps?:\/\/\S+|\bwww\.\S+/gi;
export const countLinks = (body: string) => body.match(LINK)?.length ?? 0;

/** Of the last five decided comments, at least three and most of them rejected or spam: "bad/recent". */
export function badHistory(history: Status[]): string | null {
  const recent = history.slice(0, 5);
  const bad = recent.filter((s) => s !== 'approved').length;
  return recent.length >= 3 && bad * 2 > recent.length ? `${bad}/${recent.length}` : null;
}

export function isTrusted(history: Status[], trustAfter: number | null): boolean {
  return !!trustAfter && history.length >= trustAfter && history.slice(0, trustAfter).every((s) => s === 'approved');
}

export function judge(f: Facts): Verdict {
  const text = `${f.name}\n${f.body}`;
  if (f.shadowBanned) return { status: 'spam', reasons: [{ code: 'banned_reader' }], flagged: false };
  if (f.signals?.spam) return { status: 'spam', reasons: f.signals.reasons, flagged: false };
  const banned = wordFilter(f.settings.bannedWords).match(text);
  if (banned) return { status: 'spam', reasons: [{ code: 'banned_word', detail: banned.entry }], flagged: false };

  const reasons: Reason[] = [];
  const suspect = wordFilter(f.settings.suspectWords).match(text);
  if (suspect) reasons.push({ code: 'suspect_word', detail: suspect.entry });
  const links = countLinks(f.body);
  if (links > f.settings.maxLinks) reasons.push({ code: 'links', detail: String(links) });
  const history = badHistory(f.history);
  // detail "3/5": three of the reader's last five decided comments were rejected.
  if (history) reasons.push({ code: 'spam_signal', detail: history });
  reasons.push(...(f.signals?.reasons ?? []));

  const mode = f.threadMode === 'pre' || f.threadMode === 'post' ? f.threadMode : f.settings.moderation;
  if (mode === 'pre' && !isTrusted(f.history, f.settings.trustAfter)) reasons.unshift({ code: 'premoderation' });
  return { status: reasons.length ? 'pending' : 'approved', reasons, flagged: !!suspect };
}
