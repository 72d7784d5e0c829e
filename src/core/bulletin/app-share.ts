/**
 * A news app's web share page copied whole (上观, 澎湃, 头条 and the like open a post in the browser with the
 * app's chrome around it):
 *   打开APP，阅读体验更佳                        ← the app's banner
 *   某某中心 上观号作者 / 2020-11-02 07:15 浏览量 5.6万 / 上观号 · 某某中心 ｜ + 关注
 *   …the post… 展开全文 (a fold in the middle of a paragraph: the two halves are joined when the first ends at a comma)
 *   分享到 / 👍 328 💬 46 / 打开APP阅读更多精彩内容 / 热门评论(46) and the comments
 * The chrome goes: the banner, the follow line, the fold, the reaction counts, the read-more line. The post's stamp
 * keeps its date and time without the view count, so it dates the page (not a measure) and gives the year. The
 * comments (dated, and quoting the measures' dates) are not read, with one warning giving the line count. A text
 * is read so only when it shows at least two of these marks.
 */
import type { Line } from './lines.ts';
import { madeLine } from './lines.ts';

const BANNER =
  /^(?:在\s*)?app\s*内(?:打开|阅读|查看).{0,8}$|^(?:打开|下载)[\u4e00-\u9fff]{0,6}\s*app(?:[，,\s]*(?:阅读|查看|看).{0,12})?$|^(?:打开|下载)?[\u4e00-\u9fff]{0,6}\s*app\s*(?:内)?(?:阅读|查看)更多.{0,12}$/i;
const FOLLOW = /[+＋]\s*(?:关注|订阅)$/;
const FOLD = /^(?:展开全文|展开剩余\s*\d+\s*%|点击展开全文|继续阅读|阅读全文)\s*[>›∨⌄]?$/;
/** Reaction counts under the post: "👍 328 💬 46 ⭐ 收藏", "赞 328 评论 46". */
const REACTIONS =
  /^(?:[\p{Extended_Pictographic}\uFE0F]\s*(?:[\d.]+[万千]?|收藏|分享|点赞|评论)?\s*)+$|^(?:(?:赞|点赞|评论|收藏|分享)\s*[\d.]*[万千]?\s*)+$/u;
/** The post's stamp: its date and time, then counts ("浏览量 5.6万", "阅读 1.2万", "5.6万浏览") or the channel ("来自 澎湃号"). */
const STAMP =
  /^(\d{4}-\d{1,2}-\d{1,2}(?:\s+\d{1,2}:\d{2})?|\d{4}年\d{1,2}月\d{1,2}日(?:\s*\d{1,2}:\d{2})?)\s+(?:(?:浏览量?|阅读量?|阅读数|播放量?)\s*[\d.]+[万千]?\+?|[\d.]+[万千]?\+?\s*(?:浏览|阅读|播放)|来自\s*\S)/;
const COMMENTS = /^(?:热门评论|全部评论|最新评论|精彩评论|网友评论|评论区)\s*(?:[（(]\s*\d+\s*[)）])?$/;

type Warn = (line: number, message: string) => void;

export function sharePageLines(lines: readonly Line[], warn: Warn): Line[] {
  // Cheap first: the marks are short lines.
  let marks = 0;
  for (const l of lines)
    if (l.form.length <= 40 && (BANNER.test(l.form) || FOLLOW.test(l.form) || FOLD.test(l.form) || COMMENTS.test(l.form))) marks++;
  if (marks < 2) return [...lines];
  const out: Line[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (COMMENTS.test(l.form)) {
      const rest = lines.length - i - 1;
      if (rest > 0) warn(l.no, `"${l.text}" and the ${rest} lines after it (to line ${lines.at(-1)!.no}) are readers' comments, not read`);
      break;
    }
    // The fold cuts a paragraph: a line cut after a comma goes on in the next line the page shows.
    if (l.form.length <= 40 && FOLD.test(l.form)) {
      const before = out.at(-1);
      const next = lines[i + 1];
      if (before && next && /[，、,；;：:（(“《]$/.test(before.text) && !FOLD.test(next.form)) {
        out[out.length - 1] = madeLine(before.no, before.text + next.text);
        i++;
      }
      continue;
    }
    if (l.form.length <= 40 && (BANNER.test(l.form) || FOLLOW.test(l.form) || REACTIONS.test(l.form))) continue;
    const stamp = STAMP.exec(l.form);
    out.push(stamp ? madeLine(l.no, stamp[1]!) : l);
  }
  return out;
}
