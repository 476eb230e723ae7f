/**
 * Text benchmark: `node --import tsx bench/text.ts`. The link splitter (every view) and the
 * importers' HTML-to-text step on hostile patterns of 1k, 5k and 50k characters, in nanoseconds
 * per character (median of 15 runs after a warm-up). Linear time shows as a flat row: the same
 * ns/char whatever the length; a quadratic one grows tenfold from 5k to 50k.
 */
import { splitLinks } from '../packages/shared/src/links.js';
import { htmlToText } from '../packages/server/src/importers/html.js';

/** A pattern of about `n` characters. */
const fit = (unit: string, n: number, head = '', tail = '') => head + unit.repeat(Math.max(1, Math.floor((n - head.length - tail.length) / unit.length))) + tail;

const LINKS: Record<string, (n: number) => string> = {
  'http://a + dots': (n) => fit('.', n, 'http://a'),
  'http://a + dots + b': (n) => fit('.', n, 'http://a', 'b'),
  ')))': (n) => fit(')', n),
  'http://a + ))) + b': (n) => fit(')', n, 'http://a', 'b'),
  '((( http://a )))': (n) => fit('(', n / 2) + 'http://a' + fit(')', n / 2),
  '(http:// repeated': (n) => fit('(http://', n),
  'http:// + a. repeated': (n) => fit('a.', n, 'http://'),
  'http://.. + space repeated': (n) => fit('http://.. ', n),
  'short links': (n) => fit('http://a.ma/ ', n),
};
const HTML: Record<string, (n: number) => string> = {
  '<a unclosed, repeated': (n) => fit('<a', n),
  '<<<<': (n) => fit('<', n),
  "<a ' repeated": (n) => fit("<a '", n),
  'unclosed attribute value': (n) => fit('x', n, '<a href="'),
  '<!-- repeated': (n) => fit('<!--', n),
  '<b> repeated': (n) => fit('<b>', n),
  'links': (n) => fit('<a href="http://e.ma">x</a>', n),
  '&amp; flood': (n) => fit('&amp;', n),
  '&#x41; flood': (n) => fit('&#x41;', n),
  '& + letters': (n) => fit('a', n, '&'),
};

function nsPerChar(fn: (s: string) => unknown, text: string): number {
  for (let i = 0; i < 5; i++) fn(text);
  const times: number[] = [];
  for (let i = 0; i < 15; i++) {
    const t = process.hrtime.bigint();
    fn(text);
    times.push(Number(process.hrtime.bigint() - t));
  }
  return times.sort((a, b) => a - b)[7] / text.length;
}

const SIZES = [1_000, 5_000, 50_000];
for (const [title, fn, patterns] of [['splitLinks', splitLinks, LINKS], ['htmlToText', htmlToText, HTML]] as const) {
  console.log(`\n${title}: ns per character at ${SIZES.map((n) => `${n / 1000}k`).join(' / ')} characters (50k/5k ratio: 1 is linear, 10 quadratic)`);
  for (const [name, make] of Object.entries(patterns)) {
    const ns = SIZES.map((n) => nsPerChar(fn, make(n)));
    console.log(`  ${name.padEnd(28)} ${ns.map((x) => x.toFixed(1).padStart(8)).join(' ')}   ×${(ns[2] / ns[1]).toFixed(1)}`);
  }
}
