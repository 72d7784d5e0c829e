/**
 * Which year a measure's "3月27日" is in. The rule, in order:
 *   1. a year written on the date line itself;
 *   2. --year (the bulletin's year, given by the editor) — it wins over everything the text says;
 *   3. the as-of date's year (截止至2020年3月26日), else the publication date's year (发布时间：2020-03-28, or
 *      a date on the publisher line), else a year in the title line ("2020年第3期"), else a date in the
 *      file's name (2020-03-26-resume-work-series-2.txt: the shipped seed states its year nowhere else);
 *   4. else the year the measures' own dates carry (a table's "2020/12/1" cells, "2020年12月4日" date lines): the
 *      as-of date is the first one not well before the newest of them;
 *   5. else the year of the date the copy is signed with at its end ("编辑：… 2020年11月30日");
 *   6. otherwise a guess, reported as a warning: the year that follows the newest bulletin already published (a
 *      cumulative series moves forward: 系列三 as of 4月10日 after 系列二 as of 2020-03-26 is 2020, and 系列十六
 *      as of 12月25日 is 2020, not the nearer 2019-12-25; an earlier issue re-sent, up to two months before the
 *      newest, keeps its year), or this year when nothing has been published.
 * A month after the as-of month belongs to the year before: a bulletin as of 1月10日 lists 12月28日 of the
 * previous year. Years written in prose ("自2019年底…", "2020年2月1日，…") never count.
 */
export interface YearSource {
  year: number;
  /** The month dates are counted back from (the as-of or publication month), if known. */
  month: number | null;
  /** Where the year came from, for warnings and notes. */
  from: 'option' | 'as-of' | 'published' | 'title' | 'file name' | 'measures' | 'signature' | 'earlier bulletins' | 'guess';
}

export interface HeaderDates {
  asOf: { year: number | null; month: number; day: number } | null;
  published: { year: number | null; month: number; day: number } | null;
  titleYear: number | null;
  /** A date in the file name ("2020-03-26-…", "20200326"), if any. */
  fileDate?: { year: number; month: number; day: number } | null;
  /** The dates (ISO) the measures carry with their own year, if any. */
  dated?: readonly string[];
  /** The date the copy is signed with at its end (编辑：… 2020年11月30日), if any. */
  signed?: { year: number; month: number; day: number } | null;
}

/** "2020-03-26-resume-work-series-2.txt" → 2020-03-26; a name without a full date → null. */
export function dateInFileName(file: string): { year: number; month: number; day: number } | null {
  const base = file.split(/[\\/]/).pop() ?? '';
  const m = /(?:^|\D)((?:19|20)\d{2})[-_.]?(\d{2})[-_.]?(\d{2})(?!\d)/.exec(base);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 ? { year, month, day } : null;
}

/** How far before the newest date a date may fall and still be read in its year (an earlier issue re-sent). */
const SLACK_MS = 61 * 86_400_000;

/**
 * The first year that puts month/day no more than two months before the newest of the dates (ISO), or null
 * without one: a series moves forward, and its as-of date follows its measures.
 */
function followingYear(month: number, day: number, dates: readonly string[]): number | null {
  const newest = [...dates].sort().pop();
  if (!newest) return null;
  const n = Date.parse(`${newest}T00:00:00Z`);
  const y = Number(newest.slice(0, 4));
  return [y - 1, y].find((c) => Date.UTC(c, month - 1, day) >= n - SLACK_MS) ?? y + 1;
}

export function bulletinYear(h: HeaderDates, option: number | undefined, now: Date, known: readonly string[] = []): YearSource {
  const month = h.asOf?.month ?? h.published?.month ?? null;
  if (option !== undefined) return { year: option, month, from: 'option' };
  if (h.asOf?.year) return { year: h.asOf.year, month: h.asOf.month, from: 'as-of' };
  if (h.published?.year) {
    const p = h.published;
    // As of 12月31日, published 1月2日: the as-of date is in the year before the publication.
    const year = h.asOf && h.asOf.month > p.month! ? p.year! - 1 : p.year!;
    return { year, month, from: 'published' };
  }
  if (h.titleYear) return { year: h.titleYear, month, from: 'title' };
  if (h.fileDate) {
    const f = h.fileDate;
    return { year: h.asOf && h.asOf.month > f.month ? f.year - 1 : f.year, month: month ?? f.month, from: 'file name' };
  }
  const anchor = h.asOf ?? h.published;
  if (h.dated?.length) {
    const newest = Number([...h.dated].sort().pop()!.slice(0, 4));
    return { year: anchor ? followingYear(anchor.month, anchor.day, h.dated)! : newest, month, from: 'measures' };
  }
  if (h.signed) {
    const sg = h.signed;
    return { year: h.asOf && h.asOf.month > sg.month ? sg.year - 1 : sg.year, month: month ?? sg.month, from: 'signature' };
  }
  const fromKnown = anchor
    ? followingYear(anchor.month, anchor.day, known)
    : known.length
      ? Number([...known].sort().pop()!.slice(0, 4))
      : null;
  if (fromKnown !== null) return { year: fromKnown, month, from: 'earlier bulletins' };
  return { year: now.getFullYear(), month, from: 'guess' };
}

/** The year of a date written without one, under the bulletin's year. */
export function yearOf(month: number, y: YearSource): number {
  return y.month !== null && month > y.month ? y.year - 1 : y.year;
}
