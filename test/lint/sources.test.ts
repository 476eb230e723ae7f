/**
 * Lint step for the code that runs on other people's pages (the reader widget, the moderation
 * dashboard, and `shared`, which the widget bundles):
 *  - no HTML or code injection sinks: `unsafeHTML`/`unsafeSVG` (and Lit's other `unsafe*`),
 *    `innerHTML`, `outerHTML`, `insertAdjacentHTML`, `document.write`, `eval`, `new Function`,
 *    string timers (`setTimeout('…')`), and Lit `.innerHTML=${…}` property bindings;
 *  - CSS with logical directions only, so one stylesheet lays out Arabic right-to-left and
 *    French left-to-right: no `margin-left`, `padding-right`, `border-left(-width|…)`,
 *    `left:`/`right:`, `text-align: left`, `float: right`, `border-top-left-radius`, … inside
 *    css`` templates, `unsafeCSS('…')` strings and .css files.
 * The JavaScript checks walk the TypeScript syntax tree, so comments and prose in strings do not
 * trip them; the CSS checks read declarations (property: value), so selectors such as
 * `.left:hover` and custom properties such as `--taliq-left` do not either.
 * Each finding is reported as file:line with the offending source line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Packages whose code runs in a browser. `shared` and `ui` are bundled into the reader widget and the dashboard. */
const BROWSER_PACKAGES = ['widget', 'dashboard', 'moderation', 'admin', 'shared', 'ui'];
const CODE = /\.(ts|tsx|js|mjs|jsx)$/;
const CSS_FILE = /\.css$/;

export interface Finding {
  file: string;
  line: number;
  rule: string;
  text: string;
}

// ---- JavaScript: injection sinks --------------------------------------------------------------

/** Lit directives and helpers that put raw markup or raw template strings into the page. */
const UNSAFE_LIT = new Set(['unsafeHTML', 'unsafeSVG', 'unsafeMathML', 'unsafeStatic']);
/** DOM properties and methods that parse a string as HTML. */
const HTML_SINKS = new Set(['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'setHTMLUnsafe', 'createContextualFragment']);
const TIMERS = new Set(['setTimeout', 'setInterval', 'setImmediate']);
const GLOBALS = new Set(['window', 'globalThis', 'self', 'top', 'parent', 'frames', 'document']);

const isGlobalObject = (e: ts.Expression): boolean =>
  ts.isIdentifier(e) ? GLOBALS.has(e.text) : ts.isPropertyAccessExpression(e) && GLOBALS.has(e.name.text) && isGlobalObject(e.expression);

/** The function a call or `new` names: `eval`, `window.eval`, `globalThis.Function`, … (or null). */
function calleeName(e: ts.Expression): string | null {
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e) && isGlobalObject(e.expression)) return e.name.text;
  if (ts.isElementAccessExpression(e) && isGlobalObject(e.expression) && ts.isStringLiteralLike(e.argumentExpression)) return e.argumentExpression.text;
  // (0, eval)(code): an indirect eval.
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.CommaToken) return calleeName(e.right);
  return null;
}

/** A timer argument that is code in a string: a literal, a template, or a concatenation with one. */
function isStringCode(e: ts.Expression | undefined): boolean {
  if (!e) return false;
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  if (ts.isStringLiteralLike(e) || ts.isTemplateExpression(e) || ts.isTaggedTemplateExpression(e)) return true;
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) return isStringCode(e.left) || isStringCode(e.right);
  if (ts.isCallExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === 'String') return true;
  return false;
}

const tagName = (tag: ts.Expression) => (ts.isIdentifier(tag) ? tag.text : ts.isPropertyAccessExpression(tag) ? tag.name.text : '');

/** The text of a template literal with each `${…}` blanked (newlines kept), and its start offset. */
function templateText(sf: ts.SourceFile, tpl: ts.TemplateLiteral): { text: string; start: number } {
  const start = tpl.getStart(sf) + 1;
  const end = tpl.getEnd() - 1;
  const chars = sf.text.slice(start, end).split('');
  if (ts.isTemplateExpression(tpl)) {
    for (const span of tpl.templateSpans) {
      const from = span.expression.getFullStart() - 2; // the `${`
      const to = span.literal.getStart(sf) + 1; // the `}`
      for (let i = from; i < to; i++) if (chars[i - start] !== '\n') chars[i - start] = ' ';
    }
  }
  return { text: chars.join(''), start };
}

