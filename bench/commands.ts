/**
 * Command understanding on a labelled set (tests/fixtures/commands-labelled.json): /subscribe and /latest as
 * users type them, sent to the real bot (createTestBot, an in-memory subscription store per message), scored
 * by what the bot then did: the subscription it saved (time, frequency, weekday, agencies, topics) or refused,
 * and the agency and count /latest listed.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withNearWords } from '../src/core/requests/subscribe.ts';
import { nearWordsOf } from '../src/core/search/understand/plan.ts';
import { createMemorySubscriptionStore } from '../src/store/subscription-store.ts';
import { shippedWordTables } from '../src/store/word-tables.ts';
import { createTestBot, texts } from '../tests/helpers/bot-harness.ts';

const here = dirname(fileURLToPath(import.meta.url));

type Expect =
  | { command: 'subscribe'; refuse: true }
  | {
      command: 'subscribe';
      refuse?: undefined;
      time: string | null;
      frequency: string | null;
      weekday: number | null;
      agencies: string[];
      keywords: string[];
    }
  | { command: 'latest'; agency: string; n: number };

interface Item {
  text: string;
  kind: string;
  set: string;
  expect: Expect;
}

export interface CommandQuality {
  items: number;
  correct: number;
  /** Per command: [correct, items]. */
  byCommand: Record<string, [number, number]>;
  bySet: Record<string, [number, number]>;
  failures: string[];
}

/** Topics compare loosely: the same words, spaces aside, one inside the other (复工 for 复工消息, "社会 组织" for 社会组织). */
const sameTopic = (a: string, b: string) => {
  const x = a.toLowerCase().replace(/\s+/g, '');
  const y = b.toLowerCase().replace(/\s+/g, '');
  return x.includes(y) || y.includes(x);
};

export async function benchCommandQuality(): Promise<CommandQuality> {
  const near = nearWordsOf(shippedWordTables());
  const { items } = JSON.parse(readFileSync(join(here, '../tests/fixtures/commands-labelled.json'), 'utf8')) as { items: Item[] };
  const out: CommandQuality = { items: items.length, correct: 0, byCommand: {}, bySet: {}, failures: [] };
  for (const it of items) {
    const subscriptions = createMemorySubscriptionStore();
    const t = createTestBot({ deps: { subscriptions }, config: { searchRatePerMinute: 1e9 } });
    const reply = texts(await t.send(it.text))
      .join('\n')
      .replace(/<[^>]+>/g, '');
    const e = it.expect;
    let good: boolean;
    let got: string;
    if (e.command === 'subscribe') {
      const s = subscriptions.list()[0];
      if (e.refuse) {
        good = s === undefined;
        got = s ? `saved ${s.time}` : 'refused';
      } else if (!s) {
        good = false;
        got = `not saved: ${reply.slice(0, 60)}`;
      } else {
        // Saved keywords are the topics typed, and for a topic no measure holds its near words (withNearWords):
        // those are allowed beside the expected topics, never instead of them.
        const kw = s.filters.keywords;
        const allowed = withNearWords(e.keywords, [], { holds: () => false, near }).keywords;
        good =
          s.time === (e.time ?? '09:00') &&
          (e.frequency === null || s.frequency === e.frequency) &&
          (e.weekday === null || s.weekday === e.weekday) &&
          [...s.filters.agencies].sort().join() === [...e.agencies].sort().join() &&
          e.keywords.every((k) => kw.some((g) => sameTopic(g, k))) &&
          kw.every((g) => allowed.some((k) => sameTopic(g, k)));
        got = `${s.time} ${s.frequency}${s.weekday ?? ''} ${s.filters.agencies.join(',')} [${kw.join('|')}]`;
      }
    } else {
      const m = /(\S+) 最新 (\d+) 条措施/.exec(reply) ?? /(\S+) 暂无措施/.exec(reply);
      const have = t.catalog.latest(e.agency, 100).length;
      const count = m?.[2] === undefined ? 0 : Number(m[2]);
      good = m?.[1] === e.agency && count === Math.min(e.n, have, 20);
      got = `${m?.[1] ?? reply.slice(0, 40)} ${count}`;
    }
    for (const [map, key] of [
      [out.byCommand, e.command],
      [out.bySet, it.set],
    ] as const) {
      const c = (map[key] ??= [0, 0]);
      c[1]++;
      if (good) c[0]++;
    }
    if (good) out.correct++;
    else out.failures.push(`${it.text} → ${got}`);
  }
  return out;
}

export function renderCommandQuality(c: CommandQuality): string[] {
  const cell = ([ok, n]: [number, number]) => `${ok}/${n}`;
  const lines = [
    `Commands (\`tests/fixtures/commands-labelled.json\`, through the bot): **${c.correct}/${c.items}** understood as meant` +
      ` (${Object.entries(c.byCommand)
        .map(([k, v]) => `/${k} ${cell(v)}`)
        .join(', ')}; ${Object.entries(c.bySet)
        .map(([k, v]) => `${k} ${cell(v)}`)
        .join(', ')}).`,
    '',
  ];
  if (c.failures.length) lines.push(`Not understood: ${c.failures.join('; ')}.`, '');
  return lines;
}
