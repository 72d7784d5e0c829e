/**
 * A slide deck exported to PDF and copied as text: one measure per slide. Each slide carries a badge with the
 * agency's short name and the date ("市经信委 ｜ 2020.05.19"), then the title, ▪ bullets and maybe a 来源; every
 * slide ends with a footer holding the deck's name and the page number; divider slides say "PART 01" and the
 * agency's full name; a measure too long for one slide goes on under the same badge with its title ending in
 * "（续）". Before the parser reads it: the footers are dropped (page furniture, like page numbers), a badge
 * becomes an agency heading and a date line, a divider becomes a heading, and a continued slide's badge and
 * title are dropped so that its bullets and 来源 join the measure they continue.
 */
import type { Line } from './lines.ts';
import { madeLine } from './lines.ts';

const DATE = String.raw`\d{4}\s*[.\-/年]\s*\d{1,2}\s*[.\-/月]\s*\d{1,2}\s*日?`;
const BADGE = new RegExp(String.raw`^(?:(\S.{0,24}?)\s*[｜|]\s*(${DATE})|(${DATE})\s*[｜|]\s*(\S.{0,24}?))$`);
/** A slide's footer ends with its page number (the wide gap before it is one space once the line is cleaned). */
const FOOTER = /^(.{4,}?)\s+\d{1,3}$/;
const DIVIDER = /^(?:PART|Part|part)\s*0?\d{1,2}$|^第[一二三四五六七八九十\d]{1,3}部分$/;
const CONTINUED = /\s*[（(](?:续|续上页|接上页|continued)[）)]$/i;

export function slideMeasures(lines: readonly Line[], isAgency: (name: string) => boolean): Line[] {
  // Cheap first: a deck has a badge on most slides; a bulletin without two badges is no deck.
  const badgeOf = (l: Line) => {
    if (!(l.form.includes('|') || l.form.includes('｜'))) return null;
    const m = BADGE.exec(l.form);
    if (!m) return null;
    const agency = (m[1] ?? m[4])!.trim();
    return isAgency(agency) ? { agency, date: (m[2] ?? m[3])!.replace(/\s/g, '') } : null;
  };
  const badges = lines.filter((l) => badgeOf(l) !== null).length;
  if (badges < 2) return [...lines];
  // Footers: the same text before a page number, on at least three slides.
  const footerCount = new Map<string, number>();
  for (const l of lines) {
    const m = /\d$/.test(l.text) && !DIVIDER.test(l.form) ? FOOTER.exec(l.text) : null;
    if (m) footerCount.set(m[1]!, (footerCount.get(m[1]!) ?? 0) + 1);
  }
  const isFooter = (l: Line) => {
    const m = /\d$/.test(l.text) ? FOOTER.exec(l.text) : null;
    return !!m && (footerCount.get(m[1]!) ?? 0) >= 3;
  };
  const out: Line[] = [];
  let last: { agency: string; date: string; title: string } | null = null;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const next = lines[i + 1];
    if (DIVIDER.test(l.form.trim()) && next && isAgency(next.text.trim())) {
      out.push(madeLine(next.no, `【${next.text.trim()}】`));
      i++;
      continue;
    }
    if (isFooter(l)) continue;
    const badge = badgeOf(l);
    if (!badge) {
      out.push(l);
      continue;
    }
    const title = next && !isFooter(next) ? next.text : '';
    const base = title.replace(CONTINUED, '');
    if (base !== title && last && last.agency === badge.agency && last.date === badge.date && last.title === base) {
      i++;
      continue;
    }
    last = { ...badge, title };
    const [y, mo, d] = badge.date.match(/\d+/g)!.map(Number);
    out.push(madeLine(l.no, `【${badge.agency}】`), madeLine(l.no, `${y}年${mo}月${d}日`));
  }
  return out;
}
