/**
 * Subscription filters on a labelled set (tests/fixtures/subscriptions-labelled.json, written by a helper who had
 * not seen the code): each request is sent to the real bot as `/subscribe …` (an in-memory subscription store
 * per request), and the filters it saved (a topic no measure holds saved with its near words) select from the
 * shipped bulletin's 19 measures as a digest selects (core/digest.ts selectForDigest). Scored against the measures
 * the labeller says that subscriber should get: exact sets, and precision and recall over all pairs.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { selectForDigest } from '../src/core/digest.ts';
import { createMemorySubscriptionStore } from '../src/store/subscription-store.ts';
import { createTestBot } from '../tests/helpers/bot-harness.ts';

const here = dirname(fileURLToPath(import.meta.url));

interface Item {
  text: string;
  /** Ids of the shipped measures this subscriber should get. */
  expect: string[];
  why: string;
}

export interface SubscriptionQuality {
  items: number;
  exact: number;
  precision: number;
  recall: number;
  failures: string[];
}

export async function benchSubscriptionQuality(): Promise<SubscriptionQuality> {
  const items = JSON.parse(readFileSync(join(here, '../tests/fixtures/subscriptions-labelled.json'), 'utf8')) as Item[];
  let exact = 0;
  let right = 0;
  let wrong = 0;
  let missed = 0;
  const failures: string[] = [];
  for (const it of items) {
    const subscriptions = createMemorySubscriptionStore();
    const t = createTestBot({ deps: { subscriptions }, config: { searchRatePerMinute: 1e9 } });
    await t.send(`/subscribe ${it.text.replace(/^\/subscribe\s*/, '')}`);
    const s = subscriptions.list()[0];
    const entries = [...t.entries.all()];
    const got = s ? selectForDigest(entries, s.filters, t.catalog.directory()).map((e) => e.id) : [];
    const want = new Set(it.expect);
    const extra = got.filter((id) => !want.has(id));
    const lost = it.expect.filter((id) => !got.includes(id));
    right += got.length - extra.length;
    wrong += extra.length;
    missed += lost.length;
    if (extra.length === 0 && lost.length === 0) exact++;
    else
      failures.push(
        `${it.text} → ${s ? `[${[...s.filters.agencies, ...s.filters.keywords].join('|')}]` : 'not saved'}: ${lost.length} missed, ${extra.length} extra`,
      );
  }
  return {
    items: items.length,
    exact,
    precision: right / Math.max(1, right + wrong),
    recall: right / Math.max(1, right + missed),
    failures,
  };
}

export function renderSubscriptionQuality(q: SubscriptionQuality): string[] {
  return [
    `Subscriptions (\`tests/fixtures/subscriptions-labelled.json\`, saved by the bot, selected as a digest selects): **${q.exact}/${q.items}** get exactly the measures labelled; precision ${q.precision.toFixed(3)}, recall ${q.recall.toFixed(3)}.`,
    '',
    ...(q.failures.length ? [`Not exact: ${q.failures.join('; ')}.`, ''] : []),
  ];
}
