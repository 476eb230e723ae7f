/**
 * Which way a piece of text reads, by the majority of its strong letters: "Apple أفضل شركة في
 * المغرب" is right-to-left although it starts with a Latin word (the browser's dir="auto" looks
 * at the first strong letter only and gets it wrong). Links are left out of the count, so an
 * Arabic sentence around a long URL stays right-to-left. A tie goes to the first strong letter;
 * no letter at all answers undefined (inherit). One rule for the widget, the dashboard, names and
 * the server-rendered thread.
 */
import { LINK_RE } from './links.js';

/** Letters of right-to-left scripts: Hebrew, Arabic (with its supplements and presentation forms), Syriac, Thaana, N'Ko. */
const RTL = /[\u0590-\u07ff\u0800-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]/;
const LETTERS = /\p{L}/gu;
const LINKS = new RegExp(LINK_RE.source, 'gi');

export function textDirection(text: string): 'rtl' | 'ltr' | undefined {
  let rtl = 0;
  let ltr = 0;
  let first: 'rtl' | 'ltr' | undefined;
  for (const [letter] of text.replace(LINKS, ' ').matchAll(LETTERS)) {
    const d = RTL.test(letter) ? 'rtl' : 'ltr';
    first ??= d;
    d === 'rtl' ? rtl++ : ltr++;
  }
  return rtl > ltr ? 'rtl' : ltr > rtl ? 'ltr' : first;
}

/**
 * A comment's paragraphs, each with its own direction: a line is a paragraph (readers put a
 * French line and an Arabic one one under the other), and `gap` marks one that follows a blank
 * line. Empty lines themselves are not paragraphs.
 */
export function paragraphs(body: string): { text: string; dir: 'rtl' | 'ltr' | undefined; gap: boolean }[] {
  const out: { text: string; dir: 'rtl' | 'ltr' | undefined; gap: boolean }[] = [];
  let gap = false;
  for (const line of body.split('\n')) {
    if (!line.trim()) {
      gap = out.length > 0;
      continue;
    }
    out.push({ text: line, dir: textDirection(line), gap });
    gap = false;
  }
  return out;
}
