/**
 * Splits comment text into plain runs and http(s) links, so every view (widget, dashboard,
 * server-rendered HTML) makes anchors of exactly the same things and of nothing else.
 * Trailing punctuation (Latin and Arabic) stays outside the link.
 */
export type TextPart = { text: string; url?: undefined } | { url: string; text?: undefined };

const URL_RE = /(https?:\/\/[^\s<>"'`]+)/i;
const TRAILING = /[.,;:!?؟،؛)\]}»"']+$/;

// Kept small: the reader's bundle carries it.
export function splitLinks(text: string): TextPart[] {
  const parts: TextPart[] = [];
  const add = (t: string) => {
    const last = parts[parts.length - 1];
    if (!t) return;
    if (last?.text !== undefined) last.text += t;
    else parts.push({ text: t });
  };
  text.split(URL_RE).forEach((chunk, i) => {
    if (i % 2 === 0) return add(chunk);
    const url = chunk.replace(TRAILING, '');
    if (/^https?:\/\/./i.test(url)) parts.push({ url });
    else add(url);
    add(chunk.slice(url.length));
  });
  return parts;
}
