/**
 * Synthetic corpus for the benchmarks, recombined from the real measures of the seed bulletin:
 * titles, title fragments, body sentences, bullets and agencies are drawn with Zipf-like weights
 * (so common phrases such as 复工复产 land in many entries and rare ones in few), digits are
 * sometimes varied ("6000余家" → "4000余家"), dates spread over 2020–2023. Deterministic: the same
 * size and seed always give the same entries.
 */
import { createHash } from 'node:crypto';
import type { StoredEntry } from '../src/core/model.ts';
import { prng } from '../tests/helpers/prng.ts';
import { parseSeed, shippedAgencies } from '../tests/helpers/seed.ts';

export { prng };

/** Picks from items with weight 1/(rank+1)^s over a seeded shuffle, so which item is common is arbitrary but fixed. */
function zipfPicker<T>(items: readonly T[], random: () => number, s = 1): () => T {
  const order = items
    .map((x, i) => ({ x, k: random() + i * 0 }))
    .sort((a, b) => a.k - b.k)
    .map((o) => o.x);
  const cum: number[] = [];
  let sum = 0;
  for (let i = 0; i < order.length; i++) cum.push((sum += 1 / (i + 1) ** s));
  return () => {
    const r = random() * sum;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! < r) lo = mid + 1;
      else hi = mid;
    }
    return order[lo]!;
  };
}

const splitSentences = (text: string): string[] =>
  text
    .match(/[^。；！？]+[。；！？]?/g)
    ?.map((s) => s.trim())
    .filter((s) => s.length >= 4) ?? [];

export interface CorpusStats {
  sentences: number;
  titleParts: number;
  bullets: number;
  agencies: number;
}

export function corpusPools() {
  const seed = parseSeed().entries;
  const titles = seed.map((e) => e.title);
  const titleParts = [
    ...new Set(
      titles.flatMap((t) =>
        t
          .split(/[，、！：]/)
          .map((s) => s.trim())
          .filter((s) => s.length >= 4),
      ),
    ),
  ];
  const sentences = [...new Set(seed.flatMap((e) => e.body.flatMap(splitSentences)))];
  const bullets = [...new Set(seed.flatMap((e) => e.bullets))];
  // The bulletin's agencies first (the common ones), then the rest of the shipped directory.
  const agencies = [...new Set([...seed.map((e) => e.agency), ...shippedAgencies().names()])];
  return { seed, titles, titleParts, sentences, bullets, agencies };
}

/** Rare Latin/digit phrases, so queries such as "telegram" have a few true matches. */
const RARE = ['可通过Telegram机器人订阅每日简报。', '详情见官方网站www.shanghai.gov.cn。', '咨询热线12345全天候受理。'];

export function makeCorpus(size: number, seed = 20200326): StoredEntry[] {
  const random = prng(seed);
  const { titles, titleParts, sentences, bullets, agencies } = corpusPools();
  const pickSentence = zipfPicker(sentences, random, 0.9);
  const pickTitle = zipfPicker(titles, random, 0.8);
  const pickPart = zipfPicker(titleParts, random, 0.8);
  const pickBullet = zipfPicker(bullets.length ? bullets : sentences, random, 0.8);
  const pickAgency = zipfPicker(agencies, random, 1);
  const int = (n: number) => Math.floor(random() * n);
  // Varying digits makes "6000余家"-like phrases rarer, as real bulletins would.
  const varyDigits = (s: string) =>
    random() < 0.8 ? s.replace(/\d+(?=[余万个家])/g, (d) => String(10 ** (d.length - 1) + int(9 * 10 ** (d.length - 1)))) : s;

  const start = Date.UTC(2020, 0, 1);
  const days = 4 * 365;
  const out: StoredEntry[] = [];
  for (let i = 0; i < size; i++) {
    const date = new Date(start + int(days) * 86_400_000).toISOString().slice(0, 10);
    const r = random();
    const title = varyDigits(r < 0.4 ? pickTitle() : r < 0.8 ? `${pickPart()}，${pickPart()}` : pickPart());
    const body: string[] = [];
    const paragraphs = 1 + int(3);
    for (let p = 0; p < paragraphs; p++) {
      const n = 1 + int(4);
      let text = '';
      for (let k = 0; k < n; k++) text += varyDigits(pickSentence());
      if (random() < 0.002) text += RARE[int(RARE.length)];
      body.push(text);
    }
    const bl: string[] = [];
    if (random() < 0.25) for (let k = 1 + int(3); k > 0; k--) bl.push(varyDigits(pickBullet()));
    const agency = pickAgency();
    const id = `${date.replace(/-/g, '')}-${createHash('sha1').update(`${i}:${title}`).digest('hex').slice(0, 10)}`;
    const seq = i + 1;
    out.push({
      id,
      agency,
      date,
      title,
      body,
      bullets: bl,
      source: agency,
      bulletin: 'bench',
      line: i,
      seq,
      addedSeq: seq,
      addedAt: '2020-03-27T00:00:00.000Z',
      revisions: 0,
      correctedAt: null,
    });
  }
  return out;
}