/** Lit bindings in html`` templates that set markup through a property or write a whole document. */
const HTML_BINDING = /\.(innerHTML|outerHTML)\s*=|\bsrcdoc\s*=/g;

export function checkScript(file: string, source: string): Finding[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const findings: Finding[] = [];
  const lineOf = (pos: number) => sf.getLineAndCharacterOfPosition(pos).line + 1;
  const add = (pos: number, rule: string) => findings.push({ file, line: lineOf(pos), rule, text: sourceLine(source, lineOf(pos)) });

  const visit = (node: ts.Node): void => {
    // unsafeHTML & co., wherever they are named: import, call, re-export.
    if (ts.isIdentifier(node) && UNSAFE_LIT.has(node.text)) add(node.getStart(sf), `${node.text}: renders raw markup; render text through html\`\` instead`);

    // el.innerHTML, el['innerHTML'], { innerHTML } destructuring, Reflect.set(el, 'innerHTML', …).
    if ((ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) && HTML_SINKS.has(node.text)) add(node.getStart(sf), `${node.text}: parses a string as HTML`);
    if (ts.isStringLiteralLike(node) && HTML_SINKS.has(node.text)) add(node.getStart(sf), `${node.text}: parses a string as HTML`);

    // document.write(ln)
    if (ts.isPropertyAccessExpression(node) && /^(write|writeln)$/.test(node.name.text) && isGlobalObject(node.expression)
      && /(^|\.)document$/.test(node.expression.getText(sf))) {
      add(node.getStart(sf), `document.${node.name.text}: writes raw markup into the page`);
    }

    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      const name = calleeName(node.expression);
      if (name === 'eval') add(node.getStart(sf), 'eval(): runs a string as code (blocked by a strict CSP)');
      if (name === 'Function') add(node.getStart(sf), `${ts.isNewExpression(node) ? 'new ' : ''}Function(): runs a string as code (blocked by a strict CSP)`);
      if (name && TIMERS.has(name) && isStringCode(node.arguments?.[0])) add(node.getStart(sf), `${name}('…'): a string timer runs code from a string; pass a function`);
    }
    // eval referenced without being called: const run = eval; window.eval.
    if (ts.isIdentifier(node) && node.text === 'eval' && !(node.parent && (ts.isCallExpression(node.parent) && node.parent.expression === node))) {
      const p = node.parent;
      const isMemberOfNonGlobal = p && ts.isPropertyAccessExpression(p) && p.name === node && !isGlobalObject(p.expression);
      const isDeclaredName = p && (ts.isMethodDeclaration(p) || ts.isPropertyDeclaration(p) || ts.isPropertyAssignment(p) || ts.isMethodSignature(p) || ts.isPropertySignature(p)) && p.name === node;
      const isCalledMember = p && ts.isPropertyAccessExpression(p) && p.name === node && p.parent && ts.isCallExpression(p.parent) && p.parent.expression === p;
      if (!isMemberOfNonGlobal && !isDeclaredName && !isCalledMember) add(node.getStart(sf), 'eval: runs a string as code (blocked by a strict CSP)');
    }

    if (ts.isTaggedTemplateExpression(node)) {
      const tag = tagName(node.tag);
      const { text, start } = templateText(sf, node.template);
      if (tag === 'css') for (const f of checkCss(file, text, source, start)) findings.push(f);
      if (tag === 'html' || tag === 'svg') {
        for (const m of text.matchAll(HTML_BINDING)) add(start + m.index!, `${m[0].replace(/\s*=$/, '')} binding: sets raw markup`);
      }
    }
    // unsafeCSS('margin-left: 1rem') is CSS too.
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'unsafeCSS') {
      const arg = node.arguments[0];
      if (arg && (ts.isStringLiteralLike(arg) || ts.isTemplateExpression(arg))) {
        const { text, start } = ts.isStringLiteral(arg)
          ? { text: arg.getText(sf).slice(1, -1), start: arg.getStart(sf) + 1 }
          : templateText(sf, arg as ts.TemplateLiteral);
        for (const f of checkCss(file, text, source, start)) findings.push(f);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return findings;
}

// ---- CSS: logical directions ---------------------------------------------------------------

const SIDES = '(left|right)';
/** Properties that name a physical side; each has a logical twin. */
const PHYSICAL_PROPERTY = new RegExp(
  [
    `(margin|padding|scroll-margin|scroll-padding)-${SIDES}`,
    `border-${SIDES}(-(width|color|style))?`,
    `${SIDES}`,
    `border-(top|bottom)-${SIDES}-radius`,
  ].map((p) => `^(${p})$`).join('|'),
  'i',
);
/** Properties whose physical values have logical twins (`start`/`end`, `inline-start`/`inline-end`). */
const PHYSICAL_VALUE: Record<string, RegExp> = {
  'text-align': /^(left|right)$/i,
  'text-align-last': /^(left|right)$/i,
  float: /^(left|right)$/i,
  clear: /^(left|right)$/i,
};
const LOGICAL_TWIN: Record<string, string> = {
  'margin-left': 'margin-inline-start', 'margin-right': 'margin-inline-end',
  'padding-left': 'padding-inline-start', 'padding-right': 'padding-inline-end',
  'border-left': 'border-inline-start', 'border-right': 'border-inline-end',
  left: 'inset-inline-start', right: 'inset-inline-end',
  'border-top-left-radius': 'border-start-start-radius', 'border-top-right-radius': 'border-start-end-radius',
  'border-bottom-left-radius': 'border-end-start-radius', 'border-bottom-right-radius': 'border-end-end-radius',
};

/**
 * Declarations in `css`: a property name after `{`, `;` or the start, then `:`, then a value
 * that ends at `;` or `}` (a selector such as `a:hover` ends at `{` instead, so it is skipped).
 * `offset` is where `css` starts in `source`, for line numbers.
 */
export function checkCss(file: string, css: string, source = css, offset = 0): Finding[] {
  // Blank comments, keeping offsets and newlines.
  const text = css.replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' '));
  const findings: Finding[] = [];
  const DECL = /(?<=(^|[{;])\s*)([-\w]+)\s*:\s*([^;{}]*?)\s*(?=[;}]|$(?![\s\S]))/g;
  for (const m of text.matchAll(DECL)) {
    const prop = m[2].toLowerCase();
    const value = m[3].replace(/\s*!important$/i, '').trim();
    if (prop.startsWith('--')) continue;
    let rule: string | null = null;
    if (PHYSICAL_PROPERTY.test(prop)) {
      const twin = LOGICAL_TWIN[prop] ?? LOGICAL_TWIN[prop.replace(/-(width|color|style)$/, '')]?.concat(prop.match(/-(width|color|style)$/)?.[0] ?? '');
      rule = `${prop}: a physical side; use ${twin ?? 'the logical property (inline-start/end)'}`;
    } else if (PHYSICAL_VALUE[prop]?.test(value)) {
      rule = `${prop}: ${value}: a physical side; use ${prop}: ${/left/i.test(value) ? 'start' : 'end'} (or inline-start/end)`;
    }
    if (rule) {
      const at = offset + m.index!;
      const line = source.slice(0, at).split('\n').length;
      findings.push({ file, line, rule, text: sourceLine(source, line) });
    }
  }
  return findings;
}

