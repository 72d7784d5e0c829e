import { readFileSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBulletin } from '../../src/core/parse-bulletin.ts';
import { entriesFileSchema, isEntriesFile, openEntryStore, verifyEntriesFile } from '../../src/store/entry-store.ts';
import { checksumOf } from '../../src/store/record-checksum.ts';
import { StoreError } from '../../src/store/json-file.ts';
import { parseSeed, seedText, shippedAgencies } from '../helpers/seed.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const tempDir = useTempDir();
const agencies = shippedAgencies();

describe('entry store on a real file', () => {
  it('creates a missing store (and its directory), and reopens what was written', async () => {
    const file = join(tempDir(), 'nested', 'entries.json');
    const store = await openEntryStore(file);
    expect(store.all()).toHaveLength(0);
    const r = store.apply(parseSeed(), new Date('2020-03-27T01:00:00Z'));
    expect(r).toMatchObject({ added: 19, unchanged: 0, corrected: 0 });
    await store.flush();

    const again = await openEntryStore(file);
    expect(again.all()).toHaveLength(19);
    expect(again.seq()).toBe(19);
    expect(again.all().map((e) => e.seq)).toEqual(Array.from({ length: 19 }, (_, i) => i + 1));
    expect(again.bulletins()).toHaveLength(1);
    expect(again.get(parseSeed().entries[0]!.id)?.addedAt).toBe('2020-03-27T01:00:00.000Z');
  });

  it('adds nothing when the same bulletin is ingested twice', async () => {
    const file = join(tempDir(), 'entries.json');
    const store = await openEntryStore(file);
    store.apply(parseSeed());
    expect(store.apply(parseSeed())).toMatchObject({ added: 0, unchanged: 19, corrected: 0 });
    expect(store.all()).toHaveLength(19);
    expect(store.bulletins()).toHaveLength(1);
  });

  it('adds only the new measures of a later cumulative bulletin and marks corrections', async () => {
    const file = join(tempDir(), 'entries.json');
    const store = await openEntryStore(file);
    store.apply(parseSeed());
    const changes: string[][] = [];
    store.onChange((c) => changes.push(c.map((e) => e.title)));

    // The next issue: one measure's body fixed, one measure added, everything else repeated.
    const fixed = seedText
      .replace(
        /(一手抓防控一手抓发展 本市行业协会商会积极推动会员企业复工复产\n\n)[^\n]+/,
        '$1市民政局指导行业协会商会帮助会员企业复工复产。',
      )
      .replace('**严而又严', '3月27日\n\n新增的司法局措施\n\n来源：上海市司法局\n\n**严而又严');
    expect(fixed).not.toBe(seedText);
    // The copy states no year: it follows the series already published, as previews and ingest do.
    const later = parseBulletin(fixed, { file: 'later.txt', agencies, knownAsOf: store.bulletins().map((b) => b.asOf!) });
    const r = store.apply(later, new Date('2020-03-28T00:00:00Z'));
    expect(r).toMatchObject({ added: 1, corrected: 1, unchanged: 18 });
    expect(store.all()).toHaveLength(20);

    const corrected = store.get(r.correctedIds[0]!)!;
    expect(corrected.title).toBe('一手抓防控一手抓发展 本市行业协会商会积极推动会员企业复工复产');
    expect(corrected.body).toEqual(['市民政局指导行业协会商会帮助会员企业复工复产。']);
    expect(corrected).toMatchObject({ revisions: 1, correctedAt: '2020-03-28T00:00:00.000Z', addedSeq: 11 });
    // Digests follow seq: the correction and the new measure come after the old cursor.
    expect(store.since(19).map((e) => e.title)).toEqual([corrected.title, '新增的司法局措施']);
    expect(changes).toEqual([[corrected.title, '新增的司法局措施']]);

    await store.flush();
    const reopened = await openEntryStore(file);
    expect(reopened.since(19)).toHaveLength(2);
    expect(reopened.get(corrected.id)?.revisions).toBe(1);
  });

  it('plans without changing anything', async () => {
    const store = await openEntryStore(join(tempDir(), 'entries.json'));
    expect(store.plan(parseSeed())).toMatchObject({ added: 19 });
    expect(store.all()).toHaveLength(0);
    const copy = store.clone();
    copy.apply(parseSeed());
    expect(copy.all()).toHaveLength(19);
    expect(store.all()).toHaveLength(0);
  });

  it('since() returns what came after a cursor', async () => {
    const store = await openEntryStore(join(tempDir(), 'entries.json'));
    store.apply(parseSeed());
    expect(store.since(0)).toHaveLength(19);
    expect(store.since(17).map((e) => e.seq)).toEqual([18, 19]);
    expect(store.since(19)).toEqual([]);
  });

  it('read-only open of a missing store creates no file', async () => {
    const dir = tempDir();
    const store = await openEntryStore(join(dir, 'entries.json'), { readOnly: true });
    store.apply(parseSeed());
    expect(() => statSync(join(dir, 'entries.json'))).toThrow();
  });

  it.each([
    ['empty', '', /is empty|not valid JSON/],
    ['truncated JSON', '{"version":1,"seq":3,"bulle', /not valid JSON/],
    ['wrong shape', JSON.stringify({ version: 1, seq: 'x', bulletins: [], entries: [] }), /seq/],
    ['bad entry', JSON.stringify({ version: 1, seq: 1, bulletins: [], entries: [{ id: 'a' }] }), /entries\.0/],
  ])('refuses a corrupt store (%s), naming the file, and leaves it untouched', async (_name, content, reason) => {
    const file = join(tempDir(), 'entries.json');
    writeFileSync(file, content);
    const err = await openEntryStore(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toMatch(reason);
    expect(readFileSync(file, 'utf8')).toBe(content);
  });

  it('batches writes: many applies in one tick land as one consistent file', async () => {
    const file = join(tempDir(), 'entries.json');
    const store = await openEntryStore(file);
    const text = (n: number) => ['简报 2020年', '', '3月1日', `标题${n}`, '来源：上海市公安局'].join('\n');
    for (let n = 0; n < 50; n++) store.apply(parseBulletin(text(n), { file: `${n}.txt`, agencies }));
    await store.flush();
    const onDisk = JSON.parse(readFileSync(file, 'utf8')) as { entries: unknown[]; seq: number };
    expect(onDisk.entries).toHaveLength(50);
    expect(onDisk.seq).toBe(50);
  });
});

describe('fast store check', () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the file as parsed JSON, mutated field by field below
  type Json = Record<string, any>;
  const valid = async () => {
    const store = await openEntryStore(join(tempDir(), 'entries.json'));
    store.apply(parseSeed(), new Date('2020-03-27T01:00:00Z'));
    await store.flush();
    // The records as the schema knows them (their checksums checked and stripped).
    const data = JSON.parse(readFileSync(store.file!, 'utf8')) as Json;
    verifyEntriesFile(store.file!, data);
    return data;
  };

  it('writes compact JSON, and still reads an indented file', async () => {
    const data = await valid();
    const file = join(tempDir(), 'indented.json');
    writeFileSync(file, JSON.stringify(data, null, 2));
    expect((await openEntryStore(file)).all()).toHaveLength(19);
    const store = await openEntryStore(file);
    store.apply(parseBulletin(['简报 2020年', '', '3月1日', '新标题', '来源：上海市公安局'].join('\n'), { file: 'x.txt', agencies }));
    await store.flush();
    expect(readFileSync(file, 'utf8')).not.toContain('\n');
  });

  it('accepts exactly what the zod schema accepts unchanged', async () => {
    const data = await valid();
    expect(isEntriesFile(data)).toBe(true);
    expect(entriesFileSchema.safeParse(data).success).toBe(true);
    const mutations: [string, (d: Json) => void][] = [
      ['seq string', (d) => (d.seq = '1')],
      ['version 2', (d) => (d.version = 2)],
      ['entry id empty', (d) => (d.entries[0].id = '')],
      ['entry date', (d) => (d.entries[1].date = '2020-3-1')],
      ['entry seq 0', (d) => (d.entries[2].seq = 0)],
      ['entry line fraction', (d) => (d.entries[2].line = 1.5)],
      ['body not strings', (d) => (d.entries[3].body = [1])],
      ['correctedAt number', (d) => (d.entries[4].correctedAt = 5)],
      ['missing bullets', (d) => delete d.entries[5].bullets],
      ['extra key', (d) => (d.entries[6].extra = 1)],
      ['bulletin asOf', (d) => (d.bulletins[0].asOf = 'soon')],
      ['bulletin entries negative', (d) => (d.bulletins[0].entries = -1)],
      ['entries not array', (d) => (d.entries = {})],
    ];
    for (const [name, mutate] of mutations) {
      const d = structuredClone(data);
      mutate(d);
      // Never accepted by the fast check unless zod accepts it unchanged (extra keys: zod strips, so the check defers).
      expect(isEntriesFile(d), name).toBe(false);
      if (name !== 'extra key') expect(entriesFileSchema.safeParse(d).success, name).toBe(false);
    }
  });

  it("a file the fast check refuses still gets zod's message with the path", async () => {
    const data = await valid();
    // A hand edit that drops the record's checksum: the record is taken as from an old file, and zod judges it.
    data.entries[7].date = 'yesterday';
    const file = join(tempDir(), 'bad.json');
    writeFileSync(file, JSON.stringify(data));
    const err = await openEntryStore(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toMatch(/entries\.7\.date/);
  });

  describe('checksums', () => {
    const written = async () => {
      const store = await openEntryStore(join(tempDir(), 'entries.json'));
      store.apply(parseSeed(), new Date('2020-03-27T01:00:00Z'));
      await store.flush();
      return store;
    };

    it('every entry and bulletin record is written with the crc32 of its canonical JSON', async () => {
      const store = await written();
      const data = JSON.parse(readFileSync(store.file!, 'utf8')) as Json;
      expect(data.entries.length).toBeGreaterThan(10);
      for (const r of [...data.entries, ...data.bulletins]) expect(r.crc).toBe(checksumOf(r));
    });

    it('bytes overwritten inside a string: the start is refused naming the entry, the file left unchanged', async () => {
      const store = await written();
      const text = readFileSync(store.file!, 'utf8');
      const victim = (JSON.parse(text) as Json).entries[4];
      // Same length, still valid JSON: only the checksum can tell.
      const damaged = text.replace(victim.title, `${victim.title.slice(0, -1)}假`);
      expect(damaged).not.toBe(text);
      writeFileSync(store.file!, damaged);
      const err = await openEntryStore(store.file!).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreError);
      expect((err as Error).message).toContain(`entry "${victim.id}" (entry record 5) fails its checksum`);
      expect(readFileSync(store.file!, 'utf8')).toBe(damaged);
      // The read-only path (dry runs, the digest CLI) refuses it too.
      await expect(openEntryStore(store.file!, { readOnly: true })).rejects.toThrow(/fails its checksum/);
    });

    it('a file from before checksums loads as it is, then is written again with them', async () => {
      const store = await written();
      const data = JSON.parse(readFileSync(store.file!, 'utf8')) as Json;
      for (const r of [...data.entries, ...data.bulletins]) delete r.crc;
      writeFileSync(store.file!, JSON.stringify(data));
      const reopened = await openEntryStore(store.file!);
      expect(reopened.count()).toBe(store.count());
      await reopened.flush();
      const migrated = JSON.parse(readFileSync(store.file!, 'utf8')) as Json;
      for (const r of [...migrated.entries, ...migrated.bulletins]) expect(r.crc).toBe(checksumOf(r));
      // Read-only opens never write.
      writeFileSync(store.file!, JSON.stringify(data));
      await (await openEntryStore(store.file!, { readOnly: true })).flush();
      expect(readFileSync(store.file!, 'utf8')).toBe(JSON.stringify(data));
    });
  });
});
