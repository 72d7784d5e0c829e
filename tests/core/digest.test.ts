import { describe, expect, it } from 'vitest';
import { composeDigest, composeDigestParts, selectForDigest } from '../../src/core/digest.ts';
import { TELEGRAM_TEXT_LIMIT, visibleLength } from '../../src/core/html.ts';
import type { StoredEntry } from '../../src/core/model.ts';
import { en } from '../../src/i18n/en.ts';
import { zh } from '../../src/i18n/zh.ts';
import { bulletinOf, entry, entryStoreWith } from '../helpers/digest.ts';
import { shippedAgencies } from '../helpers/seed.ts';

const agencies = shippedAgencies();
const POLICE = '上海市公安局';
const SCIENCE = '上海市科学技术委员会';
const CIVIL = '上海市民政局';

function stored(...parts: Parameters<typeof entry>[0][]): StoredEntry[] {
  return [...entryStoreWith(...parts.map((p) => entry(p))).all()];
}

describe('selectForDigest', () => {
  const all = stored(
    { agency: POLICE, title: '交警 复工 通行证', body: ['办理通行证。'] },
    { agency: SCIENCE, title: '科技企业支持', body: ['ＡＢＣ 基金 申报'] },
    { agency: CIVIL, title: '社会组织', body: ['无关'], bullets: ['行业协会帮助企业复工'] },
    // The bulletin's own spelling of the agency, not the canonical one.
    { agency: '上海市公安局交通警察总队', title: '交通措施', body: ['道路'] },
  );

  it('keeps everything without filters', () => {
    expect(selectForDigest(all, { agencies: [], keywords: [] }, agencies)).toHaveLength(4);
  });

  it('filters by canonical agency, also for entries naming a sub-unit', () => {
    const police = agencies.resolve('警方')!;
    expect(police).toBe(POLICE);
    const got = selectForDigest(all, { agencies: [police], keywords: [] }, agencies);
    expect(got.map((e) => e.title)).toEqual(['交警 复工 通行证', '交通措施']);
  });

  it('matches ANY keyword in title, body or bullets, NFKC and case folded', () => {
    expect(selectForDigest(all, { agencies: [], keywords: ['复工'] }, agencies).map((e) => e.agency)).toEqual([POLICE, CIVIL]);
    expect(selectForDigest(all, { agencies: [], keywords: ['abc', '道路'] }, agencies).map((e) => e.title)).toEqual([
      '科技企业支持',
      '交通措施',
    ]);
    expect(selectForDigest(all, { agencies: [], keywords: ['不存在'] }, agencies)).toEqual([]);
  });

  it('a keyword of several words (a topic typed run together) needs all of them, anywhere in the measure', () => {
    expect(selectForDigest(all, { agencies: [], keywords: ['企业 复工'] }, agencies).map((e) => e.agency)).toEqual([CIVIL]);
    expect(selectForDigest(all, { agencies: [], keywords: ['复工 通行证', '基金 申报'] }, agencies).map((e) => e.agency)).toEqual([
      POLICE,
      SCIENCE,
    ]);
    expect(selectForDigest(all, { agencies: [], keywords: ['复工 基金'] }, agencies)).toEqual([]);
  });

  it.each([
    ['复工', '複工'],
    ['复工', '復工'],
    ['複工', '复工'],
    ['#复工', '复工'],
    ['“复产”', '復產'],
    ['签证', '簽證'],
    ['ｃｏｖｉｄ', 'COVID'],
  ])('a subscription to %s catches %s in a later bulletin (folded as search folds)', (keyword, written) => {
    const later = stored(
      { agency: POLICE, title: `关于${written}的通知`, body: ['正文'] },
      { agency: POLICE, title: '无关的通知', body: ['正文'] },
    );
    expect(selectForDigest(later, { agencies: [], keywords: [keyword] }, agencies).map((e) => e.title)).toEqual([`关于${written}的通知`]);
  });

  it('requires both an agency and a keyword when both are given', () => {
    expect(selectForDigest(all, { agencies: [POLICE], keywords: ['复工'] }, agencies).map((e) => e.title)).toEqual(['交警 复工 通行证']);
  });
});

