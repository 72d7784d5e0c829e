/**
 * A news app's feed copied from a phone: each item is its title, then a meta line under it that says where
 * and when it is from:
 *   本市启动2020年网络招聘专项行动
 *   上海人社 · 06-10 · 3562阅读 · 12评
 * The date comes after the title, and may be relative (昨天 18:40, 3小时前, 今天 09:12). A relative time is
 * read against the date bar the copy shows at its top ("6月19日 星期五"), never against the machine's clock;
 * without one the item is a warning. The account on the meta line is where it was posted, not the agency:
 * the section headers ("━━ 市卫健委 ━━") name that; only in a feed without them does an account that is an
 * agency's own (上海人社, not 上海发布) name it. Before the parser reads it, each item becomes a date line
 * then its title. The app's furniture between items ([图片], 热, 查看更多 >, an 广告 block) is dropped, and what
 * follows the end-of-feed mark (— 已经到底了 —, then 相关推荐) is not read, with a warning.
 */
import type { Line } from './lines.ts';
import { madeLine } from './lines.ts';

/** The meta line: account · when · counts (阅读, 评, 赞, 播放 …), or when | account | counts. A count follows the date. */
const SEP = String.raw`\s*[·•|｜]\s*`;
const WHEN = String.raw`(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}-\d{1,2}|\d{1,2}月\d{1,2}日|昨天|前天|今天|刚刚|\d{1,2}\s*(?:小时|分钟|天)前)(?:\s*\d{1,2}:\d{2})?`;
const COUNT = String.raw`[\d.]+[万千]?\+?\s*(?:阅读|浏览|播放|评|评论|赞)`;
const META = new RegExp(String.raw`^(?:([^·•|｜]{1,30}?)${SEP})?${WHEN}${SEP}(?:([^·•|｜\d][^·•|｜]{0,29}?)${SEP})?${COUNT}`);
/** Asked of every line: a meta line has a separator. */
const mayBeMeta = (l: Line) => l.form.includes('·') || l.form.includes('•') || l.form.includes('|');
/** The date bar at the top of the copy: "6月19日 星期五" (a weekday makes it a bar, not a measure's date). */
const DATE_BAR = /(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日\s*(?:星期|周)[一二三四五六日天]/;
const END_OF_FEED = /^[-—─━=·\s]*(?:已经到底了?|没有更多了?|我是有底线的|到底了)[-—─━=·\s]*$|^(?:相关推荐|猜你喜欢|热门推荐)$/;
const FURNITURE =
  /^(?:(?:\[(?:图片|视频|音频|动图|链接)\]\s*)+(?:\d{1,2}:\d{2})?|热|新|置顶|查看更多\s*[>＞›]?|展开全文|写评论.*|\+\s*(?:订阅|关注).{0,6})$/;
const AD = /^广告(?:\s*[·•|｜]\s*不感兴趣)?$|^(?:立即(?:预约|购买|下载)|查看详情|了解更多)\s*[×x]?$/;

type Warn = (line: number, message: string) => void;

const DAY = 86_400_000;

export function feedItems(
  lines: readonly Line[],
  warn: Warn,
  isHeading: (l: Line) => boolean = () => false,
  isAgency: (name: string) => boolean = () => false,
): Line[] {
  // Cheap first: a feed has several meta lines; most bulletins have no "·" then a count at all.
  const metas = lines.filter((l) => mayBeMeta(l) && META.test(l.form));
  if (metas.length < 2) return [...lines];
  let bar: { year: number | null; month: number; day: number; minutes: number | null } | null = null;
  // The phone's status bar: its clock first on the first line ("14:26 ⚡ 4G 86%").
  const clock = lines[0] ? /^(\d{1,2}):(\d{2})(?!\d)/.exec(lines[0].form) : null;
  const minutes = clock && Number(clock[1]) < 24 ? Number(clock[1]) * 60 + Number(clock[2]) : null;
  let barLine: Line | null = null;
  for (const l of lines.slice(0, 8)) {
    const m = DATE_BAR.exec(l.form);
    if (m) {
      bar = { year: m[1] ? Number(m[1]) : null, month: Number(m[2]), day: Number(m[3]), minutes };
      // A bar that is only the date and weekday would read as a measure's date line: it has been read, and goes.
      if (m[0].length === l.form.trim().length) barLine = l;
      break;
    }
  }
  const out: Line[] = [];
  let skippingAd = false;
  let underHeading = false;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (END_OF_FEED.test(l.form)) {
      const rest = lines.slice(i + 1);
      if (rest.length > 0)
        warn(l.no, `the feed ends here ("${l.text}"); the ${rest.length} lines after it (recommended articles) were not read`);
      break;
    }
    // An ad: its mark, then its lines up to a blank line.
    if (AD.test(l.form)) {
      skippingAd = /^广告/.test(l.form);
      continue;
    }
    if (skippingAd) {
      if (l.no === lines[i - 1]!.no + 1) {
        warn(l.no, `an advert's line was not read: "${l.text.slice(0, 30)}"`);
        continue;
      }
      skippingAd = false;
    }
    if (FURNITURE.test(l.form) || l === barLine) continue;
    if (!underHeading && isHeading(l)) underHeading = true;
    const next = lines[i + 1];
    const m = next && mayBeMeta(next) ? META.exec(next.form) : null;
    // The page's own meta line under its title (the title states the as-of date) dates the page, no item.
    if (!m || /截至|截止/.test(l.form)) {
      out.push(l);
      continue;
    }
    const date = itemDate(m[2]!, bar);
    if (!date) warn(next!.no, `"${m[2]}" is a relative time and the copy shows no date bar (6月19日 星期五) to read it against; not read`);
    else out.push(madeLine(next!.no, date));
    out.push(l);
    // With no section headers above, an account that is an agency's own (上海人社) names the agency; an outlet's
    // (上海发布) does not, and the item is then warned about as having none.
    const account = (m[1] ?? m[3] ?? '').trim();
    if (!underHeading && account && isAgency(account)) out.push(madeLine(next!.no, `发布单位：${account}`));
    i++;
  }
  return out;
}

