/**
 * A bulletin's text → its measures. The reading order, each step in its own module:
 *   lines.ts     what a line is (breaks, markdown, Word bullets, page furniture) and list numbering;
 *   unwrap.ts    a PDF's text broken at a fixed width joined again, its spaced-out headings put together;
 *   word-order.ts  a Word report's dates after their titles put first, its wrapped titles joined;
 *   header.ts    title, series, as-of date, publisher and publication date (everything before the first
 *                heading or measure date);
 *   years.ts     which year "3月27日" is in;
 *   dates.ts     date lines; headings.ts agency headings; sources.ts 来源 and 发布单位 lines; tables.ts table rows;
 *   marks.ts     a corrected reissue's marks (【更正】, （补发）, （原误作…）) and a scan's OCR slips in dates;
 *   title-agency.ts  a one-line digest's agency in brackets on the title line ("【市公安局】标题", "标题（市税务局）");
 *   running-header.ts  a scan's title repeated at the top of each page;
 *   placement.ts the agency a measure is filed under, and measures listed twice;
 *   feed.ts, fields.ts, slides.ts  a news feed (title, then "账号 · 06-10 · 阅读"), a form per measure (部门：/日期：/
 *                标题：), a slide deck (agency and date on each slide's badge) read first; input.ts options, checks, ids.
 * A measure is a date line, its title line(s), body and bullets, up to its 来源 line or the next date or
 * heading. Its agency is the 来源's (one measure per agency for a joint source), else what its own lines name
 * (发布单位, brackets on the title), else the heading's; a
 * 来源 naming an outlet (上海发布) keeps the heading's agency and is stored as the source.
 *
 * Never silent: anything that looks like a date, heading or 来源 but cannot be placed is a warning with
 * its line number, and so is a year that is a guess.
 */
import { createHash } from 'node:crypto';
import type { Entry, ParseWarning, ParsedBulletin } from '../model.ts';
import { foldKey } from '../text.ts';
import { isoDate, looksLikeDate, looksLikeDatedTitle, readDateLine, realDay } from './dates.ts';
import type { DateLine } from './dates.ts';
import { readHeader, signedDate, statesAsOf } from './header.ts';
import { datesTheCopy } from './own-dates.ts';
import { shapedLines } from './shapes.ts';
import { headingName, headingShaped, knownHeading, namedAgency } from './headings.ts';
import { withoutMarks } from './marks.ts';
import { agencyInTitle } from './title-agency.ts';
import { ASIDE, SENTENCE_END, bareTitle, bulletOf, isQuotedTitle, numberingOf, partAsWritten } from './lines.ts';
import type { Line } from './lines.ts';
import { lastCopies, placer } from './placement.ts';
import { isDocumentField } from './official-doc.ts';
import { titleWithoutTags } from './newmedia.ts';
import { runningHeaders } from './running-header.ts';
import { looksLikeSource, readIssuerLine, readSourceLine, splitTrailingSource } from './sources.ts';
import { readTables } from './tables.ts';
import { unwrapped } from './unwrap.ts';
import { inReadingOrder } from './word-order.ts';
import type { TableRow } from './tables.ts';
import { BulletinError, checkedText, entryId } from './input.ts';
import type { ParseOptions } from './input.ts';
import { bulletinYear, dateInFileName, yearOf } from './years.ts';

export { BulletinError, MAX_BULLETIN_BYTES, entryId } from './input.ts';
export type { ParseOptions } from './input.ts';

const MAX_TITLE_CHARS = 120;

const HAN = /[\u3400-\u9fff]/;

const isProse = (l: Line) => /[。；;！!]$/.test(l.form) || [...l.text].length > 60;
const looksLikeTitle = (l: Line) => [...l.text].length <= MAX_TITLE_CHARS && !SENTENCE_END.test(l.form);

/** One measure as read, before its agency and year are settled. */
interface Raw {
  date: DateLine;
  dateLine: number;
  titles: { text: string; line: number; written: string }[];
  body: string[];
  bullets: string[];
  source: string | null;
  section: string | null;
  /** The agencies the measure's own lines name, when it has no 来源: a 发布单位 line, or brackets on its title line. */
  named: string | null;
}

