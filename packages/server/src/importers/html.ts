/**
 * Comment HTML from other systems made plain text, as Taliq stores it: tags removed, entities
 * decoded, <br> a line break, paragraphs and blocks separated by a blank line. A link keeps its
 * text and, when the text does not show it, its http(s) address in parentheses, since Taliq makes
 * links of the addresses it finds in a text. <script> and <style> contents are dropped.
 */
import { cleanText } from '../../../shared/src/text.js';
import { fromCodePoint } from './xml.js';

const NAMED: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00A0', shy: '\u00AD',
  laquo: '«', raquo: '»', lsaquo: '‹', rsaquo: '›', lsquo: '‘', rsquo: '’', sbquo: '‚', ldquo: '“', rdquo: '”', bdquo: '„',
  hellip: '…', ndash: '–', mdash: '—', minus: '−', bull: '•', middot: '·', prime: '′', Prime: '″',
  copy: '©', reg: '®', trade: '™', deg: '°', plusmn: '±', times: '×', divide: '÷', frac12: '½', frac14: '¼', frac34: '¾',
  euro: '€', pound: '£', yen: '¥', cent: '¢', sect: '§', para: '¶', iexcl: '¡', iquest: '¿',
  lrm: '\u200E', rlm: '\u200F', zwj: '\u200D', zwnj: '\u200C', thinsp: '\u2009', ensp: '\u2002', emsp: '\u2003',
  larr: '←', rarr: '→', uarr: '↑', darr: '↓', harr: '↔', hearts: '♥', check: '✓',
  agrave: 'à', aacute: 'á', acirc: 'â', atilde: 'ã', auml: 'ä', aring: 'å', aelig: 'æ', ccedil: 'ç',
  egrave: 'è', eacute: 'é', ecirc: 'ê', euml: 'ë', igrave: 'ì', iacute: 'í', icirc: 'î', iuml: 'ï',
  ntilde: 'ñ', ograve: 'ò', oacute: 'ó', ocirc: 'ô', otilde: 'õ', ouml: 'ö', oslash: 'ø', ugrave: 'ù', uacute: 'ú',
  ucirc: 'û', uuml: 'ü', yacute: 'ý', yuml: 'ÿ', szlig: 'ß', oelig: 'œ',
  Agrave: 'À', Aacute: 'Á', Acirc: 'Â', Atilde: 'Ã', Auml: 'Ä', Aring: 'Å', AElig: 'Æ', Ccedil: 'Ç',
  Egrave: 'È', Eacute: 'É', Ecirc: 'Ê', Euml: 'Ë', Igrave: 'Ì', Iacute: 'Í', Icirc: 'Î', Iuml: 'Ï',
  Ntilde: 'Ñ', Ograve: 'Ò', Oacute: 'Ó', Ocirc: 'Ô', Otilde: 'Õ', Ouml: 'Ö', Oslash: 'Ø', Ugrave: 'Ù', Uacute: 'Ú',
  Ucirc: 'Û', Uuml: 'Ü', Yacute: 'Ý', OElig: 'Œ',
};

/** Decodes HTML character references: numeric ones and the common named ones; others stay as written. */
export function decodeHtmlEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#[xX][0-9a-fA-F]+|#[0-9]+|[A-Za-z][A-Za-z0-9]*);/g, (m, e: string) => {
    if (e[0] === '#') {
      const n = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return fromCodePoint(n) ?? '';
    }
    return NAMED[e] ?? m;
  });
}

const BLOCK = new Set(['p', 'div', 'blockquote', 'pre', 'ul', 'ol', 'li', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'table', 'tr', 'hr', 'section', 'article', 'figure']);
const TAG_NAME = /<(\/?)([A-Za-z][A-Za-z0-9-]*)/y;

/**
 * Comment HTML as stored plain text (before cleanText). One pass, each character looked at once
 * (a regex for whole tags scans to the end from every unclosed `<a`: quadratic). As browsers
 * read it: a `<` that opens no tag is text; quotes count only around attribute values; a tag or
 * comment still open at the end is dropped with the rest.
 */
