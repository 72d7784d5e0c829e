/**
 * A government new-media post (头条号, 微博, 视频号 text) as copied:
 *   - its publication stamp with the place it was posted from ("2021-02-08 08:00 · 上海", "… 来自 微博 weibo.com", "… IP属地：上海"):
 *     the place goes, so the stamp dates the post (its year) and is never a measure titled "上海";
 *   - a topic tag after a title ("…餐饮企业防疫指引 #年夜饭#"): no part of the title (titleWithoutTags).
 */
import type { Line } from './lines.ts';
import { formOf } from './lines.ts';

/** Where a post was sent from: a province or city as the app shows it (上海, 黑龙江, 苏州市), not a title. */
const PLACE = String.raw`(?:[\u3400-\u9fff]{2,3}|[\u3400-\u9fff]{2,5}[省市区县])`;
const STAMP_PLACE = new RegExp(
  String.raw`^(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\s+\d{1,2}:\d{2}(?::\d{2})?)(?:\s*[·•|｜]\s*(?:IP属地\s*[:：]?\s*)?${PLACE}|\s*(?:IP属地\s*[:：]?|发布于)\s*${PLACE}|\s+来自\s*\S.{0,30})$`,
);

/** The post's stamp among its first lines, without the place it was posted from. */
export function postStamps(lines: Line[]): Line[] {
  return lines.map((l, k) => {
    const m = k < 5 ? STAMP_PLACE.exec(l.form) : null;
    return m ? { ...l, text: m[1]!, form: formOf(m[1]!) } : l;
  });
}

/** Topic tags at the end of a title, after a space: "标题 #年夜饭#" → "标题" (a title that is only tags stays). */
const TRAILING_TAGS = /(?:\s+#[^#\s]{1,20}#)+\s*$/u;

export function titleWithoutTags(title: string): string {
  const m = TRAILING_TAGS.exec(title);
  return m && m.index > 0 ? title.slice(0, m.index) : title;
}