/** The meta line's time as a date line ("6月10日", "2020年6月10日"), or null when it is relative and there is no bar. */
function itemDate(when: string, bar: { year: number | null; month: number; day: number; minutes: number | null } | null): string | null {
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(when);
  if (m) return `${Number(m[1])}年${Number(m[2])}月${Number(m[3])}日`;
  m = /^(\d{1,2})-(\d{1,2})$/.exec(when);
  if (m) return `${Number(m[1])}月${Number(m[2])}日`;
  if (/^\d{1,2}月\d{1,2}日$/.test(when)) return when;
  if (!bar) return null;
  const ago = /^(\d+)\s*(小时|分钟)前$/.exec(when);
  // Hours and minutes ago: the day before the bar's when they reach back past midnight of the phone's clock
  // (its status bar, "14:26"); with no clock shown, the bar's day.
  const back = /^昨天/.test(when)
    ? 1
    : /^前天/.test(when)
      ? 2
      : /天前$/.test(when)
        ? Number(/\d+/.exec(when)![0])
        : ago && bar.minutes !== null
          ? Math.max(0, Math.ceil((Number(ago[1]) * (ago[2] === '小时' ? 60 : 1) - bar.minutes) / 1440))
          : 0;
  // A leap year when the bar states none, so that 2月29日 survives; the year itself is settled by the parser.
  const d = new Date(Date.UTC(bar.year ?? 2020, bar.month - 1, bar.day) - back * DAY);
  const md = `${d.getUTCMonth() + 1}月${d.getUTCDate()}日`;
  return bar.year !== null ? `${d.getUTCFullYear()}年${md}` : md;
}
