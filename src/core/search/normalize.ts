/**
 * Search normalisation: the one definition of "the same characters" shared by the query parser,
 * the index and the snippet highlighter, so a keyword that parses also matches and highlights.
 */

/** Invisible characters that users paste along with copied text; they must never decide a match. */
export const ZERO_WIDTH = /[\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\u00AD]/g;

/** NFKC folds full-width Latin/digits ("１０万", "ＴＥＬＥＧＲＡＭ") so they meet their ASCII spelling. */
export function normalizeForSearch(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(ZERO_WIDTH, '');
}

export interface FoldedText {
  /** Normalised text, as normalizeForSearch would give for almost all input. */
  folded: string;
  /** For each folded code unit, the original index where its source character starts. */
  start: Int32Array;
  /** For each folded code unit, the original index just after its source character. */
  end: Int32Array;
}

/**
 * Normalises character by character so every folded position maps back to the original text.
 * Differs from normalizeForSearch only for sequences NFKC composes across characters
 * (a letter followed by a combining accent), which bulletins do not contain.
 */
export function foldWithMap(text: string): FoldedText {
  let out = '';
  const start: number[] = [];
  const end: number[] = [];
  let i = 0;
  for (const ch of text) {
    const f = normalizeForSearch(ch);
    out += f;
    for (let k = 0; k < f.length; k++) {
      start.push(i);
      end.push(i + ch.length);
    }
    i += ch.length;
  }
  return { folded: out, start: Int32Array.from(start), end: Int32Array.from(end) };
}