// ---- files -----------------------------------------------------------------------------------

const sourceLine = (source: string, line: number) => (source.split('\n')[line - 1] ?? '').trim().slice(0, 160);

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...walk(path));
    else out.push(path);
  }
  return out;
}

/** Every package whose src is browser code: the known ones, and any other that imports Lit. */
export function browserSources(): string[] {
  const packages = join(ROOT, 'packages');
  const files: string[] = [];
  for (const pkg of readdirSync(packages)) {
    const src = join(packages, pkg, 'src');
    if (!existsSync(src)) continue;
    const all = walk(src).filter((f) => CODE.test(f) || CSS_FILE.test(f));
    const isBrowser = BROWSER_PACKAGES.includes(pkg) || all.some((f) => CODE.test(f) && /from\s+['"]lit(\/[^'"]*)?['"]/.test(readFileSync(f, 'utf8')));
    if (isBrowser) files.push(...all);
  }
  return files.sort();
}

export function lintFile(path: string): Finding[] {
  const source = readFileSync(path, 'utf8');
  const file = relative(ROOT, path);
  return CSS_FILE.test(path) ? checkCss(file, source) : checkScript(file, source);
}

const report = (findings: Finding[]) => findings.map((f) => `${f.file}:${f.line}: ${f.rule}\n    ${f.text}`).join('\n');

