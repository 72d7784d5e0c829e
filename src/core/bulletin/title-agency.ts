/**
 * A digest of one line per measure names each measure's agency in brackets on the line itself, before or
 * after the title: "4.3 【市公安局】标题", "04-08 标题（市税务局）". The brackets are taken off the title and
 * name the measure's agency (so does a name after a bar or a dash at the end: "标题 ｜ 市税务局") — only when what they hold is an agency's name or alias ("（补发）",
 * "（2020-2022年）" and "【重磅】" stay as they are written).
 */

export interface TitleAgency {
  title: string;
  /** The agency's name as written in the brackets. */
  agency: string;
}

const LEADING = /^[【[〔［]\s*([^【】[\]〔〕［］]{2,30}?)\s*[】\]〕］]\s*/;
const TRAILING = /\s*[（(【[〔［]\s*([^（()）【】[\]〔〕［］]{2,30}?)\s*[)）】\]〕］]$/;
/** "标题 ｜ 市税务局", "标题 — 市税务局", "标题——市税务局": the agency after a bar or a dash at the end. */
const AFTER_BAR = /\s*(?:[|｜丨]|\s[-—–]{1,2}|——)\s*([^|｜丨\s—–-]{2,30})$/;

/** The agency a title names in brackets at its start or end, and the title without them; null when none does. */
export function agencyInTitle(title: string, isAgency: (name: string) => boolean): TitleAgency | null {
  for (const re of [LEADING, TRAILING, AFTER_BAR]) {
    const m = re.exec(title);
    if (!m || !isAgency(m[1]!)) continue;
    const rest = (re === LEADING ? title.slice(m[0].length) : title.slice(0, m.index)).trim();
    if (rest !== '') return { title: rest, agency: m[1]! };
  }
  return null;
}
