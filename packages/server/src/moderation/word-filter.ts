/**
 * Banned and suspect word lists, matched after normalizeText() on both sides.
 * An entry is matched as a whole word by default (with the Arabic clitics a writer glues on:
 * و ف ب ل ك ال before it, and for words of four letters or more the pronoun and plural endings
 * after it), or anywhere inside a word when written between stars: `*word*`.
 */
import { normalizeText } from './normalize.js';

const PREFIX = '(?:وال|بال|فال|كال|لل|ال|و|ف|ب|ل|ك)?';
const SUFFIX = '(?:هات|هما|هم|هن|ها|ات|ين|ون|ان|كم|نا|ه|ك|ي)?';
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export interface WordMatch {
  /** The list entry as the moderator wrote it. */
  entry: string;
}

export interface WordFilter {
  match(text: string): WordMatch | null;
}

export function compileWordFilter(entries: readonly string[]): WordFilter {
  const byNormal = new Map<string, string>();
  const whole: string[] = [];
  const longWhole: string[] = [];
  const inside: string[] = [];
  for (const entry of entries) {
    const substring = /^\*.+\*$/s.test(entry.trim());
    const normal = normalizeText(substring ? entry.trim().slice(1, -1) : entry);
    if (!normal) continue;
    byNormal.set(normal, entry);
    (substring ? inside : [...normal].length >= 4 ? longWhole : whole).push(normal);
  }
  const alt = (list: string[]) => list.sort((a, b) => b.length - a.length).map(escape).join('|');
  const parts: string[] = [];
  if (whole.length) parts.push(`(?<![\\p{L}\\p{N}])${PREFIX}(${alt(whole)})(?![\\p{L}\\p{N}])`);
  if (longWhole.length) parts.push(`(?<![\\p{L}\\p{N}])${PREFIX}(${alt(longWhole)})${SUFFIX}(?![\\p{L}\\p{N}])`);
  if (inside.length) parts.push(`(${alt(inside)})`);
  if (!parts.length) return { match: () => null };
  const re = new RegExp(parts.join('|'), 'u');
  // Also try the text with every separator removed, for substring entries split by spaces or dots.
  const reInside = inside.length ? new RegExp(`(${alt(inside)})`, 'u') : null;
  return {
    match(text: string) {
      const normal = normalizeText(text);
      const m = re.exec(normal) ?? reInside?.exec(normal.replace(/[^\p{L}\p{N}]/gu, ''));
      if (!m) return null;
      const hit = m.slice(1).find((g) => g !== undefined)!;
      return { entry: byNormal.get(hit) ?? hit };
    },
  };
}

/** Compiled filters are cached per list, since a site's lists change rarely and are used on every post. */
const cache = new Map<string, WordFilter>();
export function wordFilter(entries: readonly string[]): WordFilter {
  const key = JSON.stringify(entries);
  let f = cache.get(key);
  if (!f) {
    if (cache.size > 100) cache.clear();
    cache.set(key, (f = compileWordFilter(entries)));
  }
  return f;
}
