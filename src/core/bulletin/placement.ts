/**
 * Which agency a measure is filed under: its 来源 (one measure per agency for a joint source), else what its own
 * lines name (a 发布单位 line, brackets on a one-line title: the caller passes them as the source), else its
 * heading. A 来源 naming an outlet (上海发布) or an account (@上海人社) keeps the heading's agency and is stored
 * as the source. Anything that cannot be placed is a warning, never dropped silently.
 */
import type { AgencyDirectory } from '../agencies.ts';
import type { Entry } from '../model.ts';
import { splitJoint } from './sources.ts';

export interface Placed {
  agencies: string[];
  /** What is stored as the measure's source ('' when it had none). */
  source: string;
}

export type Placer = (source: string | null, section: string | null, line: number, title: string) => Placed | null;

const HAN = /[\u3400-\u9fff]/;
/** How the names of agencies and other bodies end (局, 委员会, 人民政府, 中心, 协会…); an account's name (上海静安) does not. */
const BODY_NAME = /(?:局|委|委员会|办|办公室|院|政府|厅|署|中心|部|会|站|所|处|队|馆|司|集团|银行|行|社|校|团|室|科|组|机构|机关)$/;

/** How new-media accounts are named: 上海 and a place or a field (上海静安, 上海住建), or 发布/上海/在线… last (浦东发布, 乐游上海). */
const ACCOUNT_NAME = /^上海[\u3400-\u9fff]{2,4}$|^[\u3400-\u9fff]{2,4}(?:发布|上海|在线|之声|微讯|资讯|头条|观察)$/;

/** A name shaped as a new-media account's and not as a body's (a 局, a 委员会, a 机构): 上海静安, 浦东发布, 乐游上海. */
export function isAccountName(source: string): boolean {
  return ACCOUNT_NAME.test(source) && !BODY_NAME.test(source);
}

/** A placer for one bulletin: it warns once per unknown agency name. */
export function placer(agencies: AgencyDirectory, warn: (line: number | undefined, message: string) => void): Placer {
  const unknown = new Set<string>();
  const isOutlet = (t: string) => agencies.isOutlet(t);
  return (given, section, line, title) => {
    // A scan's OCR spaces inside a name ("上海市公 安局"), when the name without them is an agency's.
    const despaced = given?.replace(/([\u3400-\u9fff]) (?=[\u3400-\u9fff])/g, '$1') ?? null;
    const source = given && despaced !== given && agencies.resolveExact(despaced!) !== null ? despaced : given;
    // A post's "来源：@上海人社" names an account: the heading decides, else the agency the account is.
    if (source?.startsWith('@')) {
      const account = agencies.resolve(source.slice(1));
      if (section || account) return { agencies: [section ?? account!], source };
      warn(line, `"${title.slice(0, 30)}": the 来源 ${source} is an account and there is no agency heading; skipped`);
      return null;
    }
    if (source) {
      // An English source the directory does not know ("Source: Shanghai PSB") names it loosely: the heading decides.
      if (isOutlet(source) || (!HAN.test(source) && agencies.resolve(source) === null)) {
        if (section) return { agencies: [section], source };
        const named = agencies.mentions(title);
        if (named.length === 1) {
          warn(
            line,
            `"${title.slice(0, 30)}": the 来源 ${source} is a news outlet and there is no agency heading; placed under ${named[0]!.agency}, which the title names`,
          );
          return { agencies: [named[0]!.agency], source };
        }
        warn(line, `"${title.slice(0, 30)}": the 来源 ${source} is a news outlet and there is no agency heading; skipped`);
        return null;
      }
      const whole = agencies.resolve(source);
      if (whole && agencies.resolveExact(source) !== null) return { agencies: [whole], source };
      // A new-media account the directory does not know ("来源：上海静安", "上海嘉定"): no agency's kind of name, so
      // the heading decides (said once per name, so it can be added to data/outlets.json).
      if (!whole && section && agencies.isKnown(section) && isAccountName(source)) {
        if (!unknown.has(source)) {
          unknown.add(source);
          warn(line, `the 来源 "${source}" names no agency (an account?); its measures keep the heading's agency ${section}`);
        }
        return { agencies: [section], source };
      }
      // A joint source: one measure per agency, as joint notices under several headings already are.
      const parts = splitJoint(source).filter((p) => !isOutlet(p));
      const resolved = parts.map((p) => agencies.resolve(p));
      if (parts.length > 1 && resolved.every((r) => r !== null)) return { agencies: [...new Set(resolved as string[])], source };
      if (whole) return { agencies: [whole], source };
      if (!unknown.has(source)) {
        unknown.add(source);
        warn(line, `unknown agency "${source}": kept under that name (add it to data/agencies.json to give it aliases)`);
      }
      return { agencies: [source], source };
    }
    if (section) {
      if (!agencies.isKnown(section) && !unknown.has(section)) {
        unknown.add(section);
        warn(line, `the heading "${section}" names no agency in data/agencies.json; its measures are filed under that name`);
      }
      return { agencies: [section], source: '' };
    }
    warn(line, `measure "${title.slice(0, 30)}" has no 来源 line and no agency heading; skipped`);
    return null;
  };
}

/** A measure listed twice (same id): the later copy wins, in the place of the first, with a warning. */
export function lastCopies(entries: readonly Entry[], warn: (line: number | undefined, message: string) => void): Entry[] {
  const seen = new Map<string, number>();
  const unique: Entry[] = [];
  for (const e of entries) {
    const prev = seen.get(e.id);
    if (prev !== undefined) {
      warn(e.line, `the measure "${e.title.slice(0, 30)}" (${e.date}) appears twice; the later copy (line ${e.line}) wins`);
      unique[prev] = e;
    } else {
      seen.set(e.id, unique.length);
      unique.push(e);
    }
  }
  return unique;
}
