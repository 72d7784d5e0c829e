import { createHash } from 'node:crypto';
import type { AgencyDirectory } from './agencies.ts';
import type { Entry, ParseWarning, ParsedBulletin } from './model.ts';
import { cleanLine, foldKey, matchForm } from './text.ts';

/** Bulletins are a few dozen KB; anything far larger is a wrong file, not a bulletin. */
export const MAX_BULLETIN_BYTES = 2 * 1024 * 1024;

export class BulletinError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
    readonly line?: number,
  ) {
    super(`${file}${line ? `:${line}` : ''}: ${reason}`);
    this.name = 'BulletinError';
  }
}

export interface ParseOptions {
  file: string;
  agencies: AgencyDirectory;
  /** Year for dates written "2月4日"; else the year the text states, else the as-of date's. */
  year?: number;
  /** For the fallback when the text states no year at all. */
  now?: Date;
}

/** Bytes → text, refusing what is not a UTF-8 text bulletin before any parsing. */
export function decodeBulletin(bytes: Uint8Array, file: string): string {
  if (bytes.length === 0) throw new BulletinError(file, 'the file is empty');
  if (bytes.length > MAX_BULLETIN_BYTES) {
    throw new BulletinError(file, `the file is ${(bytes.length / 1024 / 1024).toFixed(1)} MB; a bulletin is at most ${MAX_BULLETIN_BYTES / 1024 / 1024} MB`);
  }
  if (bytes.includes(0)) throw new BulletinError(file, 'this is a binary file, not a text bulletin');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new BulletinError(file, 'the file is not UTF-8 text (save the bulletin as UTF-8 .txt or .md)');
  }
}

const DATE_LINE = /^(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]$/;
const ISO_DATE_LINE = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/;
// "来源：X", "；来源：X", and a body line that ends in "；来源：X".
const SOURCE = /(?:^|[;,.。])\s*来源\s*:\s*(.+?)\s*$/;
const BULLET = /^(?:(?:[-*+]\s+)|[•◆◇●○▪■□·►▶])+\s*/;
const SENTENCE_END = /[。;；!！?？:：…,，、]$/;
const MAX_TITLE_CHARS = 120;
const MAX_HEADING_CHARS = 30;

interface Line {
  no: number;
  text: string;
  form: string;
}

interface RawDate {
  year: number | null;
  month: number;
  day: number;
}

function parseDateLine(form: string): RawDate | null {
  const m = DATE_LINE.exec(form) ?? ISO_DATE_LINE.exec(form);
  if (!m) return null;
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  return { year: m[1] ? Number(m[1]) : null, month, day };
}

