/** The line above search results, saying honestly what they are: all words, some of them, an agency's newest, or nothing. */
import type { Messages } from '../../../i18n/index.ts';
import { escapeHtml } from '../../html.ts';
import type { Answer } from './answer.ts';

/** Telegram HTML header for an answer (page suffix not included); for 'none', the whole reply. */
export function answerHeader(
  a: Pick<
    Answer<unknown>,
    'kind' | 'words' | 'total' | 'exact' | 'estimated' | 'matched' | 'missing' | 'someOf' | 'agency' | 'agencyDropped' | 'corrected'
  >,
  m: Messages,
): string {
  const s = m.search;
  const list = (words: readonly string[]) => s.list(words.map(escapeHtml));
  const total = s.count(a.total, a.exact, a.estimated);
  const agency = a.agency ? escapeHtml(a.agency) : '';
  const fixes = a.corrected.map(([typed, used]) => s.corrected(escapeHtml(typed), escapeHtml(used))).join('\n');
  const withFixes = (line: string) => (fixes ? `${fixes}\n${line}` : line);
  switch (a.kind) {
    case 'latest':
      return m.latest.title(agency, a.total);
    case 'full':
      return withFixes(a.agency ? s.agencyResults(agency, list(a.matched), total) : s.anyResults(list(a.matched), total));
    case 'partial': {
      if (a.agencyDropped && a.missing.length === 0 && a.someOf === null) return withFixes(s.partialAgency(agency, list(a.matched), total));
      // No word held anywhere: the agency's newest measures stand in.
      if (a.matched.length === 0) return withFixes(s.partialLatest(agency, list(a.missing), total));
      if (a.someOf !== null) return withFixes(s.partialSome(list(a.words), a.someOf, total));
      return withFixes(s.partial(list(a.words), list(a.matched), total));
    }
    case 'none':
      return withFixes(s.noneWords(list(a.words)));
  }
}
