import { readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeCorpus } from '../../bench/corpus.ts';
import { openApp } from '../../src/app.ts';
import type { Log } from '../../src/infra/log.ts';
import { createCatalog, storeText } from '../../src/core/catalog.ts';
import type { Catalog } from '../../src/core/catalog.ts';
import { createSearchIndex } from '../../src/core/search/search-index.ts';
import { storeFiles } from '../../src/paths.ts';
import { openEntryStore } from '../../src/store/entry-store.ts';
import type { EntriesFile, EntryStore } from '../../src/store/entry-store.ts';
import { createEntryTable } from '../../src/store/entry-table.ts';
import { readSnapshot } from '../../src/store/snapshot-file.ts';
import { createSnapshotKeeper } from '../../src/store/snapshot-keeper.ts';
import { bulletinOf, entry } from '../helpers/digest.ts';
import { parseSeed, shippedAgencies } from '../helpers/seed.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const tempDir = useTempDir();
const agencies = shippedAgencies();

function recording(): Log & { warnings: unknown[] } {
  const warnings: unknown[] = [];
  return { warnings, debug() {}, info() {}, error() {}, warn: (obj) => void warnings.push(obj) };
}

const QUERIES: [string[], { agency?: string; limit?: number; offset?: number }?][] = [
  [['复工']],
  [['复工复产']],
  [['外企']],
  [['不见面']],
  [['行政复议']],
  [['复工', '企业']],
  [['疫情', '防控', '企业']],
  [['telegram']],
  [['6000余家']],
  [['夜间巡逻']],
  [['第1号令']],
  [['复工'], { agency: '上海市公安局' }],
  [['复工'], { offset: 5, limit: 5 }],
  [[]],
];

const answers = (catalog: Catalog) =>
  QUERIES.map(([q, o]) => {
    const r = catalog.search(q, o);
    return { q, total: r.total, ids: r.hits.map((e) => e.id) };
  });

/** A store of `size` synthetic entries (dense grams need ≥ 64), then changes the index keeps as delta postings and tombstones. */
async function changedStore(size: number): Promise<{ file: string; store: EntryStore; catalog: Catalog }> {
  const file = join(tempDir(), 'entries.json');
  const corpus = makeCorpus(size);
  // ① has no one-unit fold: the field is indexed from a normalised copy ("第1号令"), which a restore must rebuild.
  corpus.push({ ...corpus[0]!, id: 'x-normalised', title: '第①号令 Ｔｅｌｅｇｒａｍ 频道开通', seq: size + 1, addedSeq: size + 1 });
  writeFileSync(file, JSON.stringify({ version: 1, seq: corpus.length, bulletins: [], entries: corpus } satisfies EntriesFile));
  const store = await openEntryStore(file);
  const catalog = createCatalog(store, agencies);
  store.apply(parseSeed(), new Date('2020-03-27T00:00:00Z'));
  const seed = parseSeed();
  // Two corrections: the old versions stay in the index as tombstones until a rebuild.
  seed.entries[0] = { ...seed.entries[0]!, body: ['更正后的正文：夜间巡逻守护复工园区。'] };
  seed.entries[5] = { ...seed.entries[5]!, bullets: ['新增要点'] };
  store.apply(seed, new Date('2020-03-28T00:00:00Z'));
  await store.flush();
  return { file, store, catalog };
}

