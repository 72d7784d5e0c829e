/**
 * An editor's memo or to-do note (a phone's notes app, a markdown task list) used to draft a bulletin:
 * "☑ 2月18日 标题", "☐ 2月25日 标题 // 日期待核…", "- [x] 2月26日 标题   ← 今天刚出的", "- [ ] 2月24日 标题 @李敏 找来源".
 *   - Checked or not, a box before a date and a title is a measure (an unchecked one is still being checked, not
 *     dropped); the box goes.
 *   - The editor's remark after the title (// …, ← …, @someone …) is no part of it: taken off, with a warning that
 *     quotes it (it may say the date is in doubt).
 *   - A struck item (❌ 2月23日 …, ~~…~~) or one the remark excludes ("（下期再看，不收）", "删") is no measure: a warning.
 *   - A box with no date after it is a to-do ("- [ ] 配图找小李要", "共11条？数一下"), unless a date line stands
 *     alone right above it (then it is that date's title): a warning, not read. So is
 *     a remark on a line of its own ("↳ 备注：…").
 * Only a text with two task boxes or more ("☐", "[ ]", "[x]") is read as a memo; other texts pass through.
 */
import type { DateLine } from './dates.ts';
import type { Line } from './lines.ts';
import { formOf } from './lines.ts';

/** A task box at the start of a line: ☐ ☑ ☒ ✅ ⬜ ◻, markdown's "- [ ]" / "- [x]". */
const BOX = /^\s*(?:(?:[-*+]\s*)?\[[ xX✓✔√]?\]|[☐☑☒✅⬜◻❎](?:\uFE0F)?)\s*/u;
/** Boxes only a task list uses (☑ and ✅ alone are also bullets in other copies). */
const TASK_BOX = /^\s*(?:(?:[-*+]\s*)?\[[ xX]?\]|[☐☒⬜◻])/u;
/** A struck item: a cross before it, or markdown's strike-through around it. */
const STRUCK = /^\s*(?:[❌✗✘×]\uFE0F?\s*|~~)/u;
/** An editor's remark after a title: " // …" (not a link's "https://"), "← …", " <- …", " @李敏 …". */
const REMARK = /(?:\s+\/\/|\s*[←⬅]|\s+<-{1,2})\s*.*$|\s+@[^\s@]{1,12}(?:\s+.*)?$/u;
/** A remark in brackets at the end that excludes the item: "（下期再看，不收）", "（删）". */
const EXCLUDED = /[（(][^（）()]*(?:不收|不放|不用|不要|删除?|去掉|撤下|下期)[^（）()]*[）)]\s*$/;
/** A remark on a line of its own under an item: "↳ 备注：…", "└ …". */
const REMARK_LINE = /^\s*[↳└⤷]/u;

export function memoItems(lines: Line[], warn: (line: number, message: string) => void, dateOf: (l: Line) => DateLine | null): Line[] {
  if (lines.filter((l) => TASK_BOX.test(l.form)).length < 2) return lines;
  const out: Line[] = [];
  for (const l of lines) {
    if (REMARK_LINE.test(l.form)) {
      warn(l.no, `an editor's remark, not part of a measure: "${l.text.slice(0, 40)}"; not read`);
      continue;
    }
    const struck = STRUCK.exec(l.form);
    const box = struck ?? BOX.exec(l.form);
    // A dated line without a box may carry a remark too.
    if (!box && !dateOf(l)?.rest) {
      out.push(l);
      continue;
    }
    const rest = l.text
      .slice(box ? box[0].length : 0)
      .replace(/~~\s*$/, '')
      .trim();
    const item = { ...l, text: rest, form: formOf(rest) };
    const date = dateOf(item);
    if (struck || rest.startsWith('~~')) {
      warn(l.no, `an item the editor struck out, not a measure: "${rest.replace(/~~/g, '').slice(0, 40)}"`);
      continue;
    }
    // A box under a date line alone ("3月1日", then "☐ 标题") is that date's title.
    const above = out.at(-1);
    const dateAbove = above ? dateOf(above) : null;
    if (!date && box && dateAbove?.rest === '' && !dateAbove.stamp) {
      out.push(item);
      continue;
    }
    if (!date || !date.rest) {
      warn(l.no, `a to-do item, not a measure: "${rest.slice(0, 40)}"`);
      continue;
    }
    if (EXCLUDED.test(rest)) {
      warn(l.no, `an item the editor's remark leaves out ("${EXCLUDED.exec(rest)![0].trim()}"), not a measure: "${rest.slice(0, 40)}"`);
      continue;
    }
    const remark = REMARK.exec(rest);
    if (remark && remark.index > 0) {
      const title = rest.slice(0, remark.index).trim();
      warn(l.no, `an editor's remark after the title, not part of it: "${remark[0].trim().slice(0, 40)}"`);
      out.push({ ...l, text: title, form: formOf(title) });
    } else out.push(item);
  }
  return out;
}
