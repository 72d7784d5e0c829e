import { openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StoredEntry } from '../../src/core/model.ts';
import { createEntryTable } from '../../src/store/entry-table.ts';
import type { EntryTable, TableColumns } from '../../src/store/entry-table.ts';
import { entry } from '../helpers/digest.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const tempDir = useTempDir();
const open: EntryTable[] = [];
afterEach(() => {
  for (const t of open.splice(0)) t.close();
});
const table = (columns?: TableColumns) => {
  const t = createEntryTable(columns);
  open.push(t);
  return t;
};

let seq = 0;
const stored = (parts: Partial<StoredEntry> = {}): StoredEntry => {
  const s = ++seq;
  return { ...entry(parts), seq: s, addedSeq: s, addedAt: '2020-03-27T00:00:00.000Z', revisions: 0, correctedAt: null, ...parts };
};

/**
 * Writes the rows' records into a file the way a snapshot lays them out (after `pad` bytes of
 * something else) and returns it open, with each row's start in UTF-16 units.
 */
function textFile(t: EntryTable, rows: number[], pad = 16) {
  const file = join(tempDir(), `text-${Math.random().toString(36).slice(2)}.bin`);
  const starts: number[] = [];
  let units = 0;
  const parts: string[] = [];
  for (const row of rows) {
    // A record is the row's title, body and bullets, one after the other (the agency is kept apart).
    const text = t.fields(row).slice(0, -1).join('');
    starts.push(units);
    units += text.length;
    parts.push(text);
  }
  writeFileSync(file, Buffer.concat([Buffer.alloc(pad, 0xee), Buffer.from(parts.join(''), 'utf16le')]));
  return { file: { fd: openSync(file, 'r'), offset: pad }, rows: Int32Array.from(rows), starts: Float64Array.from(starts) };
}

const cases: [string, Partial<StoredEntry>][] = [
  ['plain', {}],
  ['no body, bullets only', { body: [], bullets: ['要点一', '要点二'] }],
  ['empty paragraphs and astral characters', { title: '𠀀标题', body: ['', '段落 𝒳', ''], bullets: [''] }],
  ['corrected', { revisions: 2, correctedAt: '2020-04-01T00:00:00.000Z' }],
  ['HTML and control characters', { title: '<b>&amp;</b>', body: ['a\u0000b\u001fc'], source: '来源&' }],
];

