import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SlicedJsonFile } from '../../src/store/sliced-json-file.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const tempDir = useTempDir();

interface Doc {
  version: number;
  seq: number;
  bulletins: { id: string; asOf: string | null }[];
  entries: { id: string; title: string; body: string[] }[];
}

const entries = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: `e${i}`, title: `措施 "${i}" <b>&\u2028`, body: [`正文\n${i}`, '\\ 反斜杠'] }));

describe('SlicedJsonFile', () => {
  it.each([
    ['empty', { version: 1, seq: 0, bulletins: [], entries: [] }],
    ['one entry', { version: 1, seq: 1, bulletins: [{ id: 'b', asOf: null }], entries: entries(1) }],
    ['exactly one slice', { version: 1, seq: 2000, bulletins: [], entries: entries(2000) }],
    ['several slices and a remainder', { version: 1, seq: 4501, bulletins: [{ id: 'b1', asOf: '2020-03-26' }], entries: entries(4501) }],
  ] satisfies [string, Doc][])('writes exactly the bytes of JSON.stringify: %s', async (_, doc) => {
    const file = join(tempDir(), 'entries.json');
    const adapter = new SlicedJsonFile<Doc, 'entries'>(file, 'entries');
    await adapter.write(doc);
    expect(readFileSync(file, 'utf8')).toBe(JSON.stringify(doc));
    expect(await adapter.read()).toEqual(doc);
    expect(readdirSync(join(file, '..'))).toEqual(['entries.json']);
  });

  it('writes the data as it was when write() was called, whatever changes meanwhile', async () => {
    const file = join(tempDir(), 'entries.json');
    const doc: Doc = { version: 1, seq: 5000, bulletins: [], entries: entries(5000) };
    const writing = new SlicedJsonFile<Doc, 'entries'>(file, 'entries').write(doc);
    const expected = JSON.stringify(doc);
    doc.entries.push({ id: 'late', title: '后来的', body: [] });
    doc.entries = doc.entries.filter((e) => e.id !== 'e0');
    doc.seq = 9999;
    await writing;
    expect(readFileSync(file, 'utf8')).toBe(expected);
  });

  it('a failed write rejects and leaves the old file whole', async () => {
    const dir = tempDir();
    const file = join(dir, 'entries.json');
    writeFileSync(file, '{"old":true}');
    // The temporary file's name is taken by a directory: the write cannot even start.
    mkdirSync(join(dir, '.entries.json.tmp'));
    const adapter = new SlicedJsonFile<Doc, 'entries'>(file, 'entries');
    await expect(adapter.write({ version: 1, seq: 0, bulletins: [], entries: entries(10) })).rejects.toThrow(/EISDIR/);
    expect(readFileSync(file, 'utf8')).toBe('{"old":true}');
  });

  it('reads a missing file as null and refuses invalid JSON', async () => {
    const dir = tempDir();
    expect(await new SlicedJsonFile<Doc, 'entries'>(join(dir, 'none.json'), 'entries').read()).toBeNull();
    writeFileSync(join(dir, 'bad.json'), '{"entries": [');
    await expect(new SlicedJsonFile<Doc, 'entries'>(join(dir, 'bad.json'), 'entries').read()).rejects.toThrow(SyntaxError);
  });
});
