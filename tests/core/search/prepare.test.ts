import { describe, expect, it } from 'vitest';
import { makeCorpus } from '../../../bench/corpus.ts';
import { createSearchIndex } from '../../../src/core/search/search-index.ts';

const corpus = makeCorpus(600);
const QUERIES = [['复工复产'], ['不见面'], ['行政复议', '复工'], ['6000余家'], ['复工复产', '企业'], ['复工'], ['telegram']];
const answers = (index: ReturnType<typeof createSearchIndex>) => QUERIES.map((q) => index.search(q, { limit: 7 }));
const remembered = (index: ReturnType<typeof createSearchIndex>) =>
  index
    .exportState()
    .remembered.map((r) => r.key)
    .sort();

/** Counts turns of the event loop while `work` runs. */
async function turnsDuring(work: Promise<void>): Promise<number> {
  let turns = 0;
  let done = false;
  const tick = () => {
    turns++;
    if (!done) setImmediate(tick);
  };
  setImmediate(tick);
  await work;
  done = true;
  return turns;
}

describe('prepare: long keywords worked out a slice at a time before a search', () => {
  it('answers exactly as a search without it, remembers the long keywords, and lets the event loop turn meanwhile', async () => {
    const plain = createSearchIndex(corpus, { cacheMinCandidates: 8 });
    const expected = answers(plain);
    const index = createSearchIndex(corpus, { cacheMinCandidates: 8, prepareSlice: 16 });
    expect(remembered(index)).toEqual([]);
    const turns = await turnsDuring(index.prepare(['复工复产', '复工', '不见面']));
    expect(remembered(index)).toEqual(['不见面', '复工复产']);
    expect(turns).toBeGreaterThan(10);
    for (const q of QUERIES) await index.prepare(q);
    expect(answers(index)).toEqual(expected);
    // A keyword with fewer candidates than are worth remembering is left to the search.
    await index.prepare(['第①号令不存在']);
    expect(remembered(index)).not.toContain('第①号令不存在');
  });

  it('drops what it worked out when the documents change meanwhile, and the search still answers right', async () => {
    const index = createSearchIndex(corpus.slice(0, 500), { cacheMinCandidates: 8, prepareSlice: 16 });
    const job = index.prepare(['复工复产']);
    index.upsert({ ...corpus[0]!, id: 'new-1', title: '复工复产新措施', seq: 10_000 });
    await job;
    expect(remembered(index)).not.toContain('复工复产');
    const reference = createSearchIndex([...corpus.slice(0, 500), { ...corpus[0]!, id: 'new-1', title: '复工复产新措施', seq: 10_000 }]);
    expect(index.search(['复工复产'], { limit: 10 })).toEqual(reference.search(['复工复产'], { limit: 10 }));
  });

  it('several searches for the same keyword at once all see it remembered, once', async () => {
    const index = createSearchIndex(corpus, { cacheMinCandidates: 8, prepareSlice: 16 });
    await Promise.all([index.prepare(['不见面']), index.prepare(['不见面', '复工']), index.prepare(['不见面'])]);
    expect(remembered(index)).toEqual(['不见面']);
    expect(index.search(['不见面'], { limit: 3 })).toEqual(createSearchIndex(corpus).search(['不见面'], { limit: 3 }));
  });

  it('a keyword that occurs nowhere (a near word no measure uses) does not stop the others being worked out', async () => {
    const index = createSearchIndex(corpus, { cacheMinCandidates: 8, prepareSlice: 16 });
    await index.prepare(['复工复产', '岗复产囧', '不见面']);
    expect(remembered(index)).toEqual(['不见面', '复工复产']);
  });

  it('does nothing when remembering is turned off', async () => {
    const index = createSearchIndex(corpus, { cacheBytes: 0 });
    await index.prepare(['复工复产']);
    expect(remembered(index)).toEqual([]);
  });
});