describe('entry snapshot', () => {
  it('restores the store and its index exactly, delta postings and tombstones included', async () => {
    const { file, store, catalog } = await changedStore(2_000);
    const snapFile = join(tempDir(), 'entries.snapshot');
    // Long keywords asked before the save are remembered (复工复产, 不见面): a restart starts warm.
    const expected = answers(catalog);
    const keeper = createSnapshotKeeper({ file: snapFile, store, index: catalog.index, log: recording() });
    expect(await keeper.save()).toBe('written');
    expect(await keeper.save()).toBe('fresh');
    // The running store now reads its entries' text from the snapshot it wrote, and answers the same…
    expect(store.table.inMemory()).toBe(0);
    expect(store.textReadable()).toBe(true);
    expect(answers(catalog)).toEqual(expected);
    // …as an index holding its own copy of the text, and as the same index with nothing remembered
    // (every long keyword then checked against the text, read from the file many entries at a time).
    const own = createSearchIndex(store.all());
    const cold = createSearchIndex(store.all(), { cacheBytes: 0, text: storeText(store) });
    for (const [q, o] of QUERIES) {
      const mine = catalog.index.search(q, o);
      expect(own.search(q, o), q.join(' ')).toEqual(mine);
      expect(cold.search(q, o), q.join(' ')).toEqual(mine);
    }

    const read = await readSnapshot(snapFile, file);
    if (!read.ok) throw new Error(read.reason);
    const reopened = await openEntryStore(file, {
      preloaded: {
        state: { seq: read.snapshot.seq, bulletins: read.snapshot.bulletins, table: createEntryTable(read.snapshot.columns) },
        stamp: read.stamp,
      },
    });
    expect({ seq: reopened.seq(), bulletins: reopened.bulletins(), entries: reopened.all() }).toEqual({
      seq: store.seq(),
      bulletins: store.bulletins(),
      entries: store.all(),
    });
    // The text stays in the snapshot file, read per entry: nothing of it is held in memory.
    expect(reopened.table.inMemory()).toBe(0);
    expect(read.snapshot.index.deltaDocs).toBeGreaterThan(0);
    expect(read.snapshot.index.ids.filter((id) => id === null)).toHaveLength(2);

    const remembered = catalog.index.exportState().remembered.map((r) => [r.key, [...r.docs], [...r.w]]);
    expect(remembered.map(([key]) => key)).toContain('复工复产');
    const restored = createCatalog(reopened, agencies, { indexState: read.snapshot.index });
    expect(restored.index.exportState().remembered.map((r) => [r.key, [...r.docs], [...r.w]])).toEqual(remembered);
    expect(expected.find((a) => a.q[0] === '夜间巡逻')!.total).toBe(1);
    expect(expected.find((a) => a.q[0] === '第1号令')!.ids).toEqual(['x-normalised']);
    expect(answers(restored)).toEqual(expected);
    // …and what a fresh build of the same entries answers.
    expect(answers(createCatalog(reopened, agencies))).toEqual(expected);

    // The restored store and index keep working: a new measure is stored, found, and written.
    reopened.apply(bulletinOf([entry({ title: '跨境电商绿色通道开通', date: '2024-01-02' })]));
    expect(restored.search(['跨境电商']).total).toBe(1);
    await reopened.flush();
    expect((await openEntryStore(file)).all()).toHaveLength(store.all().length + 1);
  });

  it('a snapshot deleted under the running store is harmless; one cut short in place is reported, not answered from', async () => {
    for (const damage of ['delete', 'truncate'] as const) {
      const { store, catalog } = await changedStore(100);
      const snapFile = join(tempDir(), 'entries.snapshot');
      expect(await createSnapshotKeeper({ file: snapFile, store, index: catalog.index, log: recording() }).save()).toBe('written');
      expect(store.textReadable()).toBe(true);
      if (damage === 'delete') {
        // The store keeps reading the file it opened.
        rmSync(snapFile);
        expect(store.textReadable()).toBe(true);
        expect(catalog.search(['复工'], { limit: 3 }).hits).toHaveLength(3);
      } else {
        truncateSync(snapFile, 64);
        expect(store.textReadable()).toBe(false);
        expect(() => catalog.search(['复工'], { limit: 3 })).toThrow(/ends before a record/);
      }
    }
  });

  it('is not used once entries.json changed after it, and says why', async () => {
    const { file, store, catalog } = await changedStore(100);
    const snapFile = join(tempDir(), 'entries.snapshot');
    await createSnapshotKeeper({ file: snapFile, store, index: catalog.index, log: recording() }).save();
    store.apply(bulletinOf([entry({ title: '新措施' })]));
    await store.flush();
    expect(await readSnapshot(snapFile, file)).toEqual({ ok: false, reason: 'the store file changed since the snapshot' });
  });

  it('refuses a damaged, truncated, foreign or missing snapshot with a reason', async () => {
    const { file, store, catalog } = await changedStore(100);
    const snapFile = join(tempDir(), 'entries.snapshot');
    await createSnapshotKeeper({ file: snapFile, store, index: catalog.index, log: recording() }).save();
    const good = readFileSync(snapFile);

    const flipped = Buffer.from(good);
    flipped[Math.floor(flipped.length / 3)]! ^= 0x40;
    writeFileSync(snapFile, flipped);
    expect(await readSnapshot(snapFile, file)).toEqual({ ok: false, reason: 'snapshot checksum does not match' });

    writeFileSync(snapFile, good.subarray(0, good.length - 100));
    expect(await readSnapshot(snapFile, file)).toMatchObject({ ok: false, reason: expect.stringMatching(/truncated|malformed|not JSON/) });

    writeFileSync(snapFile, '{"version":1}');
    expect(await readSnapshot(snapFile, file)).toMatchObject({ ok: false });

    expect(await readSnapshot(join(tempDir(), 'none.snapshot'), file)).toEqual({ ok: false, reason: 'no snapshot' });
  });

  it('an index state naming entries the store lacks is refused, not half-restored', async () => {
    const { catalog } = await changedStore(100);
    const state = catalog.index.exportState();
    expect(() => createSearchIndex([], { restore: { state, entryOf: () => undefined } })).toThrow(/does not have/);
  });
});

describe('openApp with a snapshot', () => {
  it('starts from the snapshot when it copies entries.json, and from entries.json (with a warning) when not', async () => {
    const dataDir = tempDir();
    const first = await openApp({ dataDir, log: recording() });
    expect(first.loadedFrom).toEqual({ snapshot: false, reason: 'no snapshot' });
    expect(first.entries.all()).toHaveLength(19);
    expect(await first.snapshots.save()).toBe('written');

    const second = await openApp({ dataDir, log: recording() });
    expect(second.loadedFrom).toEqual({ snapshot: true });
    expect(answers(second.catalog)).toEqual(answers(first.catalog));
    expect(second.catalog.latest('上海市公安局', 3).map((e) => e.id)).toEqual(first.catalog.latest('上海市公安局', 3).map((e) => e.id));

    const snap = storeFiles(dataDir).snapshot;
    const bytes = readFileSync(snap);
    bytes[bytes.length >> 1]! ^= 1;
    writeFileSync(snap, bytes);
    const log = recording();
    const third = await openApp({ dataDir, log });
    expect(third.loadedFrom).toEqual({ snapshot: false, reason: 'snapshot checksum does not match' });
    expect(log.warnings).toEqual([{ reason: 'snapshot checksum does not match' }]);
    expect(answers(third.catalog)).toEqual(answers(first.catalog));
  });
});