export function htmlToText(html: string): string {
  // Pieces, joined once: a link's text is replaced in place without copying all before it.
  const out: string[] = [];
  let lower: string | undefined;
  let link: { href: string | null; start: number } | null = null;
  const n = html.length;
  // `text`: where the text not yet kept starts; `i`: where to look for the next `<`.
  let text = 0;
  let i = 0;
  for (let lt = html.indexOf('<'); lt >= 0; lt = html.indexOf('<', i)) {
    const comment = html.startsWith('<!--', lt);
    TAG_NAME.lastIndex = lt;
    const m = comment ? null : TAG_NAME.exec(html);
    i = lt + 1;
    // A `<` that opens nothing is text.
    if (!comment && !m) continue;
    out.push(html.slice(text, lt));
    text = n;
    if (!m) {
      const end = html.indexOf('-->', lt + 4);
      if (end < 0) break;
      i = text = end + 3;
      continue;
    }
    // The attributes, up to the `>` outside a quoted value.
    let j = lt + m[0].length;
    while (j < n && html[j] !== '>') {
      if (html[j++] !== '=') continue;
      while (html[j] === ' ' || html[j] === '\t' || html[j] === '\n') j++;
      if (html[j] === '"' || html[j] === "'") {
        const close = html.indexOf(html[j], j + 1);
        j = close < 0 ? n : close + 1;
      }
    }
    if (j >= n) break;
    const attrs = html.slice(lt + m[0].length, j);
    i = text = j + 1;
    const closing = m[1] === '/';
    const tag = m[2].toLowerCase();
    if (!closing && (tag === 'script' || tag === 'style')) {
      // Their contents are not markup, and not shown: dropped up to their closing tag.
      const end = (lower ??= html.toLowerCase()).indexOf(`</${tag}`, i);
      i = text = end < 0 ? n : end;
    } else if (tag === 'br') {
      out.push('\n');
    } else if (BLOCK.has(tag)) {
      out.push(tag !== 'li' ? '\n\n' : closing ? '' : '\n• ');
    } else if (tag === 'a' && !closing) {
      const href = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(attrs);
      link = { href: href ? decodeHtmlEntities(href[1] ?? href[2] ?? href[3]).trim() : null, start: out.length };
    } else if (tag === 'a' && closing && link) {
      out.push(withAddress(out.splice(link.start).join(''), link.href));
      link = null;
    }
  }
  out.push(html.slice(text));
  return tidy(decodeHtmlEntities(out.join('')));
}

/** A link's text, with its address when the text does not show it. */
function withAddress(rawText: string, href: string | null): string {
  if (!href || !/^https?:\/\//i.test(href)) return rawText;
  const text = decodeHtmlEntities(rawText).trim();
  if (!text) return href;
  const bare = (u: string) => u.replace(/^https?:\/\//i, '').replace(/^www\./i, '').replace(/\/$/, '');
  const shown = text.replace(/(\.\.\.|…)$/, '');
  // The text is the address, or a shortened copy of it (Disqus writes "http://example.com/a/...").
  if (bare(text) === bare(href)) return text;
  if (shown !== text && bare(href).startsWith(bare(shown))) return href;
  return `${rawText} (${href})`;
}

/** Spaces and blank lines as a comment shows them: no runs of spaces, at most one blank line. */
function tidy(s: string): string {
  return s
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t\u00A0]+/g, (m) => (m.includes('\u00A0') && m.length === 1 ? '\u00A0' : ' '))
    .split('\n')
    .map((l) => l.trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Truncates to `max` UTF-16 units (as the API's schemas count), never inside a surrogate pair. */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  let out = s.slice(0, max);
  if (/[\uD800-\uDBFF]$/.test(out)) out = out.slice(0, -1);
  return out.trimEnd();
}

/** A plain one-line text (a name, a title): entities decoded when asked, cleaned, truncated. */
export function line(s: string, max: number, html = false): string {
  return truncate(cleanText(html ? decodeHtmlEntities(s) : s, false), max);
}

/** A comment body from HTML: plain text, cleaned, truncated. */
export function body(html: string, max: number): string {
  return truncate(cleanText(htmlToText(html), true), max);
}
