/**
 * Splits comment text into plain runs and http(s) links, so every view (widget, dashboard,
 * server-rendered HTML) makes anchors of exactly the same things and of nothing else.
 * Trailing punctuation (Latin and Arabic) stays outside the link.
 */
export type TextPart = { text: string; url?: undefined } | { url: string; text?: undefined };

const URL_RE = /\bhttps?:\/\/[^\s<>"'`]+/gi;
const TRAILING = /[.,;:!?؟،؛)\]}»"']+$/;

export function splitLinks(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    const url = m[0].replace(TRAILING, '');
    const start = m.index!;
    // Only well-formed http(s) URLs become links; anything else stays text.
    let ok = false;
    try {
      ok = /^https?:$/.test(new URL(url).protocol);
    } catch {
      ok = false;
    }
    if (!ok || !url) continue;
    if (start > last) parts.push({ text: text.slice(last, start) });
    parts.push({ url });
    last = start + url.length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}