describe('entry table', () => {
  it.each(cases)('gives back what was appended: %s', (_, parts) => {
    const t = table();
    const e = stored(parts);
    const row = t.append(e);
    expect(t.entry(row)).toEqual(e);
    expect(Object.keys(t.entry(row))).toEqual(Object.keys(e));
    expect(t.fields(row)).toEqual([e.title, ...e.body, ...e.bullets, e.agency]);
    expect([t.id(row), t.seq(row), t.agency(row), t.date(row)]).toEqual([e.id, e.seq, e.agency, e.date]);
    // …and the same once the text is in a file.
    const f = textFile(t, [row]);
    t.adopt(f.file, f.rows, f.starts);
    expect(t.inMemory()).toBe(0);
    expect(t.read(row)).toEqual(e);
    expect(t.fields(row)).toEqual([e.title, ...e.body, ...e.bullets, e.agency]);
  });

  it('counts live rows and keeps killed ones readable for a write that listed them', () => {
    const t = table();
    const a = t.append(stored({ title: '甲' }));
    const b = t.append(stored({ title: '乙' }));
    t.kill(a);
    t.kill(a);
    expect([t.rows, t.live, t.alive(a), t.alive(b), t.alive(7)]).toEqual([2, 1, false, true, false]);
    expect(t.read(a).title).toBe('甲');
    expect(() => t.entry(5)).toThrow(/no row 5/);
  });

  it('moves text to a file and lets it go from memory; rows appended later stay in memory until the next file', () => {
    const t = table();
    const rows = [t.append(stored({ title: '一' })), t.append(stored({ title: '二', body: ['长正文'.repeat(100)] }))];
    expect(t.inMemory()).toBe(2);
    const first = textFile(t, rows);
    t.adopt(first.file, first.rows, first.starts);
    expect(t.inMemory()).toBe(0);
    const later = t.append(stored({ title: '三' }));
    expect(t.inMemory()).toBe(1);
    expect(rows.map((r) => t.read(r).title)).toEqual(['一', '二']);
    expect(t.read(rows[1]!).body[0]).toHaveLength(300);
    const second = textFile(t, [...rows, later]);
    t.adopt(second.file, second.rows, second.starts);
    expect(t.inMemory()).toBe(0);
    expect([...rows, later].map((r) => t.read(r).title)).toEqual(['一', '二', '三']);
  });

  it('a row killed before a file was written is still read from the file before, for one more generation', () => {
    const t = table();
    const old = t.append(stored({ title: '旧版本' }));
    const first = textFile(t, [old]);
    t.adopt(first.file, first.rows, first.starts);
    t.kill(old);
    const fresh = t.append(stored({ title: '新版本' }));
    const second = textFile(t, [fresh]);
    t.adopt(second.file, second.rows, second.starts);
    expect(t.read(old).title).toBe('旧版本');
    const third = textFile(t, [fresh]);
    t.adopt(third.file, third.rows, third.starts);
    expect(() => t.read(old)).toThrow(/not open/);
    expect(t.read(fresh).title).toBe('新版本');
  });

  it('a row killed while its text was in memory lets it go one file later', () => {
    const t = table();
    const old = t.append(stored({ title: '更正前' }));
    t.kill(old);
    const fresh = t.append(stored({ title: '更正后' }));
    const first = textFile(t, [fresh]);
    t.adopt(first.file, first.rows, first.starts);
    expect(t.inMemory()).toBe(0);
    expect(t.read(old).title).toBe('更正前');
    const second = textFile(t, [fresh]);
    t.adopt(second.file, second.rows, second.starts);
    expect(() => t.read(old)).toThrow(/not open/);
  });

  it('a live row a new file does not hold is kept, read into memory before the old file closes', () => {
    const t = table();
    const [a, b] = [t.append(stored({ title: '甲' })), t.append(stored({ title: '乙' }))];
    const first = textFile(t, [a, b]);
    t.adopt(first.file, first.rows, first.starts);
    const second = textFile(t, [a]);
    t.adopt(second.file, second.rows, second.starts);
    expect(t.inMemory()).toBe(1);
    const third = textFile(t, [a]);
    t.adopt(third.file, third.rows, third.starts);
    expect([t.read(a).title, t.read(b).title]).toEqual(['甲', '乙']);
  });

  it('reads many rows at once, from memory and from the file, each once, whatever their order', () => {
    const t = table();
    const made = Array.from({ length: 40 }, (_, i) =>
      stored({ title: `第${i}条`, body: i === 7 ? ['长'.repeat(600_000)] : [`正文${i}`], bullets: i % 3 ? [] : [`要点${i}`] }),
    );
    const rows = made.map((e) => t.append(e));
    const f = textFile(t, rows.slice(0, 30).reverse());
    t.adopt(f.file, f.rows, f.starts);
    expect(t.inMemory()).toBe(10);
    t.entry(rows[3]!);
    const asked = [39, 7, 0, 3, 12, 31, 29, 5, 30].map((i) => rows[i]!);
    const got = new Map<number, string[]>();
    t.fieldsOfMany(asked, (i, fields) => {
      expect(got.has(i)).toBe(false);
      got.set(i, fields);
    });
    expect([...got.keys()].sort((a, b) => a - b)).toEqual(asked.map((_, i) => i));
    asked.forEach((row, i) => expect(got.get(i)).toEqual(t.fields(row)));
    expect(got.get(1)![1]).toHaveLength(600_000);
  });

  it('counts a keyword in many rows as checking each field would: inside one field, overlapping, capped, title flagged', () => {
    const t = table();
    const made: [string, Partial<StoredEntry>][] = [
      ['across title and body does not count', { title: '推进复工', body: ['复产有序'] }],
      ['title and body', { title: '复工复产', body: ['复工复产第一段', '再谈复工复产'] }],
      ['overlapping', { title: '哈', body: ['哈哈哈哈'] }],
      ['capped', { title: '无', body: ['复工复产'.repeat(9)] }],
      ['agency only', { title: '标题', body: ['正文'], agency: '复工复产办公室' }],
      ['empty fields between', { title: '复工', body: ['', '复产', ''], bullets: ['', '复工复产'] }],
      ['none', { title: '别的', body: ['无关'] }],
    ];
    const rows = made.map(([, parts]) => t.append(stored(parts)));
    // Rows not asked for lie between those asked for: their matches must not count for a neighbour.
    const filler = Array.from({ length: 5 }, () => t.append(stored({ title: '复工复产', body: ['复工复产'] })));
    const inFile = [...rows.slice(0, 3), ...filler, ...rows.slice(3)];
    const f = textFile(t, inFile);
    t.adopt(f.file, f.rows, f.starts);
    const naive = (fields: string[], k: string, max: number) => {
      let count = 0;
      for (const x of fields) for (let at = x.indexOf(k); at !== -1; at = x.indexOf(k, at + 1)) count++;
      count = Math.min(count, max);
      return count === 0 ? -1 : count * 2 + (fields[0]!.includes(k) ? 1 : 0);
    };
    for (const k of ['复工复产', '哈哈', '复工', '无关', '办公']) {
      const got = new Map<number, number>();
      t.countMany(rows, k, 5, (i, found) => got.set(i, found));
      const want = rows.map((row) => naive(t.fields(row), k, 5));
      expect(
        rows.map((_, i) => got.get(i)),
        k,
      ).toEqual(want);
    }
    const found = new Map<number, number>();
    t.countMany(rows, '复工复产', 5, (i, n) => found.set(i, n));
    expect(made.map(([name], i) => [name, found.get(i)])).toEqual([
      ['across title and body does not count', -1],
      ['title and body', 7],
      ['overlapping', -1],
      ['capped', 10],
      ['agency only', 2],
      ['empty fields between', 2],
      ['none', -1],
    ]);
  });

  it('says so when a record lies beyond the end of its file', () => {
    const t = table();
    const row = t.append(stored({ title: '标题', body: ['正文'] }));
    const f = textFile(t, [row]);
    t.adopt(f.file, f.rows, Float64Array.of(1_000));
    expect(() => t.read(row)).toThrow(/ends before a record/);
  });

  it('opens from columns and refuses columns that disagree', () => {
    const src = table();
    const e = stored({
      source: '市公安局网站',
      correctedAt: '2020-04-01T00:00:00.000Z',
      revisions: 1,
      body: ['段一', '段二'],
      bullets: ['点'],
    });
    const row = src.append(e);
    const f = textFile(src, [row]);
    const columns: TableColumns = {
      ids: [e.id],
      strings: [e.agency, e.date, e.source, e.bulletin, e.addedAt, e.correctedAt!],
      nums: Float64Array.of(e.line, e.seq, e.addedSeq, e.revisions, 2, 1, 1),
      refs: Int32Array.of(0, 1, 2, 3, 4, 5, -1, -1),
      cuts: Int32Array.of(e.title.length, 2, 2, 1),
      file: f.file,
      starts: Float64Array.of(0),
    };
    const t = table(columns);
    expect([t.rows, t.live, t.inMemory()]).toEqual([1, 1, 0]);
    expect(t.entry(0)).toEqual(e);
    expect(() => createEntryTable({ ...columns, refs: Int32Array.of(0, 1, 2, 3, 4, 9, -1, -1) })).toThrow(/string the table does not have/);
    expect(() => createEntryTable({ ...columns, cuts: Int32Array.of(1, 2) })).toThrow(/fewer field lengths/);
    expect(() => createEntryTable({ ...columns, starts: Float64Array.of(0, 0) })).toThrow(/disagree with the row count/);
  });
});
