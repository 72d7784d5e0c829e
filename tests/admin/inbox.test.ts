import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createInboxWatcher } from '../../src/admin/inbox.ts';
import type { InboxWatcher } from '../../src/admin/inbox.ts';
import type { Log } from '../../src/infra/log.ts';
import { createMemoryEntryStore, openEntryStore } from '../../src/store/entry-store.ts';
import type { EntryStore } from '../../src/store/entry-store.ts';
import { NEW_TITLES, NO_MEASURES, twoMeasures } from '../helpers/bulletins.ts';
import { readCorpus } from '../helpers/corpus.ts';
import { seedText, shippedAgencies } from '../helpers/seed.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const tempDir = useTempDir();
const agencies = shippedAgencies();
const watchers: InboxWatcher[] = [];
afterEach(async () => {
  for (const w of watchers.splice(0)) await w.stop();
});

function setup(opts: { store?: EntryStore; intervalMs?: number } = {}) {
  const root = tempDir();
  const dir = join(root, 'inbox');
  const logs: { level: string; obj: Record<string, unknown> }[] = [];
  const rec = (level: string) => (obj: object | string) =>
    void logs.push({ level, obj: typeof obj === 'string' ? { msg: obj } : (obj as Record<string, unknown>) });
  const log: Log = { debug: rec('debug'), info: rec('info'), warn: rec('warn'), error: rec('error') };
  const store = opts.store ?? createMemoryEntryStore();
  const watcher = createInboxWatcher({
    dir,
    store,
    agencies,
    log,
    intervalMs: opts.intervalMs ?? 10,
    now: () => new Date('2026-11-28T08:00:00.000Z'),
  });
  watchers.push(watcher);
  return { root, dir, store, watcher, logs };
}