// ---- the lint step ---------------------------------------------------------------------------

test('browser sources have no HTML or code injection sinks and lay out with logical CSS only', () => {
  const files = browserSources();
  assert.ok(files.some((f) => f.includes(join('packages', 'widget', 'src'))), 'the widget sources are linted');
  const findings = files.flatMap(lintFile);
  assert.equal(findings.length, 0, `\n${report(findings)}\n`);
});

// ---- the detector's own tests ------------------------------------------------------------------

const rulesOf = (findings: Finding[]) => findings.map((f) => `${f.line}: ${f.rule}`);

test('the detector catches each injection sink, with its line', () => {
  const cases: [string, RegExp][] = [
    [`import { unsafeHTML } from 'lit/directives/unsafe-html.js';`, /unsafeHTML/],
    [`html\`<p>\${unsafeSVG(icon)}</p>\`;`, /unsafeSVG/],
    [`import { unsafeStatic, html } from 'lit/static-html.js';`, /unsafeStatic/],
    [`el.innerHTML = body;`, /innerHTML/],
    [`el['innerHTML'] = body;`, /innerHTML/],
    [`Reflect.set(el, 'outerHTML', body);`, /outerHTML/],
    [`host.outerHTML = x;`, /outerHTML/],
    [`list.insertAdjacentHTML('beforeend', item);`, /insertAdjacentHTML/],
    [`div.setHTMLUnsafe(s);`, /setHTMLUnsafe/],
    [`document.createRange().createContextualFragment(s);`, /createContextualFragment/],
    [`document.write('<p>' + x + '</p>');`, /document\.write/],
    [`window.document.writeln(x);`, /document\.writeln/],
    [`eval(code);`, /eval\(\)/],
    [`window.eval(code);`, /eval\(\)/],
    [`(0, eval)(code);`, /eval/],
    [`const run = eval;`, /eval/],
    [`new Function('a', 'return a')(1);`, /new Function/],
    [`Function('return this')();`, /Function\(\)/],
    [`globalThis.Function(code);`, /Function\(\)/],
    [`setTimeout('refresh()', 100);`, /setTimeout\('…'\)/],
    [`window.setInterval("tick()", 1000);`, /setInterval\('…'\)/],
    [`setTimeout(\`load(\${id})\`, 0);`, /setTimeout\('…'\)/],
    [`setTimeout('go(' + id + ')', 0);`, /setTimeout\('…'\)/],
    [`html\`<div .innerHTML=\${body}></div>\`;`, /\.innerHTML binding/],
    [`html\`<iframe srcdoc=\${page}></iframe>\`;`, /srcdoc binding/],
  ];
  for (const [code, rule] of cases) {
    const source = `// line 1\n${code}\n`;
    const findings = checkScript('sample.ts', source);
    assert.ok(findings.some((f) => rule.test(f.rule) && f.line === 2 && f.text === code.trim()), `${code} → ${JSON.stringify(rulesOf(findings))}`);
  }
});

test('the detector accepts safe code, and prose that only names a sink', () => {
  const source = `
    // never unsafeHTML or innerHTML for what a reader wrote; no eval, no new Function
    /* document.write('x') setTimeout('x') */
    import { html, css, LitElement } from 'lit';
    const msg = 'do not use innerHTML here';
    el.textContent = body;
    el.replaceChildren(document.createTextNode(body));
    setTimeout(() => refresh(), 100);
    setInterval(tick, 1000);
    this.timer = setTimeout(this.save, delay);
    const out = html\`<bdi>\${c.author.name}</bdi><p dir="auto">\${c.body}</p>\`;
    const f = new FormData(form);
    math.evaluate(x); parser.eval(x); const o = { eval: 1 };
    writer.write(chunk); stream.write('x');
  `;
  assert.deepEqual(rulesOf(checkScript('safe.ts', source)), []);
});

