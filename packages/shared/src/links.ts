/**
 * Splits comment text into plain runs and http(s) links, so every view (widget, dashboard,
 * server-rendered HTML) makes anchors of exactly the same things and of nothing else.
 * Trailing punctuation (Latin and Arabic) stays outside the link.
 */
export type TextPart = { text: string; url?: undefined } | { url: string; text?: undefined };

/**
 * An http(s) URL: a run without spaces, quotes or angle brackets, ending on a character that is
 * not punctuation. Linear time: a match attempt starts only at "http", scans its run once and
 * backs off at most that run's trailing punctuation; a run where it fails holds no later start
 * (every "http" has a letter to end on). Text.split() with it gives text, URL, text, URL…, text.
 * The widget splits with it directly (kept small: the reader's bundle carries it).
 */
export const LINK_RE = /(https?:\/\/[^\s<>"'`]*[^\s<>"'`.,;:!?؟،؛)\]}»])/i;

export function splitLinks(text: string): TextPart[] {
  return text.split(LINK_RE).flatMap((chunk, i): TextPart[] => (i % 2 ? [{ url: chunk }] : chunk ? [{ text: chunk }] : []));
}
