/**
 * Lines of a bulletin as copied from anywhere: what counts as a line break, what is decoration to drop
 * (markdown, Word's private-use bullets, share-bar text), and the list markers that are not part of a title.
 */
import { simplify } from '../search/normalize.ts';
import { cleanLine, matchForm } from '../text.ts';

export interface Line {
  /** 1-based line number in the text as given. */
  no: number;
  /** As stored and shown: decoration gone, punctuation as written. */
  text: string;
  /**
   * For pattern matching: text in NFKC (full-width digits and colons folded), traditional characters read as
   * simplified (來源 → 来源, 截止至 as typed in Hong Kong), unit for unit so offsets still meet the text's.
   */
  form: string;
  /** Markdown heading level ("## X" → 2), 0 for none. */
  md: number;
  /** The whole line was one markdown link "[text](url)": text is the link's text. */
  link: boolean;
  /** Tab-separated cells as pasted from Word or Excel (or a markdown pipe row), else null. */
  cells: string[] | null;
  /** A markdown thematic break (---, ***): no text; it ends a measure, as a heading does. */
  rule?: boolean;
}

/** Word's manual line break (vertical tab), form feed, Unicode line/paragraph separators and NEL break lines too. */
const EXTRA_BREAKS = /[\u000B\u000C\u2028\u2029\u0085]/g;
/** Symbol/Wingdings bullets Word leaves in the private-use area when a list is pasted as text (U+F0B7 …). */
const PRIVATE_BULLETS = /[\uF06C\uF06E\uF075\uF076\uF0A7\uF0A8\uF0B7\uF0D8\uF0FC]/g;
/** Word's Wingdings bullets pasted as Latin letters: "Ø<TAB>text", "l<TAB>text", "§<TAB>text". */
const WINGDINGS_BULLET = /^\s*[ØlnqvüÜ§]\t/;
/** Lines that are a page's furniture, never a bulletin's content (whole line only), a Word report's page numbers too. */
const BOILERPLATE =
  /^(?:点击(?:上方|上面|下方)?.{0,12}关注(?:我们)?|长按(?:识别)?(?:二维码|图片).{0,12}|(?:扫一?扫|扫描)二维码.{0,12}|阅读原文|阅读\s*\d+[万+]?|在看\s*\d*|赞\s*\d*|分享(?:到)?\s*[:：]?.{0,20}|(?:微信|朋友圈|微博|QQ空间)(?:\s*[|｜]\s*(?:微信|朋友圈|微博|QQ空间))*|返回顶部|返回目录|回到目录|回到顶部|打印本页|关闭窗口|(?:[【[]?(?:打印本页|打印|关闭窗口|关闭|收藏|字号|大|中|小|分享)[】\]]?\s*)+|.{0,40}版权所有.{0,60}|(?:主办|承办|网站标识码|ICP备案|沪ICP备)[:：]?.{0,80}|copyright.{0,80}|上一篇[:：].*|下一篇[:：].*|责任编辑\s*[:：].{0,20}|[（(]?原标题\s*[:：].*|(?:往期(?:回顾|汇总|推荐|链接)|(?:相关|延伸|推荐)阅读|本期(?:编辑|责编|审核)|原文链接)\s*[:：].*|收起全文.?|转发\s*\d+\s*[|｜]?\s*评论\s*\d+.*|[-—=*_]{3,}|第\s*\d+\s*页\s*[,，/]?\s*共\s*\d+\s*页|共\s*\d+\s*页\s*第\s*\d+\s*页|[-—]\s*\d+\s*[-—]|page\s*\d+(?:\s*of\s*\d+)?)$/iu;

export function isBoilerplate(form: string): boolean {
  return BOILERPLATE.test(form.trim());
}

/** The toggle tags markdown editors leave in the text (Yuque: <details><summary>▶ 要点</summary>); other tags are text. */
const INLINE_HTML = /<\/?(?:details|summary)\b[^>]*>/gi;
const MD_LINK_LINE = /^\[([^\]]+)\]\((?:[^()\s]+)\)$/;
const MD_IMAGE = /!\[[^\]]*\]\([^)]*\)/g;
const MD_LINK = /\[([^\]]+)\]\((?:[^()\s]+)\)/g;
const MD_HEADING = /^(#{1,6})\s+/;

/** Strips markdown a copy brings along: quote marks, heading hashes, emphasis, links and images. */
function unmark(raw: string): { text: string; md: number; link: boolean } {
  let t = raw
    .replace(MD_IMAGE, '')
    .replace(INLINE_HTML, '')
    .replace(/^\s*(?:>\s*)+/, '');
  let md = 0;
  const h = MD_HEADING.exec(t.trimStart());
  if (h) {
    md = h[1]!.length;
    t = t
      .trimStart()
      .slice(h[0].length)
      .replace(/\s+#+\s*$/, '');
  }
  const link = MD_LINK_LINE.test(t.trim());
  t = t.replace(MD_LINK, '$1');
  // *来源：…* and _…_ wrapping a whole line; **bold** and __bold__ anywhere are cleanLine's.
  t = t.replace(/^\s*([*_~]{1,3})(\S(?:.*\S)?)\1\s*$/, '$2');
  return { text: t, md, link };
}

/** Markdown pipe rows become cells too ("| 日期 | 部门 |"); the separator row "|---|---|" is no line at all. */
function cellsOf(raw: string): string[] | null {
  if (raw.includes('\t')) {
    const cells = raw.split('\t').map((c) => cleanLine(c));
    return cells.filter((c) => c !== '').length >= 2 ? cells : null;
  }
  const t = raw.trim();
  if (t.startsWith('|') && t.endsWith('|') && t.length > 2)
    return t
      .slice(1, -1)
      .split('|')
      .map((c) => cleanLine(c));
  return null;
}

/** A markdown thematic break: three or more -, * or _ alone on a line (spaces between allowed). */
/** "---", "***", and a rule of dashes a newsletter draws before its footer ("——————"): it ends a measure. */
const THEMATIC_BREAK = /^\s*(?:([-*_])\s*)(?:\1\s*){2,}$|^\s*(?:[—─━]\s*){4,}$/;
/**
 * A month's separator in a digest: "——— 4月 ———", "== 2020年5月 ==", "【四月】", "## 5月份" (it ends a measure, as a
 * rule does; it names no agency).
 */
const MONTH = String.raw`(?:(?:\d{4}\s*年\s*)?\d{1,2}\s*月份?|[一二三四五六七八九十]{1,3}月份?)`;
const MONTH_RULE = new RegExp(
  String.raw`^\s*(?:[-—─━=~*_·]{2,}\s*${MONTH}\s*[-—─━=~*_·]{2,}|(?:#{1,6}\s+)?[【\[〔]?\s*${MONTH}\s*[】\]〕]?)\s*$`,
);
const TABLE_RULE = /^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$/;

/** A CSV's header row: comma-separated, with a date column and a title column (序号,部门,日期,标题,来源). */
const CSV_HEADER =
  /^(?=.*(?:^|,)\s*"?(?:发布)?(?:日期|时间)"?\s*(?:,|$))(?=.*(?:^|,)\s*"?(?:标题|措施|举措|政策名称|名称|内容)"?\s*(?:,|$))[^,]*(?:,[^,]*){2,}$/;

/**
 * Splits text into non-blank lines with their original line numbers. Tab-separated cells keep a quoted
 * cell's line breaks (Excel quotes a cell holding several lines), so one table row stays one line. A text
 * with a CSV header row (Excel's "CSV" export opened as text) is read the same way with commas.
 */
export function splitLines(text: string): Line[] {
  const raw = text.replace(EXTRA_BREAKS, '\n').split(/\r\n|\r|\n/);
  const sep = raw.some((r) => CSV_HEADER.test(r.trim())) ? ',' : '\t';
  const out: Line[] = [];
  for (let i = 0; i < raw.length; i++) {
    let r = raw[i]!;
    const no = i + 1;
    // A separated row with an open quote continues on the next lines until the quote closes.
    if (r.includes(sep) && openQuote(r, sep)) {
      while (i + 1 < raw.length && openQuote(r, sep)) r += `\n${raw[++i]}`;
    }
    if (TABLE_RULE.test(r) && r.includes('-') && r.includes('|')) continue;
    if (THEMATIC_BREAK.test(r) || MONTH_RULE.test(r)) {
      out.push({ no, text: '', form: '', md: 0, link: false, cells: null, rule: true });
      continue;
    }
    const cells =
      sep === ','
        ? r.includes(',')
          ? withContent(splitQuotedCells(r, ','))
          : null
        : r.includes('\t') && r.includes('"')
          ? splitQuotedCells(r, '\t')
          : cellsOf(r);
    r = r.replace(PRIVATE_BULLETS, '• ').replace(WINGDINGS_BULLET, '• ');
    // A CSV row that is not a table's (a title row "…截止至4月23日）,,,,,"): its cells as the line's text.
    const m = unmark(cells ? (sep === ',' ? cells.filter(Boolean).join(' ') : r.replace(/\t/g, ' ')) : r);
    const cleaned = cleanLine(m.text.replace(/\n/g, ' '));
    if (!cleaned) continue;
    const form = formOf(cleaned);
    if (isBoilerplate(form)) continue;
    out.push({ no, text: cleaned, form, md: m.md, link: m.link, cells });
  }
  return out;
}

/** Cells with at least two filled, else null (a line of one cell is no row). */
function withContent(cells: string[]): string[] | null {
  return cells.filter((c) => c !== '').length >= 2 ? cells : null;
}

/** Whether a separated row has a cell opened with a quote and not yet closed. */
function openQuote(row: string, sep: string): boolean {
  let inQuote = false;
  let cellStart = true;
  for (let k = 0; k < row.length; k++) {
    const c = row[k]!;
    if (cellStart && c === '"') inQuote = true;
    else if (inQuote && c === '"') {
      if (row[k + 1] === '"') k++;
      else inQuote = false;
    }
    cellStart = !inQuote && c === sep;
  }
  return inQuote;
}

/** Excel's copy format: cells separated by tabs (or commas), a cell with line breaks or quotes in "…" with "" for a quote. */
function splitQuotedCells(row: string, sep: string): string[] {
  const cells: string[] = [];
  let k = 0;
  while (k <= row.length) {
    if (row[k] === '"') {
      let v = '';
      k++;
      while (k < row.length) {
        if (row[k] === '"' && row[k + 1] === '"') {
          v += '"';
          k += 2;
        } else if (row[k] === '"') {
          k++;
          break;
        } else v += row[k++];
      }
      const end = row.indexOf(sep, k);
      cells.push(v + (end === -1 ? row.slice(k) : row.slice(k, end)));
      k = end === -1 ? row.length + 1 : end + 1;
    } else {
      const end = row.indexOf(sep, k);
      cells.push(end === -1 ? row.slice(k) : row.slice(k, end));
      k = end === -1 ? row.length + 1 : end + 1;
    }
  }
  return cells.map((c) => c.trim());
}

const CJK_NUM = '一二三四五六七八九十百零〇两';

/** The list numbering a title may carry, by kind, so "1. …" followed by "2. …" reads as two titles. */
export type Numbering = 'keycap' | 'arabic' | 'paren-arabic' | 'cjk' | 'paren-cjk' | 'circled' | 'article';

const NUMBERINGS: [Numbering, RegExp][] = [
  // Weibo's and WeChat's keycap emoji: 1️⃣ … 9️⃣, 🔟.
  ['keycap', /^(?:\d\uFE0F?\u20E3|\u{1F51F})\s*/u],
  ['paren-cjk', new RegExp(`^[（(]\\s*[${CJK_NUM}]{1,3}\\s*[)）]\\s*`)],
  ['paren-arabic', /^[（(]\s*\d{1,3}\s*[)）]\s*/],
  ['cjk', new RegExp(`^[${CJK_NUM}]{1,3}\\s*[、.．]\\s*`)],
  // "1. …", "1、…", "1) …" but not "1.5万…" or "2020年…".
  ['arabic', /^\d{1,3}\s*(?:[、．)）]|\.(?!\d))\s*/],
  ['circled', /^[①-⑳⑴-⒇⒈-⒛]\s*/],
  // "第一条、…", "第二项：…" (a separator is required: "第一批复工企业" and "第一条 …" as a title stay whole).
  ['article', new RegExp(`^第[${CJK_NUM}\\d]{1,4}[条项点部分]{1,2}\\s*[、:：.．]\\s*`)],
];

/** Leading list numbering and its kind: "（一）措施" → { kind: 'paren-cjk', rest: '措施' }. */
export function numberingOf(text: string): { kind: Numbering; rest: string } | null {
  for (const [kind, re] of NUMBERINGS) {
    const m = re.exec(text);
    if (m && m[0].length < text.length) return { kind, rest: text.slice(m[0].length) };
  }
  return null;
}

/** Bullet markers: dashes and stars of markdown, the symbols editors paste, "（1）" items and Word's bullets. */
const BULLET = /^(?:(?:[-*+](?=\s)|[•·◆◇●○▪■□►▶➤➢➣➔→✔✓√☑★☆❖◎◉♦▸▹‣⁃])\s*)+/u;

/** A bullet line's text without its marker, or null when the line is not a bullet. */
export function bulletOf(text: string): string | null {
  const m = BULLET.exec(text);
  if (m && m[0].length < text.length) return text.slice(m[0].length).trim();
  return null;
}

/** Emoji that decorate a line at its start or end (🏛️, 📅, 🎓, 👍), with their joiners and variation selectors. */
const EMOJI_EDGE =
  /^(?:[\p{Extended_Pictographic}\u{1F1E6}-\u{1F1FF}](?:\uFE0F|\u200D|[\u{1F3FB}-\u{1F3FF}])*\s*)+|(?:\s*[\p{Extended_Pictographic}\u{1F1E6}-\u{1F1FF}](?:\uFE0F|\u200D|[\u{1F3FB}-\u{1F3FF}])*)+$/gu;

/** A line without the emoji that decorate its ends: "🏛️【市人社局】" → "【市人社局】". */
export function withoutEmoji(text: string): string {
  const t = text.trim();
  // Asked of every line many times: the replace (which tries every position) only when an end may be an emoji.
  return t !== '' && (mayBeEmoji(t.codePointAt(0)!) || mayBeEmoji(t.codePointAt(t.length - 1)!))
    ? text.replace(EMOJI_EDGE, '').trim()
    : text;
}

/** Code points in or next to the blocks that hold pictographs (a cheap test before the \p{Extended_Pictographic} one). */
function mayBeEmoji(cp: number): boolean {
  return (
    (cp >= 0x2000 && cp <= 0x2bff) ||
    cp >= 0xdc00 ||
    cp === 0xa9 ||
    cp === 0xae ||
    cp === 0x3030 ||
    cp === 0x303d ||
    cp === 0x3297 ||
    cp === 0x3299
  );
}

/** A whole title in corner brackets, as posts quote it: "「标题」" → "标题" (not "「A」与「B」"). */
const QUOTED = /^[「『]([^「」『』]+)[」』]$/;

/**
 * A title as stored: bullet marker and list numbering gone ("1. …", "（一）…"), markdown hashes gone, the
 * emoji decorating it and corner brackets around the whole of it gone.
 */
export function bareTitle(text: string): string {
  const t = unnumbered(text);
  return (QUOTED.exec(t)?.[1] ?? t).trim();
}

/** Whether a title line is a whole title in corner brackets ("1️⃣ 「标题」🎓"): then the lines after it are its body. */
export function isQuotedTitle(text: string): boolean {
  return QUOTED.test(unnumbered(text));
}

function unnumbered(text: string): string {
  let t = bulletOf(text) ?? text;
  t = numberingOf(t)?.rest ?? t;
  return withoutEmoji(t.replace(/^#+\s*/, ''));
}

/** Ends like a sentence (a body line), not like a title. */
export const SENTENCE_END = /[。;；!！?？:：…,，、]$/;

/** The part of a line after its date as written (rest is in NFKC, where full-width punctuation is folded). */
export function partAsWritten(l: Line, rest: string): string {
  const units = [...l.text];
  const n = [...rest].length;
  // After the date (as usual), or before it ("标题（2020年3月28日）"): the stretch of the line that folds to it.
  for (let at = units.length - n; at >= 0; at--) {
    const part = units.slice(at, at + n).join('');
    if (simplify(part.normalize('NFKC')) === rest) return part.trim();
  }
  return rest;
}

/** A line's matching form: NFKC, and traditional characters as simplified (one unit for one). */
export const formOf = (text: string): string => simplify(matchForm(text));

/** A line made by a reading step (a date put before its title, a heading from a slide's badge): no markdown, no cells. */
export function madeLine(no: number, text: string): Line {
  return { no, text, form: formOf(text), md: 0, link: false, cells: null };
}

/** An editor's note in brackets on a line of its own ("（提醒：申报期已延长至4月24日）"): body, never a title or its wrap. */
export const ASIDE = /^[（(]\s*(?:提醒|注|注意|备注|温馨提示|提示|说明|编者按|小贴士|PS|ps)\s*[:：]/;
