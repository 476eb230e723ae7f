/**
 * Hostile reader input for the XSS tests: every payload, if any part of it ever ran as script,
 * calls the page's sentinel `__xss(N)` with its own number (some also call `alert(N)`), so a
 * test can say exactly which payload executed. Each payload is also meant to show as literal
 * text wherever a comment is displayed.
 *
 * Families: classic <script>, event handlers (img onerror, svg onload, …), iframe srcdoc,
 * javascript: and data: URLs, entity-, percent- and double-encoded variants, mutation XSS and
 * namespace confusion, template/style/noscript/textarea breakouts, attribute breakouts,
 * Lit- and framework-template-looking strings, Unicode and bidi tricks around tags, very long
 * nested tags, markdown links, hostile URLs, and polyglots.
 */

export interface XssPayload {
  /** The number the payload passes to `__xss`. */
  id: number;
  family: string;
  text: string;
}

/** The longest author name the server takes (after trimming). */
export const NAME_MAX = 50;
/** The longest body the server takes (after trimming). */
export const BODY_MAX = 5000;

type Template = (call: string, n: number) => string;

// Encodings of a call, for payloads that rely on a decoder running before the HTML parser.
// Letters and digits stay as they are, so the sentinel's number can still be read.
const encode = (s: string, as: (code: number) => string) => [...s].map((ch) => (/[a-z0-9]/i.test(ch) ? ch : as(ch.codePointAt(0)!))).join('');
const decEntities = (s: string) => encode(s, (c) => `&#${c};`);
const hexEntities = (s: string) => encode(s, (c) => `&#x${c.toString(16)};`);
const percent = (s: string) => encode(s, (c) => `%${c.toString(16).padStart(2, '0').toUpperCase()}`);
const base64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

