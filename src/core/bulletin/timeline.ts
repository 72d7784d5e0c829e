/**
 * A timeline (时间轴): a date node stands alone ("● 7月14日") and the measures of that day hang under it, each
 * from its own agency, named only by a short name in a tag on the title's line ("├─【市发改委】标题"). Tree
 * drawing (│ ├─ └─) and wide indents run down the left; month separators ("━━ 2020年7月 ━━") split the months.
 * Before the parser reads it, each tagged item becomes the day's date line, its title and a 发布单位 line (read as
 * the measure's own agency, so items of one day from different agencies stay apart); its body follows with the
 * tree drawing gone, and a rule closes it. A month separator gives the year and is a rule. A date node with no
 * item under it is a warning.
 */
import type { Line } from './lines.ts';
import { madeLine } from './lines.ts';

/** Tree drawing and the indents before it: │ ├─ └─ ┣━ ┗━ ┃ and plain bars used as the trunk. */
const TREE = /^[\s\u3000│┃├└┣┗┠┖─━┄┈|｜]+/;
const TAGGED = /^[【[「〔]\s*([^【】[\]「」〔〕]{2,16}?)\s*[】\]」〕]\s*(\S.*)$/;
/** A date node: a bullet or none, then a date alone: 7月14日, 2020年7月14日, 2020-07-14, 2020.7.14, 07-14, 7.14. */
const DATE_NODE =
  /^[●○◆◇◉■□▶▷★☆•·◎⊙※]?\s*(?:(\d{4})\s*[年.\-/]\s*)?(\d{1,2})\s*[月.\-/]\s*(\d{1,2})\s*[日号]?\s*(?:[(（]\s*(?:周|星期)[一二三四五六日天]\s*[)）])?$/;
/** A month separator: "━━ 2020年7月 ━━", "—— 2020.07 ——", "== 7月 ==". */
const MONTH = /^[\s\-—─━=·•~～]*(?:(\d{4})\s*[年.\-/]\s*)?(\d{1,2})\s*月?[\s\-—─━=·•~～]*$/;
/** A line of drawing only ("│", "━━━━"): nothing to read. */
const DRAWING = /^[\s\u3000│┃├└┣┗┠┖─━┄┈|｜\-—=·•]*$/;

type Warn = (line: number, message: string) => void;

const stripped = (l: Line): Line => {
  const t = l.text.replace(TREE, '');
  return t === l.text ? l : { ...l, text: t, form: l.form.replace(TREE, '') };
};

export function timelineItems(lines: readonly Line[], warn: Warn, isAgency: (name: string) => boolean): Line[] {
  // Cheap first: a timeline has tagged items; a text without two of them, each under a date node, is none.
  const tagOf = (l: Line): { agency: string; title: string } | null => {
    if (!/[【[「〔]/.test(l.form)) return null;
    const m = TAGGED.exec(l.form.replace(TREE, ''));
    if (!m || !isAgency(m[1]!.trim())) return null;
    const t = TAGGED.exec(l.text.replace(TREE, ''));
    return { agency: m[1]!.trim(), title: (t?.[2] ?? m[2]!).trim() };
  };
  const dateOf = (l: Line) => (/\d/.test(l.form) ? DATE_NODE.exec(l.form.replace(TREE, '').trim()) : null);
  let tagged = 0;
  let nodes = 0;
  for (const l of lines) {
    if (tagOf(l)) tagged++;
    else if (dateOf(l)) nodes++;
  }
  if (tagged < 2 || nodes < 1) return [...lines];

  const out: Line[] = [];
  const rule = (no: number): Line => ({ no, text: '', form: '', md: 0, link: false, cells: null, rule: true });
  let year: string | null = null;
  let day: { text: string; no: number; items: number } | null = null;
  let open = false;
  const closeDay = () => {
    if (day && day.items === 0) warn(day.no, `the date node "${day.text}" has no tagged item under it; nothing was read for it`);
  };
  const close = () => {
    if (open) out.push(rule(out[out.length - 1]!.no));
    open = false;
  };
  for (const l of lines) {
    const d = dateOf(l);
    if (d) {
      close();
      closeDay();
      day = { text: `${d[1] ?? year ?? ''}${d[1] || year ? '年' : ''}${Number(d[2])}月${Number(d[3])}日`, no: l.no, items: 0 };
      continue;
    }
    const t = tagOf(l);
    if (t) {
      close();
      if (!day) {
        out.push(stripped(l));
        continue;
      }
      day.items++;
      out.push(madeLine(l.no, day.text), madeLine(l.no, t.title), madeLine(l.no, `发布单位：${t.agency}`));
      open = true;
      continue;
    }
    if (
      /\d/.test(l.form) &&
      !/[日号]/.test(l.form) &&
      (l.form.includes('━') || l.form.includes('—') || l.form.includes('─') || l.form.includes('=') || l.form.includes('-'))
    ) {
      const m = MONTH.exec(l.form);
      if (m) {
        close();
        closeDay();
        day = null;
        if (m[1]) year = m[1];
        out.push(rule(l.no));
        continue;
      }
    }
    if (!l.rule && DRAWING.test(l.form)) {
      // A rule of drawing after the last item ends it, so the text below is not read into it.
      if (/[━─—=-]{4,}/.test(l.form)) {
        close();
        closeDay();
        day = null;
        out.push(rule(l.no));
      }
      continue;
    }
    out.push(stripped(l));
  }
  close();
  closeDay();
  return out;
}
