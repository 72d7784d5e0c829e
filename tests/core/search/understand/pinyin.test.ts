import { describe, expect, it } from 'vitest';
import { seedEntries } from '../../../../bench/quality.ts';
import { createQueryUnderstanding } from '../../../../src/core/search/understand/index.ts';
import { PinyinIndex, loadPinyinPro } from '../../../../src/core/search/understand/pinyin.ts';
import { shippedWordTables } from '../../../../src/store/word-tables.ts';
import { shippedAgencies } from '../../../helpers/seed.ts';

describe('PinyinIndex', () => {
  const index = new PinyinIndex(
    [
      ['复工', 9],
      ['妇工', 1],
      ['行政执法', 2],
      ['履行', 1],
      ['外国人', 4],
    ],
    loadPinyinPro(),
  );
  it.each([
    ['fugong', '复工'], // of two words with that pinyin, the one more measures hold
    ['lvxing', '履行'], // ü typed as v
    ['waiguoren', '外国人'],
    ['xzzf', '行政执法'], // initials, three letters or more, no vowel
    ['fg', null], // two initials say too little
    ['work', null],
    ['fu', null], // one syllable is no word of the vocabulary
    ['f0', null],
  ])('%s → %s', (latin, word) => {
    expect(index.lookup(latin)).toBe(word);
  });
});

describe('PinyinIndex: a stretch of the titles no known word spells', () => {
  const index = new PinyinIndex([['复工', 3]], loadPinyinPro(), ['浦东警方为张江企业顺利复产', '张江园区疫情防控', '银行业保险业']);
  it.each([
    ['zhangjiang', '张江'], // a place no dictionary word names: the stretch most titles hold
    ['zhangjiangyuanqu', '张江园区'],
    ['yinhangye', '银行业'], // 行 read hang here, though xing is its commoner reading
    ['hello', null], // not syllables the titles use
    ['telegram', null],
    ['fugong', '复工'], // the vocabulary first
  ])('%s → %s', (latin, word) => {
    expect(index.lookup(latin)).toBe(word);
  });
});

describe('pinyin in queries and requests', () => {
  const u = createQueryUnderstanding({ tables: shippedWordTables() });
  u.learn(shippedAgencies(), seedEntries());
  const words = (q: string) => {
    const p = u.plan(q);
    return p.ok ? { words: p.plan.words.map((w) => w.text), agency: p.plan.agency } : p.reason;
  };
  it.each([
    // Words typed apart that spell one known word together are that word.
    ['fugong fuchan', ['复工复产'], null],
    ['xingzheng fuyi', ['行政复议'], null],
    ['fgfc', ['复工复产'], null],
    ['yunxuanhui', ['云选会'], null],
    ['waiguoren gongzuo xuke', ['外国人', '工作', '许可'], null],
    // An agency's alias spelt in pinyin is the agency.
    ['gongan qianzheng', ['签证'], '上海市公安局'],
    ['minzheng hangye xiehui', ['行业协会'], '上海市民政局'],
    ['sifa falv fuwu', ['法律服务'], '上海市司法局'],
    // Places and names in the titles, segmented as typed characters would be (警方 is the police).
    ['zhangjiang qiye fugong', ['张江', '企业', '复工'], null],
    ['jingan jingfang', ['静安'], '上海市公安局'],
    // English stays English: near words (visa), aliases (police), stop words.
    ['police visa', ['visa'], '上海市公安局'],
  ])('%s → %j', (q, want, agency) => {
    expect(words(q)).toEqual({ words: want, agency });
  });

  it('a Latin word that spells no known word is searched as typed', () => {
    expect(words('zzzq telegram')).toEqual({ words: ['zzzq', 'telegram'], agency: null });
  });

  it('without pinyin (loader unavailable) Latin words stay as typed, with one warning', () => {
    const warnings: string[] = [];
    const v = createQueryUnderstanding({
      tables: shippedWordTables(),
      warn: (m) => warnings.push(m),
      pinyin: () => {
        throw new Error('module missing');
      },
    });
    v.learn(shippedAgencies(), seedEntries());
    const p1 = v.plan('fugong');
    v.plan('fuchan');
    expect(p1.ok && p1.plan.words.map((w) => w.text)).toEqual(['fugong']);
    expect(warnings.filter((w) => w.includes('pinyin'))).toHaveLength(1);
  });
});