export function parseBulletin(rawText: string, opts: ParseOptions): ParsedBulletin {
  const { file, agencies } = opts;
  const text = checkedText(rawText, file);

  // A PDF's wrapped lines joined (unwrap.ts); dates after their titles (Word reports) put first (word-order.ts).
  // Each line's date is read once: those steps and the loops below ask about the same lines many times.
  const datesRead = new WeakMap<Line, DateLine | null>();
  const dateOfLine = (l: Line): DateLine | null => {
    let d = datesRead.get(l);
    if (d === undefined) datesRead.set(l, (d = readDateLine(l.form)));
    return d;
  };
  const warnings: ParseWarning[] = [];
  const isAgencyName = (name: string) => namedAgency(name, agencies) !== null;
  const warn = (line: number | undefined, message: string) => warnings.push(line ? { line, message } : { message });
  // Shapes of copy (a mail, a feed, a form, a deck, a timeline, a Q&A) rewritten as date-then-title lines first.
  const shaped = shapedLines(text, warn, isAgencyName, (l) => !!knownHeading(l, agencies), dateOfLine);
  const lines = inReadingOrder(
    unwrapped(shaped, (l) => agencies.resolveExact(headingName(l).name) !== null, dateOfLine),
    dateOfLine,
  );
  const tables = readTables(lines, warn);
  const inTable = new Uint8Array(lines.length);
  for (const t of tables) inTable.fill(1, t.from, t.to);

  const dates = lines.map((l, i) => (inTable[i] ? null : dateOfLine(l)));
  const dateAt = (i: number): DateLine | null => dates[i] ?? null;
  let lastDate = -1;
  dates.forEach((d, i) => {
    if (d) lastDate = i;
  });
  const nextContent = (i: number) => lines[i + 1];
  // A post's timestamp above the bulletin's title (an account name, "2020-05-18 08:30", then 点击关注) is no measure.
  const titleAt = lines.slice(0, 20).findIndex((l) => statesAsOf(l.form));
  // In the header, a publication stamp followed by prose dates the bulletin, not a measure.
  const isMeasureDate = (i: number): boolean => {
    const d = dateAt(i);
    if (!d) return false;
    // The copy's own date: an email's header, a letter's above its salutation, a cover's, a page's labels.
    if (datesTheCopy(d, lines[i]!.form, nextContent(i)?.form)) return false;
    // A report's own date with its year, then its first agency heading ("2021年3月29日", "一、市发展改革委"): no measure.
    if (!d.rest && d.year !== null && !d.stamp && i < lastDate && nextContent(i) && agencies.isKnown(isHeadingAt(i + 1, false) ?? ''))
      return false;
    if (!d.stamp || d.rest) return true;
    if (d.labelled || i < titleAt) return false;
    const next = nextContent(i);
    return !!next && looksLikeTitle(next) && !/^(?:发布|来源|作者)/.test(next.form) && !knownHeading(next, agencies) && !dateAt(i + 1);
  };
  // "商务" under "## " names 上海市商务委员会 (it is part of its name); "市公安局推出措施" names no heading.
  const partOfName = (name: string): string | null => {
    const agency = agencies.resolve(name);
    const info = agency ? agencies.info(agency) : undefined;
    const key = foldKey(name);
    return info && [info.name, info.short, ...info.aliases].some((n) => !!n && foldKey(n).includes(key)) ? agency : null;
  };
  const isOutlet = (t: string) => agencies.isOutlet(t);
  const isNamed = (t: string) => agencies.resolveExact(t) !== null || isOutlet(t);
  const isHeadingAt = (i: number, inMeasureTitle: boolean): string | null => {
    const l = lines[i]!;
    if (inTable[i] || dateAt(i) || readSourceLine(l, isNamed)) return null;
    const { name, marked } = headingName(l);
    // A marked heading ("## 商务", "一、科委") may name its agency loosely; a bare line must name it exactly.
    // Where a title is expected, only a line that is exactly an agency's name or alias is a heading.
    const known = inMeasureTitle
      ? headingShaped(name)
        ? agencies.resolveExact(name)
        : null
      : (knownHeading(l, agencies) ?? (marked && headingShaped(name) ? partOfName(name) : null));
    const beforeDate = !!dateAt(i + 1);
    if (known && (beforeDate || marked)) return known;
    if (inMeasureTitle) return null;
    // A short unknown line just before a date is a heading for an agency the directory does not know.
    if (beforeDate && headingShaped(name) && (marked || i >= 2) && !isOutlet(name)) return name;
    return null;
  };

  // The header ends at the first measure date or the heading just before it; the rest is prose.
  let first = lines.findIndex((_, i) => !inTable[i] && isMeasureDate(i));
  const firstTable = tables.length ? tables[0]!.from : -1;
  if (first === -1 || (firstTable !== -1 && firstTable < first)) first = firstTable;
  if (first > 0 && !inTable[first - 1] && isHeadingAt(first - 1, false)) first--;
  const header = readHeader(lines.slice(0, first === -1 ? lines.length : first));
  // Never silent: a header line that looks like a measure we could not read.
  for (const l of lines.slice(0, first === -1 ? 0 : first))
    if (!dateOfLine(l) && looksLikeDatedTitle(l.form))
      warn(l.no, `"${l.text.slice(0, 40)}" looks like a dated measure before the first one; not read`);

  const now = opts.now ?? new Date();
  // The years the measures' own dates carry (a table's "2020/12/1"), for a header that states none.
  const dated = [
    ...dates.filter((d, k) => k >= first && d?.year && isMeasureDate(k)),
    ...tables.flatMap((t) => t.rows.map((r) => r.date)),
  ].flatMap((d) => (d?.year ? [isoDate(d.year, d.month, d.day)] : []));
  const signed = signedDate(lines);
  const yearSource = bulletinYear({ ...header, fileDate: dateInFileName(file), dated, signed }, opts.year, now, opts.knownAsOf);
  // Said once, and only if some date needed the year (dates that carry their own year need no guess).
  let guessSaid = false;
  const sayGuess = () => {
    if (guessSaid) return;
    guessSaid = true;
    if (yearSource.from === 'guess')
      warn(
        undefined,
        `the bulletin states no year (no 截止至… or publication date with one); dates are taken as ${yearSource.year} (pass --year to choose)`,
      );
    if (yearSource.from === 'earlier bulletins')
      warn(
        undefined,
        `the bulletin states no year; dates are taken as ${yearSource.year}, the year that follows the bulletins already published (pass --year to choose)`,
      );
  };
  if (header.asOf && header.asOf.year === null) sayGuess();
  const asOf = header.asOf ? isoDate(header.asOf.year ?? yearSource.year, header.asOf.month, header.asOf.day) : null;
  const bulletinId = createHash('sha1').update(text.replace(/\r\n?/g, '\n').trim()).digest('hex').slice(0, 16);

  const raws: Raw[] = [];
  let section: string | null = null;
  let i = first === -1 ? lines.length : first;
  const moreDatesAfter = (k: number) => k < lastDate;
  // The publisher's line met again in the body is a page header of a Word report: furniture, like page numbers.
  const pageHeader = header.publisher ? foldKey(header.publisher) : null;
  const running = runningHeaders(lines.slice(first === -1 ? lines.length : first), [
    header.title,
    ...lines.slice(0, Math.min(3, first === -1 ? 0 : first)).map((l) => l.text),
  ]);
  const isPageHeader = (k: number) =>
    (pageHeader !== null && foldKey(lines[k]!.text) === pageHeader) || (running.size > 0 && running.has(foldKey(lines[k]!.text)));
  // Lines after the last measure (a footer, a slogan, an editor's line): said once, never dropped silently.
  const after: Line[] = [];
  while (i < lines.length) {
    const l = lines[i]!;
    if (inTable[i] || isPageHeader(i) || l.rule) {
      // A table holds measures too: what stood before it was its caption, not text after the last measure.
      if (inTable[i]) after.length = 0;
      i++;
      continue;
    }
    const date = dateAt(i);
    if (!date) {
      const heading = isHeadingAt(i, false);
      if (heading) section = heading;
      else if (readSourceLine(l, isNamed)) warn(l.no, `a 来源 line outside any measure was ignored: "${l.text.slice(0, 40)}"`);
      else if (looksLikeDate(l.form))
        warn(
          l.no,
          `"${l.text}" looks like a date but is not one (no such month or day); the lines after it up to the next date were not read as a measure`,
        );
      else if (headingName(l).marked && headingShaped(headingName(l).name) && moreDatesAfter(i))
        warn(l.no, `"${l.text}" looks like a heading but names no agency and is not followed by a date; ignored`);
      else if (moreDatesAfter(i)) warn(l.no, `text outside any measure ignored: "${l.text.slice(0, 40)}"`);
      else after.push(l);
      i++;
      continue;
    }
    const raw: Raw = { date, dateLine: l.no, titles: [], body: [], bullets: [], source: null, section, named: null };
    // A title as stored; the first may name its agency in brackets (a one-line digest's "【市公安局】标题").
    const addTitle = (text: string, line: number) => {
      let title = titleWithoutTags(withoutMarks(bareTitle(text)));
      if (raw.titles.length === 0) {
        const inTitle = agencyInTitle(title, (name) => namedAgency(name, agencies) !== null);
        if (inTitle) {
          title = inTitle.title;
          raw.named ??= inTitle.agency;
        }
      }
      raw.titles.push({ text: title, line, written: text });
    };
    // The title on the date line, as written (date.rest is in the matching form, where "，" is ","), and a
    // 来源 in brackets at its end ("4月1日 标题（来源：市商务委）").
    const restText = date.rest ? partAsWritten(l, date.rest) : '';
    const trailing = restText ? splitTrailingSource(restText) : null;
    if (restText) addTitle(trailing?.before ?? restText, l.no);
    if (trailing) raw.source = trailing.source;
    let titleNumbering = date.rest ? (numberingOf(date.rest)?.kind ?? null) : null;
    i++;
    while (i < lines.length) {
      const cur = lines[i]!;
      if (isPageHeader(i)) {
        i++;
        continue;
      }
      // A markdown heading always ends a measure; after a 来源 in the title's brackets only prose follows.
      if (inTable[i] || cur.rule || dateAt(i) || isHeadingAt(i, raw.titles.length === 0) || (cur.md > 0 && raw.titles.length > 0)) break;
      if (raw.source !== null && !isProse(cur)) break;
      const src = readSourceLine(cur, isNamed);
      if (src) {
        if (src.before && raw.titles.length === 0) addTitle(src.before, cur.no);
        else if (src.before) raw.body.push(src.before);
        if (!src.source) warn(cur.no, 'a 来源 line with no source named; the measure keeps its heading’s agency');
        raw.source = src.source || raw.source;
        i++;
        // A 来源 right after the title (web pages put it there) may be followed by the body: prose lines are
        // read on; anything else (a page footer, the next heading) ends the measure.
        if (raw.body.length > 0 || raw.bullets.length > 0 || raw.titles.length === 0) break;
        while (i < lines.length && !inTable[i] && !dateAt(i) && isProse(lines[i]!) && !isHeadingAt(i, false))
          raw.body.push(lines[i++]!.text);
        break;
      }
      // "发布单位：…" (its 来源, when it has one, still says where it is from): read as a 来源 would be (several
      // issuers: one measure per agency, as for a joint 来源).
      const issuer = readIssuerLine(cur.form);
      if (issuer && raw.body.length === 0 && raw.bullets.length === 0) {
        raw.named ??= issuer;
        i++;
        continue;
      }
      if (raw.titles.length === 0) {
        addTitle(cur.text, cur.no);
        titleNumbering = numberingOf(bulletOf(cur.text) ?? cur.text)?.kind ?? null;
      } else {
        const bullet = bulletOf(cur.text);
        const numbered = numberingOf(cur.text);
        const asTitle =
          // A line without Chinese after a Chinese title is its translation (a bilingual edition), not a title.
          (HAN.test(cur.text) || !raw.titles.some((t) => HAN.test(t.text))) &&
          raw.body.length === 0 &&
          raw.bullets.length === 0 &&
          looksLikeTitle(cur) &&
          // A line with a full stop inside is a sentence ("【更正】本市…困难。（…）"), not a second title.
          !cur.text.includes('。') &&
          // "（提醒：…）" under a title is an editor's note on it.
          !ASIDE.test(cur.form) &&
          // "文号：… | 成文日期：…", "附件：…" under a title are its document's fields.
          !isDocumentField(cur.form) &&
          // After a title in corner brackets ("「标题」"), only another such line is a title; the rest is its body.
          (!isQuotedTitle(raw.titles[0]!.written) || isQuotedTitle(cur.text)) &&
          // A title on its date line, then a blank line: what follows is no second title of that date (a digest's footer).
          !(raw.titles[0]!.line === raw.dateLine && cur.no > lines[i - 1]!.no + 1) &&
          bullet === null &&
          (numbered === null || numbered.kind === titleNumbering);
        if (asTitle) addTitle(cur.text, cur.no);
        else if (bullet !== null) raw.bullets.push(bullet.replace(/[;；]$/, ''));
        // "（1）…" items after a title or its body are bullets (a list numbered like the title is more titles, above).
        else if (numbered && numbered.kind !== titleNumbering) raw.bullets.push(numbered.rest.replace(/[;；]$/, ''));
        else if (looksLikeSource(cur.form)) {
          warn(cur.no, `"${cur.text.slice(0, 40)}" looks like a 来源 line but names no source; kept in the body`);
          raw.body.push(cur.text);
        } else raw.body.push(cur.text);
      }
      i++;
    }
    if (raw.titles.length === 0) {
      warn(raw.dateLine, `the date line ${l.text} is followed by no title; skipped`);
      continue;
    }
    raws.push(raw);
  }
  if (after.length > 0 && raws.length > 0)
    warn(
      after[0]!.no,
      `${after.length === 1 ? 'a line' : `${after.length} lines (${after[0]!.no}–${after.at(-1)!.no})`} after the last measure, not part of any measure: "${after[0]!.text.slice(0, 40)}"`,
    );

  const entries: Entry[] = [];
  const agenciesOf = placer(agencies, warn);

  const dateOf = (d: DateLine, line: number): string | null => {
    if (d.year === null) sayGuess();
    const year = d.year ?? yearOf(d.month, yearSource);
    if (!realDay(year, d.month, d.day)) {
      warn(line, `${year}年${d.month}月${d.day}日 is not a day of the calendar; the measure is skipped`);
      return null;
    }
    const iso = isoDate(year, d.month, d.day);
    if (asOf && iso > asOf) warn(line, `${iso} is after the bulletin's as-of date ${asOf}`);
    return iso;
  };

  const push = (
    r: { date: string; titles: { text: string; line: number }[]; body: string[]; bullets: string[] },
    placed: { agencies: string[]; source: string },
  ) => {
    for (const agency of placed.agencies) {
      for (const t of r.titles) {
        if (!t.text) continue;
        entries.push({
          id: entryId(r.date, agency, t.text),
          agency,
          date: r.date,
          title: t.text,
          body: [...r.body],
          bullets: [...r.bullets],
          source: placed.source,
          bulletin: bulletinId,
          line: t.line,
        });
      }
    }
  };

  // Measures and table rows in the order they appear.
  type Item = { line: number; raw?: Raw; row?: TableRow };
  const items: Item[] = [
    ...raws.map((raw) => ({ line: raw.titles[0]!.line, raw })),
    ...tables.flatMap((t) => t.rows.map((row) => ({ line: row.line, row }))),
  ].sort((a, b) => a.line - b.line);
  for (const item of items) {
    if (item.raw) {
      const r = item.raw;
      const date = dateOf(r.date, r.dateLine);
      if (!date) continue;
      // A 来源 naming an outlet (上海发布) or a name the directory does not know gives way to the agency the
      // measure's own lines name.
      const by = r.source && r.named && (isOutlet(r.source) || agencies.resolve(r.source) === null) ? r.named : (r.source ?? r.named);
      const placed = agenciesOf(by, r.section, r.titles[0]!.line, r.titles[0]!.text);
      if (placed) push({ date, titles: r.titles, body: r.body, bullets: r.bullets }, placed);
      continue;
    }
    const row = item.row!;
    if (!row.title) {
      if (row.dateText || row.agency) warn(row.line, 'a table row with no measure; skipped');
      continue;
    }
    if (!row.date) {
      warn(row.line, `table row "${row.title.slice(0, 30)}": "${row.dateText}" is not a date; skipped`);
      continue;
    }
    const date = dateOf(row.date, row.line);
    if (!date) continue;
    const agencyText = row.agency || row.source;
    const placed = agenciesOf(agencyText || null, null, row.line, row.title);
    if (!placed) continue;
    // The 部门 column names the agency; the 来源 column, when given, is what is stored as the source.
    push(
      { date, titles: [{ text: row.title, line: row.line }], body: row.body, bullets: [] },
      { agencies: placed.agencies, source: row.source || placed.source },
    );
  }

  if (entries.length === 0) {
    // The first warning says why, when a reading step knew (minutes whose titles carry no quotes).
    const why = warnings[0] ? `; first warning (line ${warnings[0].line ?? '-'}): ${warnings[0].message}` : '';
    throw new BulletinError(
      file,
      (first === -1
        ? 'no measures found: expected date lines like "2月4日", each followed by a title and a "来源：…" line, or a table with 日期/部门/措施 columns'
        : 'no measure could be placed: each needs a title and a "来源：…" line or an agency heading') + why,
      first === -1 ? undefined : lines[first]!.no,
    );
  }
  const unique = lastCopies(entries, warn);

  return {
    bulletin: { id: bulletinId, title: header.title, series: header.series, asOf, publisher: header.publisher, file },
    entries: unique,
    warnings,
  };
}
