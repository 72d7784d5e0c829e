/** Shared text normalisation: the one place that decides what "the same text" means. */

const ZERO_WIDTH = /[\u200B-\u200F\u2028-\u202F\u2060-\u206F\uFEFF\u00AD]/g;

/** What we store and show: invisible characters and markdown emphasis gone, spacing tidied, punctuation kept as written. */
export function cleanLine(line: string): string {
  return line
    .replace(ZERO_WIDTH, '')
    .replace(/\*\*|__/g, '')
    .replace(/[ \t\u3000]+/g, ' ')
    .trim();
}

/**
 * What we match patterns against: NFKC folds full-width digits and colons ("３月", "来源：") to ASCII.
 * Never stored: it would also turn Chinese "，" into ",".
 */
export function matchForm(line: string): string {
  return cleanLine(line).normalize('NFKC');
}

/** Key for equality of names and titles: case, width, spacing and punctuation do not matter. */
export function foldKey(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(ZERO_WIDTH, '')
    .replace(/[\s\p{P}\p{S}]+/gu, '');
}
