/**
 * Text as it is stored: Unicode NFC, Windows/Mac newlines made `\n`, tabs made spaces,
 * control characters removed (newlines kept when `multiline`), and bidi embeddings, overrides
 * and isolates removed so that a name cannot reverse the text around it. Marks that mixed
 * Arabic/Latin text needs (LRM, RLM, ALM, ZWJ, ZWNJ) are kept.
 */
// C0 and C1 controls except \n, plus DEL.
const CONTROLS = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/g;
// LRE RLE PDF LRO RLO, LRI RLI FSI PDI.
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

export function cleanText(input: string, multiline: boolean): string {
  let s = input.normalize('NFC').replace(/\r\n?/g, '\n').replace(/\t/g, ' ');
  s = s.replace(CONTROLS, '').replace(BIDI_CONTROLS, '');
  if (!multiline) s = s.replace(/\n+/g, ' ');
  // Lone surrogates cannot be stored as UTF-8; drop them rather than fail.
  s = s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '');
  return s.trim();
}
