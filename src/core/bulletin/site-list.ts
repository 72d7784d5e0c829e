/**
 * A website's list page copied in a browser (a 专题's column of links): the site's chrome (navigation, breadcrumbs,
 * search box), then sections headed by an agency with a "更多>>" link, each item a title with its full date at
 * the end of the line:
 *   市人社局⇥更多>>
 *   · 上海延续实施阶段性减免企业社会保险费政策⇥2020-09-18
 *   · 冷链食品追溯平台上线运行              (the date wrapped onto the next line)
 *   2020-10-09
 *   · 推出支持企业复工复产“十二条”升级版2020-09-28     (glued to the title)
 *   · [市商务委] 金秋购物旅游季促消费系列活动启动⇥2020-09-21   (a mixed section's item names its agency)
 * (also "⇥09-18", "⇥2020年9月18日", or "· 2020-09-18 标题" with the date first)
 * (or a row of cells with the agency in one: "索引号⇥标题⇥市人社局⇥2020-09-18"),
 * then pagination (上一页 1 2 3 下一页 共3页), related links (相关链接: other pages with their dates) and the
 * footer. Before the parser reads it, each item becomes its date line then its title (an agency in brackets at
 * its start becomes a 发布单位 line, as a timeline's tags do); a section heading becomes a line of its own (its
 * "更多>>" gone). The list is proven by three items or more whose line ends with a full date, each next to another; what follows the
 * pagination or a related-links line (相关链接) is left as it is (the parser warns about it: text after the last measure).
 */
import type { Line } from './lines.ts';
import { SENTENCE_END, bulletOf, madeLine } from './lines.ts';
import { isTableHeader } from './tables.ts';

/**
 * The date at the end of an item's line: a full one (⇥2020-09-18, " 2020/9/18", "[2020-09-18]", "（2020.09.18）",
 * " 2020年9月18日", or glued to the title), or a short one set apart by a space or brackets ("⇥09-18", "[09-18]").
 */
const TRAILING_DATES = [
  /(?:^|[^\d])[\s[(（【]*((?:19|20)\d{2})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{1,2})\s*[\])）】]?$/,
  /(?:\s|[[(（【])[\s[(（【]*((?:19|20)\d{2})\s*(年)\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*[\])）】]?$/,
  /(?:\s|[[(（【])[\s[(（【]*()()(\d{1,2})[-/](\d{1,2})\s*[\])）】]?$/,
];
/** A bulleted item with its full date first: "· 2020-09-18 标题", "• [2020-09-18] 标题". */
const LEADING_DATE = /^[·•▪◦■]\s*[[(（【]?((?:19|20)\d{2})([-/.])(\d{1,2})\2(\d{1,2})[\])）】]?\s*(\S.*)$/;
/** A date alone on a line: an item's date wrapped under it. */
const DATE_ALONE = /^[\s[(（【]*((?:19|20)\d{2})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{1,2})\s*[\])）】]?$/;
/** A section heading's link to its full list, set apart from its name ("市人社局⇥更多>>", not "了解更多"). */
const MORE = /\s+(?:更多\s*(?:>>|》|»|>|＞＞|＞|\+)?|more\s*(?:>>|»|>|\+)?)\s*$/i;
/** Pagination: the list ends there. */
const PAGINATION = /上一页|下一页|尾页|末页|当前第\s*\d+\s*页|共\s*\d+\s*页|跳转到/;
/** The related-links block (other pages with their dates): never the list, and the list ends there. */
const RELATED = /^[\s【[·•]*(?:相关链接|相关文章|相关新闻|相关阅读|往期回顾|往期链接|历史期刊|相关专题)[】\]\s:：]*$/;
/** An agency in brackets before the title: "[市商务委] 标题", "【上海海关】标题". */
const TAG = /^[[【〔［]\s*([^[\]【】〔〕［］]{2,20}?)\s*[\]】〕］]\s*(\S.*)$/;
const HAN = /[\u3400-\u9fff]/;

interface Item {
  title: string;
  date: string;
}

/** A line that is an item with its date at the end (or, bulleted, at its start), as written; null when it is not. */
function itemOf(l: Line): Item | null {
  const lead = /^[·•▪◦■]/.test(l.form) ? LEADING_DATE.exec(l.form) : null;
  if (lead) {
    const t =
      lead[5]!.length <= l.text.length
        ? [...l.text]
            .slice(-[...lead[5]!].length)
            .join('')
            .trim()
        : lead[5]!;
    return titled(t, dateText(lead));
  }
  if (!/\d$|[\])）】日]$/.test(l.form)) return null;
  for (const re of TRAILING_DATES) {
    const m = re.exec(l.form);
    if (m) return titled(titleOf(l.text.slice(0, cutAt(l, m))), dateText(m));
  }
  return null;
}

