/**
 * Arabic-aware text normalization for word filters and search. Both the text and the word
 * lists go through it, so a filter matches whatever spelling trick a writer tries:
 * - presentation forms, ligatures and full-width letters folded (NFKC);
 * - diacritics (tashkeel), Latin accents and other combining marks removed;
 * - tatweel, zero-width and bidi control characters removed;
 * - alef forms (أ إ آ ٱ) → ا, ى → ي, ة → ه; hamza dropped with its carrier (ؤ ئ ء), so that
 *   مسؤول, مسئول and مسول meet;
 * - Persian and Urdu look-alikes (ک ی ە) mapped to Arabic letters;
 * - Arabic-Indic digits made Western; in Arabizi words (Latin letters with digits), 2 3 5 7 9 read
 *   as ا ع خ ح ق and the leetspeak 0 1 @ $ as o i a s;
 * - Latin lower-cased;
 * - letters stretched by repetition collapsed to one (كلللب → كلب, nuuul → nul);
 * - single letters spaced or dotted out (ك.ل.ب, c o n) joined back into a word.
 */

const INVISIBLE = /[\u00AD\u034F\u061C\u0640\u115F\u1160\u17B4\u17B5\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0]/g;
const MARKS = /\p{M}/gu;
const LETTER_MAP: Record<string, string> = {
  'ٱ': 'ا', 'ٲ': 'ا', 'ٳ': 'ا', 'ٵ': 'ا', 'ى': 'ي', 'ی': 'ي', 'ې': 'ي', 'ۍ': 'ي', 'ئ': 'ي',
  'ة': 'ه', 'ۃ': 'ه', 'ە': 'ه', 'ۀ': 'ه', 'ک': 'ك', 'ڪ': 'ك', 'ۄ': 'و',
  'ٹ': 'ت', 'ڈ': 'د', 'ڑ': 'ر', 'ں': 'ن',
};
const HAMZA = /[\u0621\u0624\u0626\u0674]/g;
const MAPPED = new RegExp(`[${Object.keys(LETTER_MAP).join('')}]`, 'g');
const ARABIZI: Record<string, string> = { '2': 'ا', '3': 'ع', '5': 'خ', '7': 'ح', '9': 'ق', '0': 'o', '1': 'i', '@': 'a', '$': 's' };
const WORD = /[\p{L}\p{N}@$]+/gu;
const LATIN = /[a-z]/;

/** Arabic-Indic (U+0660…) and Extended Arabic-Indic (U+06F0…) digits → 0-9. */
const westernDigits = (s: string) => s.replace(/[\u0660-\u0669\u06F0-\u06F9]/g, (d) => String((d.charCodeAt(0) & 0xf) % 10));

/** Joins runs of three or more single letters separated by spaces or punctuation: "ك . ل . ب" → "كلب". */
function joinSpelledOut(s: string): string {
  return s.replace(/(?<![\p{L}\p{N}])\p{L}(?:[\s.\-_*·•,'"|+~/\\]+\p{L}(?![\p{L}\p{N}])){2,}/gu, (run) => run.replace(/[^\p{L}]/gu, ''));
}

export function normalizeText(input: string): string {
  let s = input.normalize('NFKC').replace(INVISIBLE, '');
  // Before decomposition, which would split ؤ and ئ into a letter and a hamza mark.
  s = s.replace(HAMZA, '');
  s = s.normalize('NFD').replace(MARKS, '').normalize('NFC');
  s = s.replace(MAPPED, (ch) => LETTER_MAP[ch]);
  s = westernDigits(s).toLowerCase();
  s = s.replace(WORD, (w) => (LATIN.test(w) ? w.replace(/[0-9@$]/g, (d) => ARABIZI[d] ?? d) : w));
  s = joinSpelledOut(s);
  // Stretched letters: any letter repeated collapses to one.
  s = s.replace(/(\p{L})\1+/gu, '$1');
  return s.replace(/\s+/g, ' ').trim();
}
