/**
 * A folded query cut into the pieces segmentation and planning work on: separators and decoration
 * (spaces, sentence punctuation, quotes, brackets, 《》, #, emoji, markup tags) end pieces and are dropped;
 * characters inside a word stay literal ("a.*(b" is those five characters, never a pattern); counts
 * lose their "about" words (10万多个 → 10万, matching 10万余个) and dates keep their shape (3月16号 → 3月16日).
 */
import { readNumber } from '../../numerals.ts';

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
// Markup tags pasted with copied text or typed from habit (<b>, </b>, <br/>) are decoration too, not the word "b".
const SEPARATOR =
  /(?:<\/?[a-z][a-z\d]*\s*\/?>|[\s,;:!?"'`#、。“”‘’《》〈〉「」『』【】〔〕〖〗…—–·•●◆■□★☆※→←\u3000\p{Extended_Pictographic}]|\uFE0F|\u200D)+/u;
const EDGE = /^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu;
const HAN = /[\u3400-\u4dbf\u4e00-\u9fff]+/g;

const MEASURE = '个家人名项条辆处次元户台套所件位批场天';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The value of a Chinese numeral below 10,000 (六千一百 → 6100, 四十一 → 41, 十 → 10), or NaN. */
export const chineseNumeral = (text: string): number => readNumber(text);

/** The two patterns for one table of "about" words, made once. */
const patterns = new Map<string, { numeral: RegExp; numeric: RegExp }>();
function patternsFor(approx: readonly string[]): { numeral: RegExp; numeric: RegExp } {
  const key = approx.join('\u0000');
  let p = patterns.get(key);
  if (!p) {
    const about = approx.map(escape).join('|') || '(?!)';
    p = {
      // Chinese numerals before a unit or a measure word (十万个, 六千多家, 九处); not 十大, 三部门, 两手.
      numeral: new RegExp(`([零〇一二两三四五六七八九十百千]+)(?=万|(?:${about})?[${MEASURE}])`, 'gu'),
      // A date (3月16日) or a count with a unit, an "about" word or a measure word after it; "about" words before it go too (逾10万).
      numeric: new RegExp(
        `(?:${about})?(?<![a-z\\d.])(\\d+(?:\\.\\d+)?)(?:(月)(?:(\\d{1,2})[日号])?|([万千百亿]?)(?:${about})[${MEASURE}]?|([万千百亿])[${MEASURE}]?|[${MEASURE}](?!\\d))`,
        'gu',
      ),
    };
    patterns.set(key, p);
  }
  return p;
}

/** Splits a folded query (normalizeForSearch) into pieces. `approx`: the words that make a count approximate. */
export function piecesOf(folded: string, approx: readonly string[]): Piece[] {
  const { numeral, numeric } = patternsFor(approx);
  // Counts in Chinese numerals as the measures write them, in digits: 十万个 → 10万个, 六千多家 → 6000多家, 九处 → 9处.
  folded = folded.replace(numeral, (text) => {
    const n = chineseNumeral(text);
    return Number.isNaN(n) || n < 2 ? text : String(n);
  });
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
