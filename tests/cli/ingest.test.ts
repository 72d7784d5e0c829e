import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openApp } from '../../src/app.ts';
import { silentLog } from '../../src/infra/log.ts';
import { runIngest } from '../../src/cli/ingest.ts';
import { PROJECT_ROOT } from '../../src/paths.ts';
import { CORPUS_DIR, readCorpus } from '../helpers/corpus.ts';
import { seedPath, seedText } from '../helpers/seed.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const tempDir = useTempDir();

async function ingest(args: string[], dataDir: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runIngest(args, { env: { DATA_DIR: dataDir }, out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('npm run ingest', () => {
  it('--dry-run --json prints one JSON object with the 19 measures and writes nothing', async () => {
    const dir = tempDir();
    const r = await ingest([seedPath, '--dry-run', '--json'], dir);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as {
      bulletin: { asOf: string };
      entries: { agency: string; date: string }[];
      result: Record<string, number>;
    };
    expect(json.entries).toHaveLength(19);
    expect(json.bulletin.asOf).toBe('2020-03-26');
    expect(json.entries.every((e) => e.date.startsWith('2020-'))).toBe(true);
    expect(new Set(json.entries.map((e) => e.agency))).toEqual(
      new Set(['上海市科学技术委员会', '上海市公安局', '上海市民政局', '上海市司法局']),
    );
    expect(json.result).toMatchObject({ added: 19, unchanged: 0, corrected: 0 });
    expect(existsSync(join(dir, 'entries.json'))).toBe(false);
  });

  it('is idempotent and prints a human summary', async () => {
    const dir = tempDir();
    const first = await ingest([seedPath], dir);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/19 new, 0 unchanged, 0 corrected/);
    const second = await ingest([seedPath], dir);
    expect(second.out).toMatch(/0 new, 19 unchanged, 0 corrected/);
    const third = await ingest([seedPath, '--dry-run', '--json'], dir);
    expect(JSON.parse(third.out).result).toMatchObject({ added: 0, unchanged: 19 });
  });

  it('keeps a current snapshot current (the bot then starts from it), and leaves a missing one to the bot', async () => {
    const dir = tempDir();
    await ingest([seedPath], dir);
    expect(existsSync(join(dir, 'entries.snapshot'))).toBe(false);
    const app = await openApp({ dataDir: dir, log: silentLog });
    expect(await app.snapshots.save()).toBe('written');

    const next = join(tempDir(), 'next.txt');
    writeFileSync(next, ['简报 (截止至2020年3月30日)', '', '3月30日', '命令行加入的新措施', '来源：上海市司法局'].join('\n'));
    expect((await ingest([next], dir)).out).toMatch(/1 new/);
    const reopened = await openApp({ dataDir: dir, log: silentLog });
    expect(reopened.loadedFrom).toEqual({ snapshot: true });
    expect(reopened.catalog.search(['命令行加入']).total).toBe(1);
    expect(reopened.entries.all()).toHaveLength(20);
  });

  it('reports warnings with line numbers', async () => {
    const dir = tempDir();
    const file = join(dir, 'b.txt');
    writeFileSync(file, ['简报 2020年', '', '3月1日', '甲', '来源：上海市松江区九亭镇人民政府'].join('\n'));
    const r = await ingest([file], dir);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/1 measures, 1 warning\n/);
    expect(r.out).toMatch(/warning \(line 4\): unknown agency "上海市松江区九亭镇人民政府"/);
  });

  it.each([
    ['a file that does not exist', (d: string) => join(d, 'missing.txt'), /ENOENT|no such file/],
    ['an empty file', (d: string) => (writeFileSync(join(d, 'e.txt'), ''), join(d, 'e.txt')), /e\.txt: the file is empty/],
    [
      'a file with no measures',
      (d: string) => (writeFileSync(join(d, 'n.txt'), '只有一段文字。'), join(d, 'n.txt')),
      /n\.txt: no measures found/,
    ],
  ])('fails on %s, with a message, writing nothing', async (_name, make, message) => {
    const dir = tempDir();
    const r = await ingest([seedPath, make(dir)], dir);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
    expect(r.err).toMatch(/nothing was written/);
    expect(existsSync(join(dir, 'entries.json'))).toBe(false);
  });

  it('--strict refuses a bulletin with warnings and writes nothing; without it the same file goes in', async () => {
    const dir = tempDir();
    const file = join(dir, 'b.txt');
    writeFileSync(file, ['简报 2020年', '', '3月1日', '甲', '来源：上海市公安局', '13月5日', '乙', '来源：上海市公安局'].join('\n'));
    const strict = await ingest([file, '--strict'], dir);
    expect(strict.code).toBe(1);
    expect(strict.err).toMatch(
      /--strict: refused because of warnings\nb\.txt: 1 measures, \d+ warnings?\n {2}warning \(line 6\): "13月5日" looks like a date/,
    );
    expect(strict.err).toMatch(/nothing was written/);
    expect(existsSync(join(dir, 'entries.json'))).toBe(false);
    expect((await ingest([file], dir)).code).toBe(0);
  });

  it('reads .docx, .html, GB18030 and UTF-16 files from the corpus', async () => {
    const dir = tempDir();
    const files = ['08-gb18030-notepad.txt', '09-utf16-wordpad.txt', '11-wechat-article.html', '12-gov-site-page.htm'].map((n) =>
      join(CORPUS_DIR, n),
    );
    const docx = join(dir, 'w.docx');
    writeFileSync(docx, readCorpus().find((c) => c.name.endsWith('.docx'))!.bytes);
    const r = await ingest([...files, docx, '--json'], dir);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as { files: { entries: unknown[]; warnings: unknown[] }[] };
    expect(out.files.map((f) => f.entries.length)).toEqual([4, 3, 3, 3, 5]);
    // The Word report ends with a slogan after its last measure: said once, with its line.
    expect(out.files.map((f) => f.warnings.length)).toEqual([0, 0, 0, 0, 1]);
    expect(JSON.stringify(out.files[4]!.warnings)).toContain('after the last measure');
  });

  it('seed → newer → seed again: nothing changes, the seed is reported older; --force applies it', async () => {
    const dir = tempDir();
    const newer = join(dir, 'series-3.txt');
    writeFileSync(
      newer,
      seedText
        .replace('(系列二：截止至3月26日)', '(系列三：截止至4月10日)')
        .replace(/(云路演助力本市康复辅具企业复工复产\n\n)[^\n]+/, '$1更正后的正文。'),
    );
    expect((await ingest([seedPath], dir)).code).toBe(0);
    expect((await ingest([newer], dir)).out).toMatch(/0 new, 18 unchanged, 1 corrected/);
    const before = readFileSync(join(dir, 'entries.json'), 'utf8');
    const again = await ingest([seedPath], dir);
    expect(again.out).toMatch(/0 new, 18 unchanged, 0 corrected, 1 older \(not applied/);
    expect(again.out).toMatch(/= older, kept as is: 2020-03-06 上海市民政局 云路演助力本市康复辅具企业复工复产/);
    const after = JSON.parse(readFileSync(join(dir, 'entries.json'), 'utf8')) as { entries: { title: string; body: string[] }[] };
    expect(after.entries.find((e) => e.title.startsWith('云路演'))!.body).toEqual(['更正后的正文。']);
    expect((JSON.parse(before) as { seq: number }).seq).toBe((after as unknown as { seq: number }).seq);
    const json = JSON.parse((await ingest([seedPath, '--dry-run', '--json'], dir)).out) as {
      result: { older: number; olderIds: string[] };
    };
    expect(json.result.older).toBe(1);
    expect((await ingest([seedPath, '--force'], dir)).out).toMatch(/1 corrected/);
  });

  it('refuses a corrupt store without touching it', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'entries.json'), '{oops');
    const r = await ingest([seedPath], dir);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/entries\.json.*not valid JSON/);
    expect(readFileSync(join(dir, 'entries.json'), 'utf8')).toBe('{oops');
  });

  it.each([[['--year', '20']], [[]], [['--bogus']]])('rejects bad arguments %j with usage', async (args) => {
    const r = await ingest([...args], tempDir());
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/usage|--year/);
  });

  it('refuses to write while the bot holds the DATA_DIR, and writes nothing', async () => {
    const dir = tempDir();
    const { acquireLock } = await import('../../src/infra/instance-lock.ts');
    const lock = await acquireLock(dir, { purpose: 'bot', releaseOnExit: false });
    try {
      const r = await ingest([seedPath], dir);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/running on this DATA_DIR/);
      expect(existsSync(join(dir, 'entries.json'))).toBe(false);
      // A dry run only reads: allowed beside the bot.
      expect((await ingest([seedPath, '--dry-run'], dir)).code).toBe(0);
    } finally {
      await lock.release();
    }
    expect((await ingest([seedPath], dir)).code).toBe(0);
  });

  it('--year overrides the stated year', async () => {
    const r = await ingest([seedPath, '--dry-run', '--json', '--year', '2021'], tempDir());
    expect((JSON.parse(r.out) as { entries: { date: string }[] }).entries[0]!.date).toBe('2021-02-04');
  });

  it('runs as the README says, through npm', () => {
    const dir = tempDir();
    const out = execFileSync('npm', ['run', '--silent', 'ingest', '--', seedPath, '--dry-run', '--json'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, DATA_DIR: dir },
      encoding: 'utf8',
    });
    expect((JSON.parse(out) as { entries: unknown[] }).entries).toHaveLength(19);
    expect(seedText.length).toBeGreaterThan(0);
  });
});
