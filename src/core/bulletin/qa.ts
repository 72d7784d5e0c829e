/**
 * Questions and answers (问1：… / 答：…, Q: / A:): there are no title lines. A measure is read from an answer only
 * when one sentence says it all: a date, then the agency, then an act of issuing, then the document in 《》
 * ("7月16日，市文旅局印发《…》", "市住建委7月20日发布《…》", "市财政局于7月21日印发《…》",
 * "据7月27日消息，市应急局下发《…》"). The first agency of a joint act is the issuer ("市人社局会同市教委发布").
 * A document cited in passing ("根据《…》", "在…的基础上") is no measure, and a date followed by 起/前/后 is a
 * start or a deadline, not the date of issue. An answer that gives no such sentence is a warning, never a guess.
 * Before the parser reads it, each measure becomes a date line, the document's name as its title, a 发布单位
 * line (the measure's own agency) and the answer as a bullet, closed by a rule. The answer's 来源 line is
 * consumed by the measures read from it: it may name several agencies, and each sentence already names one.
 * The questions are the editor's, not the agency's, and are left out.
 */
import type { Line } from './lines.ts';
import { madeLine } from './lines.ts';

const QUESTION = /^(?:问|Q)\s*\d{0,3}\s*[:：]/;
const ANSWER = /^(?:答|A)\s*\d{0,3}\s*[:：]\s*/;
const SOURCE = /^(?:来源|信息来源|出处)\s*[:：]/;
/** An act of issuing, right before the 《》 it issues. */
const ISSUES = /(?:联合)?(?:发布|印发|出台|下发|公布|推出|制定|制发|颁布|发出|修订)了?\s*$/;
const DATE = /(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*[日号](?!\s*(?:起|前|后|以前|以后|以来|至|到|—|-|开始|截止))/g;
const ANY_DATE = /(?:\d{4}\s*年\s*)?\d{1,2}\s*月\s*\d{1,2}\s*[日号]/g;
/** The others of a joint act, and the words between an agency and its verb. */
const CO_ISSUER = /(?:会同|联合|牵头|协同|和|与|及|、).*$/;

type Warn = (line: number, message: string) => void;
export interface Issued {
  date: string;
  agency: string;
  title: string;
}

/** The measures one answer states, each in one sentence; `titles` are the 《》 names as written. */
export function issuedIn(form: string, titles: readonly string[], isAgency: (name: string) => boolean): Issued[] {
  const found: Issued[] = [];
  let k = 0;
  for (const sentence of form.split(/(?<=[。；;！!？?])/)) {
    let from = 0;
    const had = found.length;
    for (let open = sentence.indexOf('《'); open >= 0; open = sentence.indexOf('《', open + 1)) {
      const title = titles[k++];
      if (title === undefined) break;
      const before = sentence.slice(from, open);
      // "发布《甲》和《乙》": the second of a list is issued by the same act.
      const last = found.length > had ? found[found.length - 1] : undefined;
      if (last && /^\s*(?:和|及|与|以及|、|,|，)\s*$/.test(before)) {
        found.push({ ...last, title });
        from = sentence.indexOf('》', open) + 1 || open + 1;
        continue;
      }
      const verb = ISSUES.exec(before);
      if (!verb) continue;
      from = sentence.indexOf('》', open) + 1 || open + 1;
      const prefix = before.slice(0, verb.index).replace(/据\s*((?:\d{4}\s*年\s*)?\d{1,2}\s*月\s*\d{1,2}\s*[日号])\s*(?:的)?消息/g, '$1');
      const dates = [...prefix.matchAll(DATE)];
      const d = dates[dates.length - 1];
      if (!d) continue;
      const subject = prefix
        .replace(ANY_DATE, ',')
        .split(/[,，:：]/)
        .map((s) => s.trim())
        .filter(Boolean)
        .pop()
        ?.replace(/^(?:由|经|据)/, '')
        .replace(CO_ISSUER, '')
        .replace(/(?:于|在|又|也|再|还|已|已经|正式|日前|近日|今天)+$/, '');
      if (!subject || !isAgency(subject)) continue;
      found.push({ date: `${d[1] ? `${d[1]}年` : ''}${Number(d[2])}月${Number(d[3])}日`, agency: subject, title });
    }
  }
  return found;
}

export function questionsAndAnswers(lines: readonly Line[], warn: Warn, isAgency: (name: string) => boolean): Line[] {
  // Cheap first: a Q&A has at least two answers under questions.
  let answers = 0;
  for (const l of lines) if ((l.form.startsWith('答') || l.form.startsWith('A')) && ANSWER.test(l.form)) answers++;
  if (answers < 2 || !lines.some((l) => QUESTION.test(l.form))) return [...lines];

  const out: Line[] = [];
  const rule = (no: number): Line => ({ no, text: '', form: '', md: 0, link: false, cells: null, rule: true });
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (QUESTION.test(l.form)) continue;
    if (!ANSWER.test(l.form)) {
      out.push(l);
      continue;
    }
    // The answer runs on to its 来源, the next question or the next answer.
    const part: Line[] = [l];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const n = lines[j]!;
      if (n.rule || QUESTION.test(n.form) || ANSWER.test(n.form) || SOURCE.test(n.form)) break;
      part.push(n);
    }
    const source = j < lines.length && SOURCE.test(lines[j]!.form) ? lines[j]! : null;
    const form = part.map((p) => p.form.replace(ANSWER, '')).join('');
    const text = part.map((p) => p.text.replace(ANSWER, '')).join('');
    const titles = [...text.matchAll(/《([^《》]+)》/g)].map((m) => m[1]!.trim());
    const issued = form.includes('《') ? issuedIn(form, titles, isAgency) : [];
    if (issued.length === 0) {
      warn(l.no, `an answer that names no document issued by an agency on a date; not read: "${text.slice(0, 40)}"`);
      for (const p of part.slice(1)) warn(p.no, `"${p.text.slice(0, 30)}": part of an answer that was not read`);
      i = j - 1;
      continue;
    }
    issued.forEach((m, n) => {
      out.push(madeLine(l.no, m.date), madeLine(l.no, m.title), madeLine(l.no, `发布单位：${m.agency}`));
      if (n === 0) out.push(madeLine(l.no, `• ${text}`));
      out.push(rule(l.no));
    });
    i = source ? j : j - 1;
  }
  return out;
}
