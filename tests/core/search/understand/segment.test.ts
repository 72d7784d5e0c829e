import { describe, expect, it } from 'vitest';
import { createQueryUnderstanding } from '../../../../src/core/search/understand/index.ts';
import { createSegmenter, fallbackSegmenter, trimDictionary } from '../../../../src/core/search/understand/segment.ts';
import { shippedAgencies } from '../../../helpers/seed.ts';
import { seedEntries } from '../../../../bench/quality.ts';
import { shippedWordTables } from '../../../../src/store/word-tables.ts';

const taught = () => {
  const u = createQueryUnderstanding({ tables: shippedWordTables() });
  u.learn(shippedAgencies(), seedEntries());
  return u;
};

describe('segmentation with the store taught', () => {
  const u = taught();
  it('uses jieba here', () => expect(u.segmenter.kind).toBe('jieba'));
  it.each([
    ['复工复产', ['复工复产']],
    ['不见面审批', ['不见面', '审批']],
    ['云选会岗位', ['云选会', '岗位']],
    ['行政复议申请', ['行政复议', '申请']],
    ['市科委最近发布了什么', ['市科委', '最近', '发布', '了', '什么']],
    ['外籍人才签证', ['外籍', '人才', '签证']],
    ['公安交警事故处理', ['公安交警', '事故', '处理']],
  ])('%s → %j', (text, words) => {
    expect(u.segmenter.cut(text)).toEqual(words);
  });
});

describe('trimDictionary', () => {
  it('keeps lines whose frequency reaches the minimum, byte for byte', () => {
    const dict = Buffer.from('复工 12 v\n岗位 2321 n\n外籍 305 n\n求贤 19 v\n');
    const trimmed = trimDictionary(dict, 30);
    expect(Buffer.from(trimmed).toString('utf8')).toBe('岗位 2321 n\n外籍 305 n\n');
    // In place: the front of the same memory, no copy of the whole dictionary.
    expect(trimmed.buffer).toBe(dict.buffer);
    expect(trimmed.byteOffset).toBe(dict.byteOffset);
    expect(trimDictionary(dict, 1)).toBe(dict);
  });
});

describe('a segmenter that cannot load', () => {
  it('falls back with one warning, never throws, and still plans queries', () => {
    const warnings: string[] = [];
    const u = createQueryUnderstanding({
      tables: shippedWordTables(),
      load: () => {
        throw new Error('Cannot find module @node-rs/jieba-linux-riscv64-gnu');
      },
      warn: (m) => warnings.push(m),
    });
    u.learn(shippedAgencies(), seedEntries());
    expect(u.segmenter.kind).toBe('fallback');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/segmenter unavailable \(Cannot find module/);
    const p = u.plan('市科委最近发布了什么');
    expect(p).toMatchObject({ ok: true, plan: { agency: '上海市科学技术委员会', latest: true, words: [] } });
    const q = u.plan('浦东警方复产');
    expect(q.ok && q.plan.agency).toBe('上海市公安局');
  });

  it('counts a loader returning something unusable as a failure too', () => {
    const warnings: string[] = [];
    const s = createSegmenter({ load: () => ({ cut: () => 'nope' as unknown as string[], loadDict() {} }), warn: (m) => warnings.push(m) });
    expect(s.kind).toBe('fallback');
    expect(warnings).toHaveLength(1);
  });

  it.each([
    ['复工复产措施', ['复工复产', '措施']],
    ['浦东警方复产', ['浦东', '警方', '复产']],
    ['张江企业复产', ['张江企业', '复产']],
    ['abc复工', ['abc', '复工']],
  ])('the fallback splits %s into taught words and whole runs: %j', (text, words) => {
    const s = fallbackSegmenter();
    s.addWords(['复工复产', '措施', '警方', '复产', '浦东', '复工']);
    expect(s.cut(text)).toEqual(words);
  });
});
