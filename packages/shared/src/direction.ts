/**
 * Which way a piece of text reads, by the majority of its strong letters: "Apple أفضل شركة في
 * المغرب" is right-to-left although it starts with a Latin word (the browser's dir="auto" looks
 * at the first strong letter only and gets it wrong). Links are left out of the count, so an
 * Arabic sentence around a long URL stays right-to-left. A tie, or no letter at all (an emoji, a
 * number), answers undefined: the text then takes the direction around it (the page's, the
 * widget's language). One rule for the widget (small: the reader's bundle carries it), the
 * dashboard, names and comments.html.
 */
import { LINK_RE } from './links.js';

export type Direction = 'rtl' | 'ltr' | undefined;

export function textDirection(text: string): Direction {
  const t = text.replace(new RegExp(LINK_RE, 'g'), '');
  // Letters of right-to-left scripts (Hebrew, Arabic with its supplements and presentation
  // forms, Syriac, Thaana, N'Ko) against all letters: more than half of them is right-to-left.
  const n = 2 * (t.match(/(?=\p{L})[\u0590-\u08ff\ufb1d-\ufefc]/gu) ?? []).length - (t.match(/\p{L}/gu) ?? []).length;
  return n > 0 ? 'rtl' : n < 0 ? 'ltr' : undefined;
}

/**
 * A comment's paragraphs, each with its own direction: a line is a paragraph (readers put a
 * French line and an Arabic one one under the other), and `gap` marks one that follows a blank
 * line. Empty lines themselves are not paragraphs.
 */
export function paragraphs(body: string): { text: string; dir: Direction; gap: boolean }[] {
  const out: { text: string; dir: Direction; gap: boolean }[] = [];
  let gap = false;
  for (const text of body.split('\n')) {
    if (text.trim()) out.push({ text, dir: textDirection(text), gap });
    gap = out.length > 0 && !text.trim();
  }
  return out;
}
