import { foldPart, normalizeForSearch } from './normalize.ts';

/** A Telegram message can be 4096 chars; a search phrase longer than this is a paste, not a query. */
export const MAX_QUERY_CHARS = 200;
/** Every keyword must match, so more than a handful only ever narrows to nothing while costing work. */
export const MAX_KEYWORDS = 8;

export type ParsedQuery = { ok: true; keywords: string[] } | { ok: false; reason: 'empty' | 'too-long' | 'no-searchable-text' };

// After NFKC, full-width "，；" have become ",;"; "、" (enumeration comma) has no ASCII form.
const SEPARATORS = /[\s,;、]+/u;
const SEARCHABLE = /[\p{L}\p{N}]/u;

/**
 * normalizeForSearch for a keyword, which is most often normalised already (parseQuery's output):
 * text whose every unit folds to itself is returned as it is without going through ICU's NFKC.
 * (Units that fold to themselves never compose with each other, so the whole is unchanged too.)
 */
export const normalizeKeyword = (keyword: string): string => (foldPart(keyword) === keyword ? keyword : normalizeForSearch(keyword));

/**
 * Turns what a user typed into normalised keywords. Keywords stay literal strings (never regex
 * sources), so ".*(" is searched as those three characters.
 */
export function parseQuery(input: string): ParsedQuery {
  if (input.trim() === '') return { ok: false, reason: 'empty' };
  // Code points, so an emoji counts as one character like it looks to the user.
  let length = 0;
  for (const _ of input) if (++length > MAX_QUERY_CHARS) return { ok: false, reason: 'too-long' };

  const keywords: string[] = [];
  for (const token of input.normalize('NFKC').toLowerCase().split(SEPARATORS)) {
    const keyword = normalizeKeyword(token);
    // A token of only punctuation or emoji would match decoration, not content: drop it.
    if (!SEARCHABLE.test(keyword) || keywords.includes(keyword)) continue;
    keywords.push(keyword);
    if (keywords.length === MAX_KEYWORDS) break;
  }
  return keywords.length > 0 ? { ok: true, keywords } : { ok: false, reason: 'no-searchable-text' };
}