test('the detector catches each physical CSS direction, in css`` templates, unsafeCSS and .css files', () => {
  const forbidden = [
    'margin-left: 1rem', 'margin-right: 1rem', 'padding-left: 2px', 'padding-right: 2px',
    'border-left: 2px solid red', 'border-right: 0', 'border-left-width: 1px', 'border-right-color: red',
    'border-left-style: dashed', 'border-right-width: 3px',
    'left: 0', 'right: 1em', 'text-align: left', 'text-align: right', 'float: left', 'float: right',
    'border-top-left-radius: 4px', 'border-top-right-radius: 4px', 'border-bottom-left-radius: 4px',
    'border-bottom-right-radius: 4px', 'MARGIN-LEFT: 0', 'right:0', 'left : 0 !important', 'clear: left',
    'scroll-margin-left: 1rem',
  ];
  for (const decl of forbidden) {
    const prop = decl.split(':')[0].trim().toLowerCase();
    // In a css`` template, with the declaration on line 4.
    const ts1 = `import { css } from 'lit';\nexport const styles = css\`\n  .reply {\n    ${decl};\n    color: \${accent};\n  }\n\`;\n`;
    const f1 = checkScript('styles.ts', ts1);
    assert.ok(f1.some((f) => f.line === 4 && f.rule.toLowerCase().startsWith(prop) && f.text === `${decl};`), `css\`\`: ${decl} → ${JSON.stringify(rulesOf(f1))}`);
    // The last declaration of a block may go without a semicolon.
    const f2 = checkCss('a.css', `.x {\n  ${decl}\n}`);
    assert.ok(f2.some((f) => f.line === 2), `.css: ${decl} → ${JSON.stringify(rulesOf(f2))}`);
    const f3 = checkScript('u.ts', `const s = unsafeCSS('.x { ${decl} }');`);
    assert.ok(f3.some((f) => f.line === 1), `unsafeCSS: ${decl} → ${JSON.stringify(rulesOf(f3))}`);
  }
  // Each finding names the logical twin.
  assert.match(checkCss('a.css', '.x { margin-left: 0 }')[0].rule, /margin-inline-start/);
  assert.match(checkCss('a.css', '.x { right: 0 }')[0].rule, /inset-inline-end/);
  assert.match(checkCss('a.css', '.x { border-right-width: 0 }')[0].rule, /border-inline-end-width/);
  assert.match(checkCss('a.css', '.x { border-top-left-radius: 0 }')[0].rule, /border-start-start-radius/);
  assert.match(checkCss('a.css', '.x { text-align: right }')[0].rule, /text-align: end/);
});

test('the detector accepts logical CSS, and selectors, custom properties and comments that say left', () => {
  const styles = `
    /* never margin-left: 0; left: 0 or text-align: right */
    :host { display: block; text-align: start; }
    .reply { margin-inline-start: 2rem; border-inline-start: 2px solid var(--taliq-line, #ddd); }
    .badge { position: absolute; inset-inline-end: 0; inset-block-start: 0; inset: auto; }
    .card { padding-inline: 1rem; padding-inline-end: 2px; margin-block: 0 0.75rem; border-start-start-radius: 4px; }
    .x { float: inline-start; clear: both; text-align: end; text-align: center; border-inline-end-width: 1px; }
    .left:hover, .right::after, a[data-side=left]:focus { color: red; }
    .y { --taliq-left: 1px; --x-right: 0; transition: margin-inline-start 0.2s; }
    @media (min-width: 40rem) { .z { inline-size: 50%; } }
    .arrow { background-position: center; }
  `;
  assert.deepEqual(rulesOf(checkCss('ok.css', styles)), []);
  const litStyles = `import { css } from 'lit';\nconst dark = css\`color: red;\`;\nexport const styles = css\`\n  .dark { \${dark} }\n  .r { margin-inline-start: 1rem; text-align: start; inset-inline-end: 0; }\n\`;\n`;
  assert.deepEqual(rulesOf(checkScript('ok.ts', litStyles)), []);
});
