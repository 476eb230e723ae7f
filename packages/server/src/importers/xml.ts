/**
 * A small, strict XML reader for comment exports (Disqus, WordPress WXR): elements, attributes,
 * text, CDATA, comments, processing instructions and a DOCTYPE without an internal subset.
 * Names are kept as written, prefix included (`dsq:id`, `wp:comment`): the formats we read
 * always use these prefixes. Text is decoded (the five XML entities and character references);
 * an entity XML does not define (`&nbsp;`) is kept as written, for the HTML step to decode.
 *
 * Anything that is not well-formed (an unquoted attribute, a missing end tag, a truncated file,
 * text before the root element) throws an XmlError with its line and column: an import either
 * reads the whole file or writes nothing. A BOM and white space before the XML declaration are
 * tolerated.
 */

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
}
export type XmlNode = XmlElement | string;

export class XmlError extends Error {
  constructor(message: string, readonly line: number, readonly column: number) {
    super(`${message} (line ${line}, column ${column})`);
  }
}

const NAME = /[A-Za-z_:\u00C0-\uFFFF][\w.:\-\u00B7\u00C0-\uFFFF]*/y;
const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes the XML entities and character references; other entities are kept as written. */
export function decodeXmlEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z][A-Za-z0-9]*);/g, (m, e: string) => {
    if (e[0] === '#') return fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)) ?? m;
    return XML_ENTITIES[e] ?? m;
  });
}

/** A code point as a string, or null for one that is not a character (0, surrogates, beyond U+10FFFF). */
export function fromCodePoint(n: number): string | null {
  if (!Number.isFinite(n) || n <= 0 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return null;
  return String.fromCodePoint(n);
}

export function parseXml(input: string): XmlElement {
  let src = input;
  let i = 0;
  if (src.charCodeAt(0) === 0xfeff) i = 1;
  while (i < src.length && /\s/.test(src[i])) i++;

  const where = (at: number) => {
    let line = 1, col = 1;
    for (let k = 0; k < at && k < src.length; k++) {
      if (src.charCodeAt(k) === 10) { line++; col = 1; } else col++;
    }
    return { line, col };
  };
  const fail = (message: string, at = i): never => {
    if (at >= src.length && !message.includes('truncated')) message += ': the file ends there, is it truncated?';
    const { line, col } = where(at);
    throw new XmlError(message, line, col);
  };
  const skipTo = (end: string, what: string) => {
    const k = src.indexOf(end, i);
    if (k < 0) fail(`unterminated ${what}: no "${end}" follows`, src.length);
    const body = src.slice(i, k);
    i = k + end.length;
    return body;
  };
  const name = () => {
    NAME.lastIndex = i;
    const m = NAME.exec(src);
    if (!m) fail(src[i] === undefined ? 'the file ends inside a tag' : `expected a name, found "${src[i]}"`);
    i += m![0].length;
    return m![0];
  };
  const space = () => {
    while (i < src.length && (src[i] === ' ' || src[i] === '\n' || src[i] === '\t' || src[i] === '\r')) i++;
  };

  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  let text = '';
  const flushText = () => {
    if (!text) return;
    if (stack.length) stack[stack.length - 1].children.push(text);
    else if (text.trim()) fail(root ? 'text after the root element' : 'text before the root element', i - text.length);
    text = '';
  };

  while (i < src.length) {
    const lt = src.indexOf('<', i);
    if (lt < 0) {
      text += checkText(src.slice(i), i);
      i = src.length;
      break;
    }
    if (lt > i) {
      text += checkText(src.slice(i, lt), i);
      i = lt;
    }
    if (src.startsWith('<![CDATA[', i)) {
      if (!stack.length) fail('CDATA outside the root element');
      i += 9;
      text += skipTo(']]>', 'CDATA section');
      continue;
    }
    flushText();
    if (src.startsWith('<!--', i)) {
      i += 4;
      skipTo('-->', 'comment');
    } else if (src.startsWith('<?', i)) {
      i += 2;
      skipTo('?>', 'processing instruction');
    } else if (src.startsWith('<!DOCTYPE', i)) {
      if (root || stack.length) fail('DOCTYPE after the root element');
      const close = src.indexOf('>', i);
      if (close < 0) fail('unterminated DOCTYPE', src.length);
      if (src.slice(i, close).includes('[')) fail('DOCTYPE with an internal subset is not supported');
      i = close + 1;
    } else if (src[i + 1] === '/') {
      i += 2;
      const n = name();
      space();
      if (src[i] !== '>') fail(`expected ">" to end </${n}`);
      i++;
      const open = stack.pop();
      if (!open) fail(`end tag </${n}> without a start tag`);
      if (open!.name !== n) fail(`end tag </${n}> does not match <${open!.name}>`);
      if (!stack.length) root = open!;
    } else {
      const tagStart = i;
      i++;
      if (root) fail('a second root element', tagStart);
      const el: XmlElement = { name: name(), attrs: {}, children: [] };
      for (;;) {
        const before = i;
        space();
        if (src[i] === '>' || src.startsWith('/>', i)) break;
        if (i >= src.length) fail(`the file ends inside <${el.name}>`);
        if (i === before) fail(`expected white space or ">" in <${el.name}>, found "${src[i]}"`);
        const a = name();
        space();
        if (src[i] !== '=') fail(`attribute ${a} of <${el.name}> has no value`);
        i++;
        space();
        const q = src[i];
        if (q !== '"' && q !== "'") fail(`the value of attribute ${a} of <${el.name}> is not quoted`);
        const end = src.indexOf(q, i + 1);
        if (end < 0) fail(`unterminated value of attribute ${a}`, src.length);
        const raw = src.slice(i + 1, end);
        if (raw.includes('<')) fail(`"<" inside the value of attribute ${a}`, i + 1);
        if (a in el.attrs) fail(`attribute ${a} repeated in <${el.name}>`);
        el.attrs[a] = decodeXmlEntities(checkText(raw, i + 1)).replace(/[\t\n\r]/g, ' ');
        i = end + 1;
      }
      if (stack.length) stack[stack.length - 1].children.push(el);
      if (src[i] === '/') {
        i += 2;
        if (!stack.length) root = el;
      } else {
        i++;
        stack.push(el);
      }
    }
  }
  flushText();
  if (stack.length) fail(`the file ends before </${stack[stack.length - 1].name}>: is it truncated?`, src.length);
  if (!root) fail('no root element: this is not an XML file', 0);
  return root!;

  function checkText(s: string, at: number): string {
    // A bare "&" that starts no entity is not XML; neither is "<" in text (handled by the caller).
    const bad = /&(?!(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z][A-Za-z0-9]*);)/.exec(s);
    if (bad) fail('"&" that starts no entity (write &amp;)', at + bad.index);
    return decodeXmlEntities(s);
  }
}

/** The element's children named `name`. */
export const children = (el: XmlElement | undefined, name: string): XmlElement[] =>
  el ? (el.children.filter((c) => typeof c !== 'string' && c.name === name) as XmlElement[]) : [];

/** The first child named `name`. */
export const child = (el: XmlElement | undefined, name: string): XmlElement | undefined =>
  el?.children.find((c) => typeof c !== 'string' && c.name === name) as XmlElement | undefined;

/** The text of an element (its text and CDATA, and that of its descendants), as written. */
export function textOf(el: XmlElement | undefined): string {
  if (!el) return '';
  let out = '';
  for (const c of el.children) out += typeof c === 'string' ? c : textOf(c);
  return out;
}

/** The trimmed text of the child named `name`, '' when absent. */
export const childText = (el: XmlElement | undefined, name: string): string => textOf(child(el, name)).trim();
