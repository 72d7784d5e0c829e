/**
 * The labelled corpus (tests/fixtures/bulletins/): copies written by hand the way editors get bulletins —
 * WeChat, web pages, Word, Markdown, tables, GB18030, UTF-16, .docx, .html — each with every measure
 * expected. Goals: every measure exactly right (agency, date, title), none spurious, none dropped without
 * a warning. The per-file score is printed (and summarised in BENCHMARKS.md).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readCorpus, scoreFile, scoreLine } from '../helpers/corpus.ts';
import type { FileScore } from '../helpers/corpus.ts';
import { shippedAgencies } from '../helpers/seed.ts';

const agencies = shippedAgencies();
const corpus = readCorpus();
const scores: FileScore[] = [];

describe('bulletin corpus', () => {
  it('holds at least 15 files in all the kinds editors send', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(15);
    const names = corpus.map((c) => c.name).join(' ');
    for (const kind of ['wechat', 'web', 'word', '.md', 'table', 'gb18030', 'utf16', '.docx', '.html']) expect(names, kind).toContain(kind);
  });

  it.each(corpus.map((c) => [c.name, c] as const))('%s', async (_name, file) => {
    const { parsed: _parsed, ...score } = await scoreFile(file, agencies);
    scores.push(score);
    expect(score.error).toBeUndefined();
    expect(score.dropped).toEqual([]);
    expect(score.spurious).toEqual([]);
    expect(score.exact).toBe(score.expected);
    expect(score.unexpectedWarnings).toEqual([]);
    expect(score.missingWarnings).toEqual([]);
    if (file.expected.asOf) expect(score.asOf).toBe(file.expected.asOf);
  });

  afterAll(() => {
    const total = scores.reduce((n, s) => n + s.expected, 0);
    const exact = scores.reduce((n, s) => n + s.exact, 0);
    const spurious = scores.reduce((n, s) => n + s.spurious.length, 0);
    const silent = scores.reduce((n, s) => n + s.droppedSilently.length, 0);
    console.log(
      [
        ...scores.map(scoreLine),
        `TOTAL ${exact}/${total} exact, ${spurious} spurious, ${silent} dropped silently, ${scores.length} files`,
      ].join('\n'),
    );
  });
});
