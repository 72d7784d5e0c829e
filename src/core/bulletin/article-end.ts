/**
 * A news page copied whole ends with the site's own lists: "相关推荐", "猜你喜欢", "延伸阅读" and the like, each a
 * line of its own (maybe with an ornament: "◆ 相关推荐", "▍延伸阅读", "—— 往期回顾 ——"), then other articles'
 * headlines with their dates and view counts. Those are not the bulletin's measures. Once a bulletin has begun
 * (a date line came before), nothing after such a line is read, with one warning that gives the line count.
 */
import type { Line } from './lines.ts';

const ORNAMENT = String.raw`[\s◆◇■□▍▌|｜●○•·★☆>》【】\[\]—\-─━=~]*`;
const END_OF_ARTICLE = new RegExp(
  String.raw`^${ORNAMENT}(?:相关推荐|猜你喜欢|热门推荐|推荐阅读|延伸阅读|相关阅读|更多阅读|往期回顾|往期推荐|精彩推荐|相关新闻|热点推荐)${ORNAMENT}$`,
);

type Warn = (line: number, message: string) => void;

export function beforeSiteLists(lines: readonly Line[], warn: Warn, isDateLine: (l: Line) => boolean): Line[] {
  let dated = false;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    // Cheap first: the marks are short lines holding 推荐, 喜欢, 阅读, 回顾 or 新闻.
    if (dated && l.form.length <= 16 && /推荐|喜欢|阅读|回顾|新闻/.test(l.form) && END_OF_ARTICLE.test(l.form)) {
      const rest = lines.slice(i);
      if (rest.length > 1) {
        const last = rest[rest.length - 1]!.no;
        warn(l.no, `"${l.text}" and the ${rest.length - 1} lines after it (to line ${last}) are the site's own lists, not read`);
        return lines.slice(0, i);
      }
      return [...lines];
    }
    if (!dated && /\d/.test(l.form) && isDateLine(l)) dated = true;
  }
  return [...lines];
}
