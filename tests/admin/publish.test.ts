import { describe, expect, it } from 'vitest';
import { WRONG_EXTENSION, planEntries, previewBulletin, publishBulletin, yearFromCaption } from '../../src/admin/publish.ts';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createMemoryEntryStore, openEntryStore } from '../../src/store/entry-store.ts';
import { NEW_TITLES, NO_MEASURES, twoMeasures } from '../helpers/bulletins.ts';
import { parseSeed, seedText, shippedAgencies } from '../helpers/seed.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const agencies = shippedAgencies();
const utf8 = (s: string) => new TextEncoder().encode(s);

function seededStore() {
  const store = createMemoryEntryStore();
  store.apply(parseSeed());
  return store;
}

describe('previewBulletin', () => {
  it('plans new measures without writing anything', async () => {
    const store = seededStore();
    const before = store.seq();
    const p = await previewBulletin(utf8(twoMeasures()), 'b.txt', { agencies, store });
    if (!p.ok) throw new Error(p.error);
    expect(p.plan).toMatchObject({ added: 2, unchanged: 0, corrected: 0 });
    expect(planEntries(p.parsed, p.plan).added.map((e) => e.title)).toEqual([...NEW_TITLES]);
    expect(p.parsed.bulletin.asOf).toBe('2020-03-28');
    expect(p.parsed.warnings).toEqual([expect.objectContaining({ line: 17, message: expect.stringContaining('某新设机构') })]);
    expect(store.seq()).toBe(before);
    expect(store.all()).toHaveLength(19);
  });

  it('counts the seed re-sent as unchanged', async () => {
    const store = seededStore();
    const p = await previewBulletin(utf8(seedText), 'seed.md', { agencies, store });
    expect(p.ok && p.plan).toMatchObject({ added: 0, unchanged: 19, corrected: 0 });
  });

  it('sees a changed body as a correction', async () => {
    const store = createMemoryEntryStore();
    const first = await previewBulletin(utf8(twoMeasures()), 'b.txt', { agencies, store });
    if (!first.ok) throw new Error(first.error);
    await publishBulletin(first.parsed, store);
    const second = await previewBulletin(utf8(twoMeasures({ body: '巡逻队伍每晚两次走访园区。' })), 'b2.txt', { agencies, store });
    if (!second.ok) throw new Error(second.error);
    expect(second.plan).toMatchObject({ added: 0, unchanged: 1, corrected: 1 });
    expect(planEntries(second.parsed, second.plan).corrected.map((e) => e.title)).toEqual([NEW_TITLES[0]]);
  });

  it('takes the year from the options for dates without one', async () => {
    const store = createMemoryEntryStore();
    const p = await previewBulletin(utf8(twoMeasures({ year: false })), 'b.txt', { agencies, store, year: 2021 });
    expect(p.ok && p.parsed.entries.map((e) => e.date)).toEqual(['2021-03-27', '2021-03-28']);
  });

  it.each([
    ['empty', new Uint8Array(0), 'x.txt', /empty/],
    ['binary', Uint8Array.from([0x01, 0x00, 0x02, 0x00, 0x03, 0x41, 0x00, 0x00, 0x0d]), 'x.txt', /binary/],
    ['an image', Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d]), 'x.txt', /PNG image/],
    [
      'not UTF-8 and not Chinese',
      Uint8Array.from([0xe9, 0x74, 0xe9, 0x20, 0xe0, 0x20, 0x50, 0x61, 0x72, 0x69, 0x73, 0x0a]),
      'x.txt',
      /not UTF-8 and could not be decoded confidently/,
    ],
    ['without measures', utf8(NO_MEASURES), 'x.md', /no measures found/],
    ['too big', new Uint8Array(2 * 1024 * 1024 + 1).fill(0x41), 'x.txt', /at most 2 MB/],
    ['a .pdf', utf8(twoMeasures()), 'x.pdf', /\.txt, \.csv, \.md, \.docx, \.html or \.htm/],
  ])('refuses a file that is %s with a clear reason, writing nothing', async (_label, bytes, name, reason) => {
    const store = seededStore();
    const p = await previewBulletin(bytes, name, { agencies, store });
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.error).toMatch(reason);
    expect(store.all()).toHaveLength(19);
  });

  it('names the line when measures cannot be placed', async () => {
    const p = await previewBulletin(utf8('标题\n\n发布者\n\n3月1日\n\n这一条没有来源也没有部门标题，而且很长很长。\n'), 'x.txt', {
      agencies,
      store: createMemoryEntryStore(),
    });
    expect(p).toMatchObject({ ok: false, line: 5, error: expect.stringMatching(/no measure could be placed/) });
  });

  it('exports the wrong-extension reason', async () => {
    expect(WRONG_EXTENSION).toMatch(/\.docx/);
  });
});

describe('publishBulletin', () => {
  const tempDir = useTempDir();

  it('applies and writes the store file; a second publish adds nothing', async () => {
    const file = join(tempDir(), 'entries.json');
    const store = await openEntryStore(file);
    const p = await previewBulletin(utf8(twoMeasures()), 'b.txt', { agencies, store });
    if (!p.ok) throw new Error(p.error);
    const r1 = await publishBulletin(p.parsed, store, new Date('2026-01-01T00:00:00Z'));
    expect(r1).toMatchObject({ added: 2, corrected: 0 });
    expect(store.all().map((e) => e.title)).toEqual([...NEW_TITLES]);
    expect(store.all()[0]!.addedAt).toBe('2026-01-01T00:00:00.000Z');
    expect(store.bulletins()).toHaveLength(1);
    const onDisk = JSON.parse(await readFile(file, 'utf8')) as { entries: { title: string }[] };
    expect(onDisk.entries.map((e) => e.title)).toEqual([...NEW_TITLES]);
    const r2 = await publishBulletin(p.parsed, store);
    expect(r2).toMatchObject({ added: 0, unchanged: 2, corrected: 0 });
    expect(store.bulletins()).toHaveLength(1);
  });
});

describe('yearFromCaption', () => {
  it.each([
    ['2021', 2021],
    ['year 2019 please', 2019],
    ['２０２２', 2022],
    ['', undefined],
    [undefined, undefined],
    ['12021', undefined],
    ['hello', undefined],
  ])('%s → %s', (caption, year) => expect(yearFromCaption(caption)).toBe(year));
});