const CORPUS: [family: string, make: Template][] = [
  // ---- classic <script> -----------------------------------------------------------------------
  ['script', (x) => `<script>${x}</script>`],
  ['script', (x, n) => `<script>alert(${n});${x}</script>`],
  ['script', (x) => `<SCRIPT SRC=data:text/javascript,${x}></SCRIPT>`],
  ['script', (x) => `<scr<script>ipt>${x}</scr</script>ipt>`],
  ['script', (x) => `</script><script>${x}</script>`],
  ['script', (x) => `<script type="module">${x}</script>`],

  // ---- event handlers -------------------------------------------------------------------------
  ['img onerror', (x) => `<img src=x onerror=${x}>`],
  ['img onerror', (x, n) => `<img src="x" onerror="${x};alert(${n})">`],
  ['img onerror', (x) => `<img src=\`x\`onerror=${x}>`],
  ['img onerror', (x) => `<img src=x onerror=${decEntities(x)}>`],
  ['svg onload', (x) => `<svg onload=${x}>`],
  ['svg script', (x) => `<svg><script>${x}</script></svg>`],
  ['svg animate', (x) => `<svg><animate onbegin=${x} attributeName=x dur=1s>`],
  ['svg use', (x) => `<svg><use href="data:image/svg+xml,<svg id='x' xmlns='http://www.w3.org/2000/svg'><image href='1' onerror='${x}'/></svg>#x"/></svg>`],
  ['details', (x) => `<details open ontoggle=${x}>`],
  ['autofocus', (x) => `<input autofocus onfocus=${x}>`],
  ['video', (x) => `<video><source onerror=${x}></video>`],

  // ---- iframes, objects, embeds -------------------------------------------------------------
  ['iframe srcdoc', (x) => `<iframe srcdoc="<script>parent.${x}</script>"></iframe>`],
  ['iframe srcdoc', (x) => `<iframe srcdoc="&lt;img src=x onerror=parent.${x}&gt;"></iframe>`],
  ['iframe src', (x) => `<iframe src="javascript:parent.${x}"></iframe>`],
  ['iframe data', (x) => `<iframe src="data:text/html,<script>parent.${x}</script>"></iframe>`],
  ['object', (x) => `<object data="data:text/html,<script>parent.${x}</script>"></object>`],
  ['object', (x) => `<object data="javascript:${x}"></object>`],
  ['embed', (x) => `<embed src="javascript:${x}">`],

  // ---- javascript: and data: URLs -----------------------------------------------------------
  ['javascript url', (x) => `<a href="javascript:${x}">اضغط هنا</a>`],
  ['javascript url', (x) => `javascript:${x}`],
  ['javascript url', (x) => `<a href="&#106;avascript:${x}">x</a>`],
  ['javascript url', (x) => `<a href="java&#x09;script:${x}">x</a>`],
  ['javascript url', (x) => `<form action="javascript:${x}"><button>x</button></form>`],
  ['javascript url', (x) => `<base href="javascript:${x}//">`],
  ['javascript url', (x) => `<meta http-equiv="refresh" content="0;url=javascript:${x}">`],
  ['data url', (x, n) => `<a href="data:text/html;base64,${base64(`<script>${x}</script>`)}">x ${n}</a>`],
  ['data url', (x) => `<link rel=import href="data:text/html,<script>${x}</script>">`],

  // ---- entity-, percent- and double-encoded -------------------------------------------------
  ['entity', (x) => `&lt;img src=x onerror=${x}&gt;`],
  ['entity', (x) => `&#60;script&#62;${x}&#60;/script&#62;`],
  ['entity', (x) => `${hexEntities(`<img src=x onerror=${x}>`)}`],
  ['double entity', (x) => `&amp;lt;script&amp;gt;${x}&amp;lt;/script&amp;gt;`],
  ['percent', (x) => `%3Cscript%3E${x}%3C%2Fscript%3E`],
  ['percent', (x) => percent(`<img src=x onerror=${x}>`)],
  ['double percent', (x) => `%253Cimg%2520src%253Dx%2520onerror%253D${x}%253E`],
  ['js escape', (x) => `\\u003cimg src=x onerror=${x}\\u003e`],

  // ---- mutation XSS, namespace confusion ----------------------------------------------------
  ['mxss', (x) => `<math><mtext><table><mglyph><style><img src=x onerror=${x}>`],
  ['mxss', (x) => `<math><mtext><table><mglyph><style><!--</style><img title="--&gt;&lt;/mglyph&gt;&lt;img&Tab;src=1&Tab;onerror=${x}&gt;">`],
  ['mxss', (x) => `<svg></p><style><a id="</style><img src=1 onerror=${x}>">`],
  ['mxss', (x) => `<form><math><mtext></form><form><mglyph><svg><mtext><style><path id="</style><img onerror=${x} src>">`],
  ['mxss', (x) => `<math><annotation-xml encoding="text/html"><style><img src=x onerror=${x}></style></annotation-xml></math>`],
  ['mxss', (x) => `<noscript><p title="</noscript><img src=x onerror=${x}>">`],

  // ---- template, style, noscript, textarea breakouts ----------------------------------------
  ['template', (x) => `<template><img src=x onerror=${x}></template>`],
  ['style breakout', (x) => `</style><img src=x onerror=${x}>`],
  ['style breakout', (x) => `<style>@import 'javascript:${x}';</style>`],
  ['style breakout', (x) => `<div style="background:url(javascript:${x})">x</div>`],
  ['noscript breakout', (x) => `</noscript><img src=x onerror=${x}>`],
  ['textarea breakout', (x) => `</textarea><img src=x onerror=${x}>`],

  // ---- attribute breakouts ------------------------------------------------------------------
  ['attribute', (x) => `"><img src=x onerror=${x}>`],
  ['attribute', (x) => `'><svg onload=${x}>`],
  ['attribute', (x) => `" onmouseover="${x}" x="`],
  ['attribute', (x) => `' autofocus onfocus='${x}' x='`],
  ['attribute', (x) => `\` onfocus=${x} autofocus \``],

  // ---- Lit- and framework-template-looking ---------------------------------------------------
  ['lit', (x) => `\${${x}}`],
  ['lit', (x) => `<!--?lit$1234$-->\${${x}}<img src=x onerror=${x}>`],
  ['lit', (x) => `<?lit$123456789$><svg onload=${x}>`],
  ['lit', (x) => `lit$1234$<!--lit-part--><img src=x onerror=${x}><!--/lit-part-->`],
  ['template injection', (x) => `{{constructor.constructor('${x}')()}}`],

  // ---- Unicode and bidi tricks around tags ---------------------------------------------------
  ['bidi', (x) => `\u202E<img src=x onerror=${x}>\u202C`],
  ['bidi', (x) => `\u2066<svg onload=${x}>\u2069`],
  ['bidi', (x) => `<img src=x onerror=${x}\u200F>\u200E`],
  ['zero width', (x) => `<\u200Bimg src=x onerror=${x}>`],
  ['null byte', (x) => `<scr\u0000ipt>${x}</scr\u0000ipt>`],
  ['control', (x) => `<img\u000Csrc=x\u000Bonerror=${x}>`],
  ['fullwidth', (x) => `\uFF1Cimg src=x onerror=${x}\uFF1E`],
  ['small form', (x) => `\uFE64script\uFE65${x}\uFE64/script\uFE65`],
  ['arabic', (x) => `تعليق جميل <img src=x onerror=${x}> شكرًا`],

  // ---- very long, nested ----------------------------------------------------------------------
  ['nested', (x) => `${'<div>'.repeat(400)}<img src=x onerror=${x}>${'</div>'.repeat(400)}`],
  ['nested', (x) => `${'<b><i><u>'.repeat(300)}<svg onload=${x}>`],
  ['nested', (x) => `<a href="https://example.com/${'A'.repeat(3000)}" onclick=${x}>${'<span>'.repeat(200)}x`],

  // ---- markdown-looking ------------------------------------------------------------------------
  ['markdown', (x) => `[اضغط](javascript:${x})`],
  ['markdown', (x, n) => `[x ${n}](data:text/html;base64,${base64(`<script>${x}</script>`)})`],
  ['markdown', (x) => `![x](x" onerror="${x})`],
  ['markdown', (x) => `<javascript:${x}>`],
  ['markdown', (x) => `[x]\n\n[x]: javascript:${x}`],

  // ---- hostile URLs ----------------------------------------------------------------------------
  ['url', (x) => `https://example.com/"><script>${x}</script>`],
  ['url', (x) => `https://example.com/'onmouseover='${x}'`],
  ['url', (x) => `http://example.com/?q=<img src=x onerror=${x}>`],
  ['url', (x) => `https://example.com/&quot;&gt;&lt;img src=x onerror=${x}&gt;`],
  ['url', (x) => `انظر https://example.com/a"onclick="${x}" و https://example.org/<svg/onload=${x}>`],

  // ---- polyglots, string breakouts -----------------------------------------------------------
  ['polyglot', (x) => `jaVasCript:/*-/*\`/*\\\`/*'/*"/**/(/* */oNcliCk=${x} )//%0D%0A%0d%0a//</stYle/</titLe/</teXtarEa/</scRipt/--!>\\x3csVg/<sVg/oNloAd=${x}//>\\x3e`],
  ['polyglot', (x) => `'"--></style></script><svg onload=${x}>`],
  ['polyglot', (x, n) => `-->'"/></sCript><svG x=">" onload=(__xss)(${n})>`],
  ['polyglot', (x) => `{"__proto__":{"innerHTML":"<img src=x onerror=${x}>"}}`],
  ['multiline', (x) => `سطر أول <img src=x onerror=${x}>\n<script>${x}</script>\nسطر ثالث`],
];

export const XSS_PAYLOADS: XssPayload[] = CORPUS.map(([family, make], i) => {
  const id = i + 1;
  return { id, family, text: make(`__xss(${id})`, id) };
});

/** Payloads short enough to be an author's name. */
export const SHORT_PAYLOADS = XSS_PAYLOADS.filter((p) => p.text.length <= NAME_MAX && !p.text.includes('\n'));
