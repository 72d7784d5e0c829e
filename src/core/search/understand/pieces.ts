/**
 * A folded query cut into the pieces segmentation and planning work on: separators and decoration
 * (spaces, sentence punctuation, quotes, brackets, 《》, #, emoji) end pieces and are dropped;
 * characters inside a word stay literal ("a.*(b" is those five characters, never a pattern); counts
 * lose their "about" words (10万多个 → 10万, matching 10万余个) and dates keep their shape (3月16号 → 3月16日).
 */

/** One piece of a query, in order. `chunk` numbers the stretches between separators: pieces of one chunk were typed run together. */
export interface Piece {
  text: string;
  /** 'han': a run of Chinese characters, still to segment; 'word': anything else, kept whole. */
  kind: 'han' | 'word';
  chunk: number;
}

// After NFKC, full-width ，；：！？（） are ASCII. ASCII brackets and operators are NOT separators:
// inside a word they are literal ("a+b", "c++"); at a word's edge they are stripped below.
// Emoji joiners and variation selectors go by themselves: inside the class they would combine with what precedes.
const SEPARATOR = /(?:[\s,;:!?"'`#、。“”‘’《》〈〉「」『』【】〔〕〖〗…—–·•●◆■□★☆※→←\u3000\p{Extended_Pictographic}]|\uFE0F|\u200D)+/u;
const EDGE = /^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu;
const HAN = /[\u3400-\u4dbf\u4e00-\u9fff]+/g;

const MEASURE = '个家人名项条辆处次元户台套所件位批场天';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Splits a folded query (normalizeForSearch) into pieces. `approx`: the words that make a count approximate. */
export function piecesOf(folded: string, approx: readonly string[]): Piece[] {
  const about = approx.map(escape).join('|') || '(?!)';
  // A date (3月16日) or a count with a unit, an "about" word or a measure word after it; "about" words before it go too (逾10万).
  const numeric = new RegExp(`(?:${about})?(?<![a-z\\d.])(\\d+(?:\\.\\d+)?)(?:(月)(?:(\\d{1,2})[日号])?|([万千百亿]?)(?:${about})[${MEASURE}]?|([万千百亿])[${MEASURE}]?|[${MEASURE}](?!\\d))`, 'gu');
  const out: Piece[] = [];
  folded.split(SEPARATOR).forEach((chunkText, chunk) => {
    let at = 0;
    const rest = (s: string) => {
      // Han runs and what lies between them (Latin, digits, symbols) are separate pieces.
      let from = 0;
      for (const m of s.matchAll(HAN)) {
        word(s.slice(from, m.index));
        out.push({ text: m[0], kind: 'han', chunk });
        from = m.index + m[0].length;
      }
      word(s.slice(from));
    };
    const word = (s: string) => {
      const w = s.replace(EDGE, '');
      if (w) out.push({ text: w, kind: 'word', chunk });
    };
    for (const m of chunkText.matchAll(numeric)) {
      rest(chunkText.slice(at, m.index));
      const [, num, month, day, unitAbout, unit] = m;
      const text = month ? `${num}月${day ? `${day}日` : ''}` : `${num}${unitAbout ?? unit ?? ''}`;
      out.push({ text, kind: 'word', chunk });
      at = m.index + m[0].length;
    }
    rest(chunkText.slice(at));
  });
  return out;
}