describe('inbox watcher', () => {
  it('publishes a .docx, a saved page and a GB18030 file alike; an older bulletin after a newer one changes nothing', async () => {
    const { dir, watcher, store, logs } = setup();
    await mkdir(dir, { recursive: true });
    const pick = (suffix: string) => readCorpus().find((c) => c.name.endsWith(suffix))!;
    await writeFile(join(dir, 'w.docx'), pick('.docx').bytes);
    await writeFile(join(dir, 'p.html'), pick('wechat-article.html').bytes);
    await writeFile(join(dir, 'g.txt'), pick('gb18030-notepad.txt').bytes);
    await watcher.scanOnce();
    const outcomes = await watcher.scanOnce();
    expect(outcomes.map((o) => [o.file, o.status])).toEqual([
      ['g.txt', 'published'],
      ['p.html', 'published'],
      ['w.docx', 'published'],
    ]);
    expect(store.all()).toHaveLength(12);

    const newer = seedText
      .replace('(系列二：截止至3月26日)', '(系列三：截止至4月10日)')
      .replace(/(云路演助力本市康复辅具企业复工复产\n\n)[^\n]+/, '$1更正后的正文。');
    await writeFile(join(dir, '2020-04-11.txt'), newer);
    await watcher.scanOnce();
    await watcher.scanOnce();
    const seq = store.seq();
    await writeFile(join(dir, 'seed.txt'), seedText);
    await watcher.scanOnce();
    const [again] = await watcher.scanOnce();
    expect(again).toMatchObject({ status: 'published', result: { added: 0, corrected: 0, older: 1 } });
    expect(store.seq()).toBe(seq);
    expect(logs).toContainEqual(
      expect.objectContaining({ obj: expect.objectContaining({ event: 'inbox-published', file: 'seed.txt', older: 1 }) }),
    );
  });

  it('creates the inbox, done/ and failed/ when missing', async () => {
    const { dir, watcher } = setup();
    expect(existsSync(dir)).toBe(false);
    expect(await watcher.scanOnce()).toEqual([]);
    expect((await readdir(dir)).sort()).toEqual(['done', 'failed']);
  });

  it('publishes a good file on the second scan and moves it to done/', async () => {
    const root = tempDir();
    const store = await openEntryStore(join(root, 'entries.json'));
    const { dir, watcher, logs } = setup({ store });
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'b.txt'), twoMeasures());

    expect(await watcher.scanOnce()).toEqual([]); // first sight: size not yet known to be stable
    expect(store.all()).toHaveLength(0);
    const [outcome] = await watcher.scanOnce();
    expect(outcome).toMatchObject({ file: 'b.txt', status: 'published', result: { added: 2, corrected: 0 } });
    expect(store.all().map((e) => e.title)).toEqual([...NEW_TITLES]);
    expect(await readdir(dir)).not.toContain('b.txt');
    expect(await readdir(join(dir, 'done'))).toEqual(['2026-11-28T08-00-00-000Z-b.txt']);
    expect(await readFile(join(dir, 'done', '2026-11-28T08-00-00-000Z-b.txt'), 'utf8')).toBe(twoMeasures());
    // written to disk, not just memory
    const onDisk = JSON.parse(await readFile(join(root, 'entries.json'), 'utf8')) as { entries: unknown[] };
    expect(onDisk.entries).toHaveLength(2);
    expect(logs).toContainEqual(
      expect.objectContaining({ level: 'info', obj: expect.objectContaining({ event: 'inbox-published', file: 'b.txt', added: 2 }) }),
    );
    expect(await watcher.scanOnce()).toEqual([]);
  });

  it('does not take a file whose size changes between scans (still being copied)', async () => {
    const { dir, store, watcher } = setup();
    await mkdir(dir, { recursive: true });
    const text = twoMeasures();
    const path = join(dir, 'slow.md');
    await writeFile(path, text.slice(0, 40));
    expect(await watcher.scanOnce()).toEqual([]);
    await appendFile(path, text.slice(40, 80));
    expect(await watcher.scanOnce()).toEqual([]);
    await appendFile(path, text.slice(80));
    expect(await watcher.scanOnce()).toEqual([]);
    expect(store.all()).toHaveLength(0);
    expect(await readdir(dir)).toContain('slow.md');
    const [outcome] = await watcher.scanOnce();
    expect(outcome).toMatchObject({ status: 'published', result: { added: 2 } });
  });

  it('does not take a file rewritten with the same size but a new mtime', async () => {
    const { dir, store, watcher } = setup();
    await mkdir(dir, { recursive: true });
    const path = join(dir, 'same.txt');
    await writeFile(path, twoMeasures());
    await utimes(path, new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:00:00Z'));
    await watcher.scanOnce();
    await utimes(path, new Date('2026-01-01T00:00:01Z'), new Date('2026-01-01T00:00:01Z'));
    expect(await watcher.scanOnce()).toEqual([]);
    expect(store.all()).toHaveLength(0);
    expect(await watcher.scanOnce()).toHaveLength(1);
  });

  it('moves a bad file to failed/ with the reason beside it, store unchanged', async () => {
    const { dir, store, watcher, logs } = setup();
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'notes.txt'), NO_MEASURES);
    await writeFile(join(dir, 'image.txt'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1, 2]));
    await writeFile(join(dir, 'report.pdf'), '%PDF-1.4');
    await watcher.scanOnce();
    const outcomes = await watcher.scanOnce();
    expect(outcomes.map((o) => [o.file, o.status]).sort()).toEqual([
      ['image.txt', 'failed'],
      ['notes.txt', 'failed'],
      ['report.pdf', 'failed'],
    ]);
    expect(store.all()).toHaveLength(0);
    const failed = (await readdir(join(dir, 'failed'))).sort();
    expect(failed).toEqual([
      '2026-11-28T08-00-00-000Z-image.txt',
      '2026-11-28T08-00-00-000Z-image.txt.reason.txt',
      '2026-11-28T08-00-00-000Z-notes.txt',
      '2026-11-28T08-00-00-000Z-notes.txt.reason.txt',
      '2026-11-28T08-00-00-000Z-report.pdf',
      '2026-11-28T08-00-00-000Z-report.pdf.reason.txt',
    ]);
    const reason = (n: string) => readFile(join(dir, 'failed', `2026-11-28T08-00-00-000Z-${n}.reason.txt`), 'utf8');
    expect(await reason('notes.txt')).toMatch(/^notes\.txt: no measures found/);
    expect(await reason('image.txt')).toMatch(/PNG image, not a text bulletin/);
    expect(await reason('report.pdf')).toMatch(/a bulletin is a \.txt, \.csv, \.md, \.docx, \.html or \.htm file/);
    expect(await readdir(dir)).toEqual(expect.arrayContaining(['done', 'failed']));
    expect((await readdir(dir)).filter((n) => !['done', 'failed'].includes(n))).toEqual([]);
    expect(logs.filter((l) => l.obj.event === 'inbox-failed')).toHaveLength(3);
  });

  it('keeps two files of the same name apart in done/', async () => {
    const { dir, watcher } = setup();
    await mkdir(dir, { recursive: true });
    for (const body of ['第一版正文。', '第二版正文。']) {
      await writeFile(join(dir, 'b.txt'), twoMeasures({ body }));
      await watcher.scanOnce();
      expect(await watcher.scanOnce()).toHaveLength(1);
    }
    expect((await readdir(join(dir, 'done'))).sort()).toEqual(['1-2026-11-28T08-00-00-000Z-b.txt', '2026-11-28T08-00-00-000Z-b.txt']);
  });

  it('waits longer before calling an empty file bad (a copy may just have begun)', async () => {
    const { dir, watcher } = setup();
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'e.txt'), '');
    for (let i = 0; i < 5; i++) expect(await watcher.scanOnce()).toEqual([]);
    expect(await watcher.scanOnce()).toMatchObject([{ file: 'e.txt', status: 'failed', error: expect.stringMatching(/empty/) }]);
  });

  it('ignores hidden and partial files and folders', async () => {
    const { dir, watcher } = setup();
    await mkdir(join(dir, 'sub'), { recursive: true });
    await writeFile(join(dir, '.b.txt.swp'), 'x');
    await writeFile(join(dir, 'b.txt.part'), 'x');
    await watcher.scanOnce();
    expect(await watcher.scanOnce()).toEqual([]);
    expect((await readdir(dir)).sort()).toEqual(['.b.txt.swp', 'b.txt.part', 'done', 'failed', 'sub']);
  });

  it('start() polls on its own; stop() waits for the scan in flight', async () => {
    const { dir, store, watcher } = setup({ intervalMs: 5 });
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'b.txt'), twoMeasures());
    watcher.start();
    await expect.poll(() => store.all().length, { timeout: 3000, interval: 5 }).toBe(2);
    await watcher.stop();
    await writeFile(join(dir, 'c.txt'), twoMeasures({ body: '另一版本。' }));
    await new Promise((r) => setTimeout(r, 50));
    expect(await readdir(dir)).toContain('c.txt'); // stopped: nothing taken any more
  });

  it('stop() resolves only after the scan in flight has finished', async () => {
    const { dir, store, watcher } = setup();
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'b.txt'), twoMeasures());
    await watcher.scanOnce();
    let settled = false;
    void watcher.scanOnce().then(() => (settled = true));
    await watcher.stop();
    expect(settled).toBe(true);
    expect(store.all()).toHaveLength(2);
  });

  it('concurrent scanOnce calls run one after another, never taking a file twice', async () => {
    const { dir, store, watcher } = setup();
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'b.txt'), twoMeasures());
    await watcher.scanOnce();
    const results = await Promise.all([watcher.scanOnce(), watcher.scanOnce(), watcher.scanOnce()]);
    expect(results.flat()).toHaveLength(1);
    expect(store.all()).toHaveLength(2);
  });
});
