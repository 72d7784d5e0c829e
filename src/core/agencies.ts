import { z } from 'zod';
import { foldKey } from './text.ts';

export const agencyConfigSchema = z.object({
  agencies: z.array(
    z.object({
      name: z.string().min(1),
      short: z.string().min(1).optional(),
      en: z.string().min(1).optional(),
      aliases: z.array(z.string().min(1)).default([]),
    }),
  ),
});
export type AgencyConfig = z.infer<typeof agencyConfigSchema>;
export type AgencyInfo = AgencyConfig['agencies'][number];

export interface AgencyDirectory {
  /** Canonical name for a name, alias or loose mention ("警方", "上海市公安局交通警察总队"), or null. */
  resolve(input: string): string | null;
  /** Whether the canonical name is one the configuration knows (else it came from a bulletin's 来源). */
  isKnown(name: string): boolean;
  /** Closest canonical names to an unknown input, best first. */
  suggest(input: string, limit?: number): string[];
  info(name: string): AgencyInfo | undefined;
  names(): string[];
  /** Returns a directory that also knows these names (agencies met only in bulletins). */
  withExtra(names: Iterable<string>): AgencyDirectory;
}

function bigrams(key: string): Set<string> {
  const chars = [...key];
  if (chars.length < 2) return new Set(chars);
  const out = new Set<string>();
  for (let i = 0; i < chars.length - 1; i++) out.add(chars[i]! + chars[i + 1]!);
  return out;
}

function dice(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let common = 0;
  for (const x of a) if (b.has(x)) common++;
  return (2 * common) / (a.size + b.size);
}

export function createAgencyDirectory(config: AgencyConfig, extra: Iterable<string> = []): AgencyDirectory {
  const infos = new Map<string, AgencyInfo>();
  for (const a of config.agencies) infos.set(a.name, a);
  for (const name of extra) if (!infos.has(name)) infos.set(name, { name, aliases: [] });

  // key → canonical; longest keys first for containment matching so "公安交警" beats "公安".
  const exact = new Map<string, string>();
  for (const a of infos.values()) {
    for (const alias of [a.name, a.short, a.en, ...a.aliases]) {
      if (!alias) continue;
      const key = foldKey(alias);
      if (key && !exact.has(key)) exact.set(key, a.name);
    }
  }
  const byLength = [...exact.entries()].sort((x, y) => y[0].length - x[0].length);

  const resolve = (input: string): string | null => {
    const key = foldKey(input);
    if (!key) return null;
    const hit = exact.get(key);
    if (hit) return hit;
    // A longer mention that contains a known name: "上海市公安局金山分局" → 上海市公安局.
    // Single Latin letters or one CJK char are too weak to count as a mention.
    for (const [alias, name] of byLength) if ([...alias].length >= 2 && key.includes(alias)) return name;
    // A fragment of a canonical name: "科学技术" → 上海市科学技术委员会.
    if ([...key].length >= 2) {
      const found = [...infos.keys()].filter((n) => foldKey(n).includes(key));
      if (found.length === 1) return found[0]!;
    }
    return null;
  };

  const suggest = (input: string, limit = 3): string[] => {
    const key = foldKey(input);
    const q = bigrams(key);
    const qChars = new Set(key);
    const best = new Map<string, number>();
    for (const [alias, name] of exact) {
      // Bigrams reward order, single characters catch a one-character typo ("公按局").
      const score = dice(q, bigrams(alias)) + dice(qChars, new Set(alias));
      if (score > (best.get(name) ?? 0)) best.set(name, score);
    }
    return [...best.entries()]
      // Below this a "suggestion" shares a letter or two by chance ("xyz" → science): better none.
      .filter(([, s]) => s > 0.5)
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([n]) => n);
  };

  return {
    resolve,
    isKnown: (name) => config.agencies.some((a) => a.name === name),
    suggest,
    info: (name) => infos.get(name),
    names: () => [...infos.keys()],
    withExtra: (names) => createAgencyDirectory(config, [...infos.keys(), ...names].filter((n) => !config.agencies.some((a) => a.name === n))),
  };
}
