/**
 * Meeting minutes or a speech-to-text transcript in which someone reads the bulletin out: the measures are inside
 * prose, each a spoken date followed by its title in the quotes the note-taker added, under an agency named with
 * its count:
 *   王磊 00:01:40
 *   接下来是市商务委，两条。第一条是三月二号，“……”；第二条是3月5号，“……”。
 * Read so:
 * - an agency is named by "NAME，N条" or "NAME（的）：一是…" (先是/然后是/最后是/第三个部门是… before it go);
 * - an item is a spoken date (十二月二十八号, 1月6号, 一月五日) followed, after at most a pause ("，" and a few
 *   words: "一月八号，卡着截止日子的，“…”"), by a quoted title (“…”, 「…」); each becomes date line, title and a
 *   发布单位 line, closed by a rule;
 * - the edition the reader names ("系列十七，截止到1月8号的这一期") becomes the title line "系列十七（截止至1月8日）";
 *   the minutes' own date in their header (时间：2021年1月11日 上午9:30) dates the copy (its year), never a measure;
 * - speaker and timestamp lines go; the rest of the talk is not read, in one warning naming its lines, and a
 *   spoken date said in passing (no quoted title right after it: "上一期是十二月十八号那个…") gets a warning of
 *   its own.
 * A text is read so only when it has either two speaker lines or a minutes mark (纪要, 转写, 会议记录) in its first
 * lines, at least two such items under agencies the directory knows, and fewer than two date lines of the usual
 * kind (a bulletin pasted as it is under the minutes is left to the parser). Minutes that name agencies with their
 * counts on two lines or more but put no title in quotes cannot be read safely: their talk is not read, and each
 * line saying dates is named in a warning (the parser then refuses the copy: no measures).
 */
import { findDate } from './dates.ts';
import type { DateLine } from './dates.ts';
import type { Line } from './lines.ts';
import { madeLine } from './lines.ts';

const NUM = '[〇零一二两三四五六七八九十\\d]';
/** A spoken date: Chinese numerals or digits, 号 or 日. Matched on the form (NFKC). */
const SPOKEN = new RegExp(`(?:(\\d{4}|[〇零一二三四五六七八九]{4})\\s*年\\s*)?(${NUM}{1,3})\\s*月\\s*(${NUM}{1,3})\\s*[号日]`, 'g');
/** A quoted title: “…”, 「…」 or "…". */
const QUOTED = /“([^“”]{4,120})”|「([^「」]{4,120})」|"([^"]{4,120})"/g;
/** An agency named with its count ("市人社局，三条"), its first item ("市人社局：一是") or right before a date ("市人社局。12月28号，…"). */
const ANNOUNCED = new RegExp(
  `([^，,。；;：:！？!?“”]{2,30})(?:[，,：:]\\s*(?:就|只有|一共|共)?\\s*(?:${NUM}{1,3}\\s*条|一是|第一条|第一个)|[，,：:。]\\s*(?=(?:\\d{4}\\s*年\\s*)?${NUM}{1,3}\\s*月\\s*${NUM}{1,3}\\s*[号日]))`,
  'g',
);
/** Words before an agency's name in speech. */
const LEAD =
  /^(?:好的?[，,。]?|嗯[，,。]?|那么?|那个)*(?:先是|首先是?|然后是?|接下来是?|接着是?|再就是|再是|还有|其次是?|最后是?|另外是?|下面是?|第[一二三四五六七八九十\d]+个(?:部门|单位)?是)?/;