describe('composeDigest', () => {
  it('has a header with date and count, groups by agency in directory order, newest first, corrections marked', () => {
    const store = entryStoreWith(
      entry({ id: 'p-old', agency: POLICE, date: '2020-03-01', title: '旧的公安措施' }),
      entry({ id: 's1', agency: SCIENCE, date: '2020-03-05', title: '科委措施' }),
      entry({ id: 'p-new', agency: POLICE, date: '2020-03-20', title: '新的公安措施' }),
    );
    store.apply(bulletinOf([entry({ id: 's1', agency: SCIENCE, date: '2020-03-05', title: '科委措施', body: ['改过的正文'] })]));
    const msgs = composeDigest(store.since(0), { date: '2020-03-27', m: zh, agencyOrder: agencies.names() });
    expect(msgs).toHaveLength(1);
    const text = msgs[0]!;
    expect(text.startsWith('<b>📰 每日摘要 · 2020-03-27</b>\n共 3 条')).toBe(true);
    // Directory order: 科委 before 公安, whatever the order of the changes.
    expect(text.indexOf('科委措施')).toBeLessThan(text.indexOf('新的公安措施'));
    expect(text.indexOf('新的公安措施')).toBeLessThan(text.indexOf('旧的公安措施'));
    expect(text).toContain(`<b>🏛 ${POLICE}</b>（2）`);
    expect(text).toMatch(/科委措施<\/b> <i>\[更正\]<\/i>/);
    expect(text).not.toMatch(/公安措施<\/b> <i>\[更正\]/);
  });

  it('escapes bulletin text', () => {
    const [msg] = composeDigest(stored({ agency: 'A&B <局>', title: '<script>标题</script>', body: ['a < b & c'] }), {
      date: '2020-03-27',
      m: en,
    });
    expect(msg).toContain('&lt;script&gt;标题&lt;/script&gt;');
    expect(msg).toContain('A&amp;B &lt;局&gt;');
    expect(msg).toContain('a &lt; b &amp; c');
    expect(msg).not.toContain('<script>');
  });

  it('is empty for nothing new, unless the chat asked for a note', () => {
    expect(composeDigest([], { date: '2020-03-27', m: zh })).toEqual([]);
    expect(composeDigest([], { date: '2020-03-27', m: zh, notifyEmpty: true })).toEqual(['📰 2020-03-27：今天没有新措施。']);
    expect(composeDigest([], { date: '2020-03-27', m: en, notifyEmpty: true })).toEqual(['📰 2020-03-27: nothing new today.']);
  });

  it('splits 60 long entries on entry boundaries, each message under 4096 visible characters with (i/n) markers', () => {
    const long = '很长的正文，'.repeat(80);
    const parts = Array.from({ length: 60 }, (_, i) => ({
      id: `long-${i}`,
      agency: i % 2 ? POLICE : SCIENCE,
      date: `2020-03-${String((i % 28) + 1).padStart(2, '0')}`,
      title: `第${i}条 ${'长标题'.repeat(20)}`,
      body: [long],
      bullets: ['要点一 '.repeat(10)],
    }));
    const entries = stored(...parts);
    const msgs = composeDigest(entries, { date: '2020-03-28', m: zh, agencyOrder: agencies.names() });
    expect(msgs.length).toBeGreaterThan(2);
    msgs.forEach((msg, i) => {
      expect(visibleLength(msg)).toBeLessThan(TELEGRAM_TEXT_LIMIT);
      expect(msg.endsWith(`<i>(${i + 1}/${msgs.length})</i>`)).toBe(true);
    });
    // Every entry appears exactly once and whole: no title cut across messages.
    for (let i = 0; i < 60; i++) {
      const holders = msgs.filter((m) => m.includes(`第${i}条 `));
      expect(holders, `entry ${i}`).toHaveLength(1);
    }
    // A message opening inside a group repeats the agency heading.
    for (const msg of msgs.slice(1)) expect(msg.startsWith('<b>🏛 ')).toBe(true);
    // Only the first message carries the digest header.
    expect(msgs.filter((m) => m.includes('每日摘要'))).toHaveLength(1);
  });
});

describe('composeDigestParts', () => {
  it('tells which entries each message carries: every entry in exactly one message, the html as composeDigest', () => {
    const many = stored(
      ...Array.from({ length: 60 }, (_, i) => ({
        agency: i % 2 ? POLICE : SCIENCE,
        title: `第${i}条 ${'长标题'.repeat(20)}`,
        body: ['正文'.repeat(200)],
      })),
    );
    const parts = composeDigestParts(many, { date: '2024-01-15', m: zh, agencyOrder: agencies.names() });
    expect(parts.map((p) => p.html)).toEqual(composeDigest(many, { date: '2024-01-15', m: zh, agencyOrder: agencies.names() }));
    expect(parts.length).toBeGreaterThan(2);
    expect(parts.flatMap((p) => p.entryIds).sort()).toEqual(many.map((e) => e.id).sort());
    for (const p of parts) for (const id of p.entryIds) expect(p.html).toContain(`${many.find((e) => e.id === id)!.title.split(' ')[0]} `);
  });
});