/** An item's title: at least 6 characters with Chinese, not a sentence, not a label ("发布日期："). */
function titled(t: string, date: string): Item | null {
  if (!t || [...t].length < 6 || !HAN.test(t) || SENTENCE_END.test(t) || /[:：]/.test(t.slice(0, 8))) return null;
  return { title: t, date };
}

/** Where the date begins in the line as written (form and text may differ in width; the date is ASCII in both). */
function cutAt(l: Line, m: RegExpExecArray): number {
  const start = m.index + (/^[^\d\s[(（【]/.test(m[0]) ? 1 : 0);
  // The date and what wraps it are the form's last characters; the same count from the text's end.
  const units = [...l.text];
  return units.slice(0, units.length - [...l.form.slice(start)].length).join('').length;
}

function titleOf(text: string): string {
  const t = text.replace(/[\s\t]+$/, '').replace(/[\s[(（【]+$/, '');
  return (bulletOf(t) ?? t).trim();
}

/** The date as a date line: 2020-09-18, or 9月18日 for a date written without its year. */
const dateText = (m: RegExpExecArray) =>
  m[1] ? `${m[1]}-${m[3]!.padStart(2, '0')}-${m[4]!.padStart(2, '0')}` : `${Number(m[3])}月${Number(m[4])}日`;

/**
 * An information-disclosure list's row: "索引号⇥标题⇥发布机构⇥日期" — the agency in a cell of its own (as [, title,
 * agency] like a tag's match), the title the longest Chinese cell; null when no cell is an agency.
 */
function publisherCell(l: Line, isAgency: (name: string) => boolean): [string, string, string] | null {
  const cells = (l.cells ?? []).map((c) => c.trim()).filter(Boolean);
  if (cells.length < 3) return null;
  const agency = cells.slice(0, -1).find((c) => isAgency(c));
  if (!agency) return null;
  const title = cells
    .slice(0, -1)
    .filter((c) => c !== agency && HAN.test(c))
    .sort((a, b) => b.length - a.length)[0];
  return title ? ['', agency, bulletOf(title) ?? title] : null;
}

/** The section a "市人社局⇥更多>>" line heads, or null. */
function sectionOf(l: Line): string | null {
  const m = MORE.exec(l.text);
  if (!m || m.index === 0) return null;
  const name = l.text.slice(0, m.index).trim();
  return name.length <= 20 && !/[，。；:：]|点击|查看|了解|阅读/.test(name) ? name : null;
}

export function siteListItems(lines: readonly Line[], isAgency: (name: string) => boolean): Line[] {
  // Cheap first: three item lines ending with a full date, each next to another item, a section heading or a
  // wrapped date (a list, not a body line "…截止 2020-06-30" here and there); a page's related links are not its list.
  const listed = (k: number) => {
    const l = lines[k];
    return !!l && (itemOf(l) !== null || sectionOf(l) !== null || DATE_ALONE.test(l.form));
  };
  let items = 0;
  for (let k = 0; k < lines.length; k++) {
    if (RELATED.test(lines[k]!.form)) break;
    if (itemOf(lines[k]!) && (listed(k - 1) || listed(k + 1)) && ++items >= 3) break;
  }
  // A table with its header row (标题⇥发布机构⇥发布日期) is the table reader's.
  if (items < 3 || lines.some((l) => l.cells && isTableHeader(l.cells))) return [...lines];
  const firstItem = lines.findIndex((l) => itemOf(l) !== null || sectionOf(l) !== null);
  const out: Line[] = lines.slice(0, firstItem);
  let ended = false;
  for (let i = firstItem; i < lines.length; i++) {
    const l = lines[i]!;
    if (ended || PAGINATION.test(l.form) || RELATED.test(l.form)) {
      // A rule closes the last item: what follows is no title of it.
      if (!ended) out.push({ ...madeLine(l.no, ''), rule: true });
      ended = true;
      out.push(l);
      continue;
    }
    const section = sectionOf(l);
    if (section !== null) {
      // A section that is no agency (综合, 要闻) is still a heading: its items name their own agencies.
      out.push(madeLine(l.no, section));
      continue;
    }
    let item = itemOf(l);
    const next = lines[i + 1];
    const wrapped = !item && next ? DATE_ALONE.exec(next.form) : null;
    if (wrapped && !DATE_ALONE.test(l.form) && HAN.test(l.form) && !SENTENCE_END.test(l.form)) {
      item = { title: titleOf(l.text), date: dateText(wrapped) };
      i++;
    }
    if (!item) {
      out.push(l);
      continue;
    }
    out.push(madeLine(l.no, item.date));
    const tag = TAG.exec(item.title) ?? publisherCell(l, isAgency);
    if (tag && isAgency(tag[1]!)) {
      out.push(madeLine(l.no, tag[2]!.trim()), madeLine(l.no, `发布单位：${tag[1]}`));
    } else out.push(madeLine(l.no, item.title));
  }
  return out;
}