/** Between the date and the quote: a pause and a few words, no sentence end, no "那个" (a date said in passing). */
const PAUSE = /^(?:\s*[，,：:]\s*(?:[^。；;！？!?“”「」"]{0,16}?[，,：:]\s*)?)?$/;
const SPEAKER =
  /^[\u4e00-\u9fffA-Za-z·]{1,12}\s*\d{0,2}(?:\s*[（(][^）)]{1,8}[）)])?\s+\d{1,2}:\d{2}(?::\d{2})?$|^\[?\d{1,2}:\d{2}(?::\d{2})?\]?\s*[\u4e00-\u9fffA-Za-z·]{1,12}\s*[:：]?$/;
const MINUTES = /纪要|转写|会议记录|会议速记|速记稿|录音整理/;
const AS_OF = new RegExp(`(?:截止|截至)\\s*(?:至|到)?\\s*((?:\\d{4}\\s*年\\s*)?${NUM}{1,3}\\s*月\\s*${NUM}{1,3}\\s*[号日])`);
const SERIES = /系列\s*[一二两三四五六七八九十\d]+|第\s*[一二两三四五六七八九十\d]+\s*[期辑]/;
/** The minutes' own date in their header: 时间：2021年1月11日… */
const MEETING_DATE = /^(?:会议)?(?:时间|日期)\s*[:：]/;

interface Item {
  date: string;
  title: string;
  agency: string | null;
}

interface Read {
  items: Item[];
  /** Agencies named with their counts on the line. */
  named: number;
  /** Quotes with no spoken date right before them. */
  untaken: string[];
  /** Spoken dates with no quoted title after them. */
  passing: string[];
}

function dateText(spoken: string): string | null {
  const d = findDate(spoken);
  return d ? `${d.year ? `${d.year}年` : ''}${d.month}月${d.day}日` : null;
}

function readLine(
  form: string,
  text: string,
  agency: string | null,
  isAgency: (name: string) => boolean,
): { read: Read; agency: string | null } {
  // Where agencies are named, in order.
  const named: { at: number; end: number; name: string }[] = [];
  for (const m of form.matchAll(ANNOUNCED)) {
    const name = m[1]!.trim().replace(LEAD, '').replace(/的$/, '').trim();
    if (name.length >= 2 && isAgency(name)) {
      const at = m.index + m[0].indexOf(m[1]!);
      named.push({ at, end: at + m[1]!.length, name });
    }
  }
  const dates = [...form.matchAll(SPOKEN)].map((m) => ({ at: m.index, end: m.index + m[0].length, text: m[0] }));
  const used = new Set<number>();
  const items: Item[] = [];
  const untaken: string[] = [];
  let boundary = 0;
  for (const q of form.matchAll(QUOTED)) {
    const from = boundary;
    boundary = q.index + q[0].length;
    // The last spoken date in this stretch, with only a pause between it and the quote.
    const before = dates.filter((d) => d.at >= from && d.end <= q.index);
    const d = before[before.length - 1];
    if (!d || !PAUSE.test(form.slice(d.end, q.index))) {
      untaken.push(q[0]);
      continue;
    }
    const date = dateText(d.text);
    if (!date) continue;
    used.add(d.at);
    const by = named.filter((n) => n.end <= d.at);
    const inner = q[1] ?? q[2] ?? q[3]!;
    const start = q.index + 1;
    items.push({ date, title: text.slice(start, start + inner.length).trim(), agency: by.length ? by[by.length - 1]!.name : agency });
  }
  const last = named[named.length - 1];
  return {
    read: { items, named: named.length, untaken, passing: dates.filter((d) => !used.has(d.at)).map((d) => d.text) },
    agency: last ? last.name : agency,
  };
}

export function transcriptItems(
  lines: readonly Line[],
  warn: (line: number, message: string) => void,
  isAgency: (name: string) => boolean,
  dateOf: (l: Line) => DateLine | null,
): Line[] {
  // Cheap first: speaker lines or a minutes mark.
  const speakers = lines.filter((l) => SPEAKER.test(l.form.trim())).length;
  if (speakers < 2 && !lines.slice(0, 5).some((l) => MINUTES.test(l.form))) return [...lines];
  // A bulletin pasted as it is (in a chat log, under minutes) has date lines of its own: the parser reads those.
  const dateLines = lines.filter((l) => {
    const d = dateOf(l);
    return d !== null && !d.labelled && !d.stamp;
  });
  if (dateLines.length >= 2) return [...lines];

  let agency: string | null = null;
  const reads = lines.map((l) => {
    const r = readLine(l.form, l.text, agency, isAgency);
    agency = r.agency;
    return r.read;
  });
  const placed = reads.flatMap((r) => r.items).filter((it) => it.agency !== null);
  // Agencies named with their counts and dates said, but no title in quotes: the measures cannot be told from the
  // talk. Each line saying dates is named in a warning; the talk is not read (guessing titles out of prose would
  // store sentences as measures).
  const unquoted = placed.length < 2 && reads.filter((r) => r.named > 0).length >= 2;
  if (placed.length < 2 && !unquoted) return [...lines];

  const rule = (no: number): Line => ({ no, text: '', form: '', md: 0, link: false, cells: null, rule: true });
  // The header: the lines before the first speaker line or the first line with an item.
  const firstTalk = lines.findIndex((l, i) => SPEAKER.test(l.form.trim()) || reads[i]!.items.length > 0);
  const out: Line[] = [];
  const talk: number[] = [];
  let edition = false;
  lines.forEach((l, i) => {
    const f = l.form.trim();
    if (i < firstTalk) {
      // The minutes' own date ("时间：2021年1月11日 上午9:30", "2021年1月11日 周例会"): the copy's date, never a
      // measure's; what follows a leading date stays as a header line.
      const line = dateOf(l);
      const d = MEETING_DATE.test(f) || line ? findDate(f) : null;
      if (!d) out.push(l);
      else {
        out.push(madeLine(l.no, `发送时间：${d.year ? `${d.year}年` : ''}${d.month}月${d.day}日`));
        const at = line && !line.labelled && line.rest ? l.form.lastIndexOf(line.rest) : -1;
        if (at !== -1) out.push(madeLine(l.no, l.text.slice(at, at + line!.rest.length)));
      }
      return;
    }
    if (f === '' || SPEAKER.test(f)) return;
    const r = reads[i]!;
    const asOf = edition ? null : AS_OF.exec(f);
    if (asOf) {
      const date = dateText(asOf[1]!);
      if (date) {
        edition = true;
        // (A rule after it: a short line right before a date would be read as an unknown agency's heading.)
        out.push(madeLine(l.no, `${SERIES.exec(f)?.[0] ?? ''}（截止至${date}）`), rule(l.no));
      }
    }
    for (const it of r.items) {
      out.push(madeLine(l.no, it.date), madeLine(l.no, it.title));
      if (it.agency) out.push(madeLine(l.no, `发布单位：${it.agency}`));
      out.push(rule(l.no));
    }
    const passing = r.passing.filter((p) => !asOf || !asOf[0].includes(p));
    if (unquoted && passing.length)
      warn(
        l.no,
        `minutes read aloud: ${passing.join('、')} said here, but no title is in quotes (“…”), so no measure can be told from the talk; not read`,
      );
    else for (const p of passing) warn(l.no, `"${p}" is said in passing, with no quoted title after it; not read as a measure`);
    // A quote among the items of a line, with no date said before it ("二是“…”"): never dropped unsaid.
    if (r.items.length > 0)
      for (const q of r.untaken)
        warn(l.no, `${q.slice(0, 40)} is quoted among the measures but no date is said right before it; not read as a measure`);
    if (r.items.length === 0 && !asOf) talk.push(l.no);
  });
  if (talk.length)
    warn(talk[0]!, `lines ${talk.join(', ')}: the meeting's talk, with no spoken date followed by a quoted title; not read as measures`);
  return out;
}