function iso(year: number, month: number, day: number): string {
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

const CHINESE_DIGITS: Record<string, number> = { 零: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/** "二" → 2, "十二" → 12, "二十三" → 23, "7" → 7. */
export function chineseNumber(text: string): number | null {
  if (/^\d+$/.test(text)) return Number(text);
  const m = /^([一二两三四五六七八九])?(十)?([一二三四五六七八九])?$/.exec(text);
  if (!m || text === '') return null;
  const [, a, ten, b] = m;
  if (!ten) return a && !b ? (CHINESE_DIGITS[a] ?? null) : null;
  return (a ? CHINESE_DIGITS[a]! : 1) * 10 + (b ? CHINESE_DIGITS[b]! : 0);
}

/**
 * Stable across re-publications (date, agency, title — not position), so a cumulative bulletin maps onto
 * the measures already stored. The agency is part of it because a joint notice is listed under each agency.
 */
export function entryId(date: string, agency: string, title: string): string {
  const hash = createHash('sha1').update(`${date}|${agency}|${foldKey(title)}`).digest('hex').slice(0, 10);
  return `${date.replaceAll('-', '')}-${hash}`;
}

/** Where a bulletin's header and prose end: the first date line. */
function readHeader(lines: Line[], firstDateIdx: number, text: string, opts: ParseOptions) {
  const head = lines.slice(0, firstDateIdx === -1 ? lines.length : firstDateIdx);
  const titleLine = head[0];
  const title = titleLine ? titleLine.text.replace(/^#+\s*/, '') : '';
  const form = titleLine?.form ?? '';
  const series = /系列\s*([一二两三四五六七八九十\d]+)/.exec(form);
  const asOf = /截(?:止|至)\s*(?:至|到)?\s*(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]/.exec(form);
  const second = head[1];
  const publisher = second && second.text.length <= 40 && !SENTENCE_END.test(second.form) && !/[，。]/.test(second.text) ? second.text : null;

  const stated = /((?:19|20)\d{2})\s*年/.exec(text.normalize('NFKC'));
  const year = opts.year ?? (stated ? Number(stated[1]) : asOf?.[1] ? Number(asOf[1]) : null);
  return { title, series: series ? chineseNumber(series[1]!) : null, asOf, publisher, year };
}

export function parseBulletin(rawText: string, opts: ParseOptions): ParsedBulletin {
  const { file, agencies } = opts;
  const text = rawText.replace(/^\uFEFF/, '');
  if (text.trim() === '') throw new BulletinError(file, 'the file is empty');
  if (text.length > MAX_BULLETIN_BYTES) throw new BulletinError(file, `the text is longer than ${MAX_BULLETIN_BYTES} characters; a bulletin is far shorter`);
  if (/[\u0000-\u0008\u000E-\u001F]/.test(text)) throw new BulletinError(file, 'the text holds control characters: this is a binary file, not a bulletin');

  const lines: Line[] = [];
  text.split(/\r\n|\r|\n/).forEach((raw, i) => {
    const cleaned = cleanLine(raw);
    if (cleaned) lines.push({ no: i + 1, text: cleaned, form: matchForm(raw) });
  });

  const isDate = (l: Line | undefined) => !!l && parseDateLine(l.form) !== null;
  const firstDateIdx = lines.findIndex((l) => isDate(l));
  const header = readHeader(lines, firstDateIdx, text, opts);
  const warnings: ParseWarning[] = [];
  let year = header.year;
  if (year === null) {
    year = (opts.now ?? new Date()).getFullYear();
    warnings.push({ message: `the bulletin states no year; dates are taken as ${year} (pass --year to choose)` });
  }
  const asOf = header.asOf ? iso(header.asOf[1] ? Number(header.asOf[1]) : year, Number(header.asOf[2]), Number(header.asOf[3])) : null;
  const bulletinId = createHash('sha1').update(text.replace(/\r\n?/g, '\n').trim()).digest('hex').slice(0, 16);

  const isHeading = (i: number): boolean => {
    const l = lines[i]!;
    if (!isDate(lines[i + 1]) || isDate(l) || SOURCE.test(l.form)) return false;
    if (agencies.resolve(l.text) && foldKey(l.text).length <= MAX_HEADING_CHARS) return true;
    // The bulletin's title and publisher lines are not agency headings.
    if (i < 2) return false;
    return [...l.text].length <= MAX_HEADING_CHARS && !/[，。,;；:：!！?？《》“”"]/.test(l.text);
  };

  const entries: Entry[] = [];
  const unknownAgencies = new Set<string>();
  let section: string | null = null;

  // The heading just before the first date line counts; the rest of the header is prose.
  let i = firstDateIdx === -1 ? lines.length : Math.max(0, firstDateIdx - 1);
  while (i < lines.length) {
    const l = lines[i]!;
    const date = parseDateLine(l.form);
    if (!date) {
      if (isHeading(i)) section = agencies.resolve(l.text) ?? l.text;
      else if (i > firstDateIdx && lines.slice(i + 1).some((x) => isDate(x))) {
        warnings.push({ line: l.no, message: `text outside any measure ignored: "${l.text.slice(0, 40)}"` });
      }
      i++;
      continue;
    }
    // One entry: the date line, title lines, body and bullets, up to its 来源 line or the next date/heading.
    const dateLineNo = l.no;
    const titles: Line[] = [];
    const body: string[] = [];
    const bullets: string[] = [];
    let source: string | null = null;
    i++;
    while (i < lines.length) {
      const cur = lines[i]!;
      if (isDate(cur) || isHeading(i)) break;
      const src = SOURCE.exec(cur.form);
      if (src) {
        const before = cur.text.slice(0, cur.text.search(/来源\s*[:：]/)).replace(/[;；,，\s]+$/, '');
        if (before) body.push(before);
        source = cleanLine(src[1]!);
        i++;
        break;
      }
      const bullet = BULLET.exec(cur.text);
      if (bullet) bullets.push(cur.text.slice(bullet[0].length).replace(/[;；]$/, ''));
      else if (body.length === 0 && bullets.length === 0 && (titles.length === 0 || looksLikeTitle(cur))) titles.push(cur);
      else body.push(cur.text);
      i++;
    }

    const entryYear = date.year ?? year;
    const dateIso = iso(entryYear, date.month, date.day);
    if (titles.length === 0) {
      warnings.push({ line: dateLineNo, message: `the date line ${l.text} is followed by no title; skipped` });
      continue;
    }
    let agency: string | null;
    if (source) {
      agency = agencies.resolve(source);
      if (!agency) {
        agency = source;
        if (!unknownAgencies.has(source)) {
          unknownAgencies.add(source);
          warnings.push({ line: titles[0]!.no, message: `unknown agency "${source}": kept under that name (add it to data/agencies.json to give it aliases)` });
        }
      }
    } else if (section) {
      agency = section;
      warnings.push({ line: titles[0]!.no, message: `measure "${titles[0]!.text.slice(0, 30)}" has no 来源 line; placed under the heading ${section}` });
    } else {
      warnings.push({ line: titles[0]!.no, message: `measure "${titles[0]!.text.slice(0, 30)}" has no 来源 line and no agency heading; skipped` });
      continue;
    }
    // Several title lines under one date are several measures sharing the body that follows.
    for (const t of titles) {
      entries.push({
        id: entryId(dateIso, agency, t.text),
        agency,
        date: dateIso,
        title: t.text.replace(/^#+\s*/, ''),
        body: [...body],
        bullets: [...bullets],
        source: source ?? '',
        bulletin: bulletinId,
        line: t.no,
      });
    }
  }

  if (entries.length === 0) {
    throw new BulletinError(
      file,
      firstDateIdx === -1
        ? 'no measures found: expected date lines like "2月4日", each followed by a title and a "来源：…" line'
        : 'no measure could be placed: each needs a title and a "来源：…" line or an agency heading',
      firstDateIdx === -1 ? undefined : lines[firstDateIdx]!.no,
    );
  }
  const seen = new Map<string, number>();
  const unique: Entry[] = [];
  for (const e of entries) {
    const prev = seen.get(e.id);
    if (prev !== undefined) {
      warnings.push({ line: e.line, message: `the measure "${e.title.slice(0, 30)}" (${e.date}) appears twice; the later copy (line ${e.line}) wins` });
      unique[prev] = e;
    } else {
      seen.set(e.id, unique.length);
      unique.push(e);
    }
  }

  return {
    bulletin: { id: bulletinId, title: header.title, series: header.series, asOf, publisher: header.publisher, file },
    entries: unique,
    warnings,
  };
}

function looksLikeTitle(l: Line): boolean {
  return [...l.text].length <= MAX_TITLE_CHARS && !SENTENCE_END.test(l.form);
}
