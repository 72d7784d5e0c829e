/**
 * No rollback: a bulletin older (by as-of date) than the one a measure's text came from does not replace
 * that text; it is reported as `older`, and --force applies it. Every bulletin that carried a measure is
 * recorded on it, and the full view names the newest.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ParsedBulletin } from '../../src/core/model.ts';
import { parseBulletin } from '../../src/core/parse-bulletin.ts';
import { renderEntryFull } from '../../src/core/format/entry.ts';
import { messages } from '../../src/i18n/index.ts';
import { createMemoryEntryStore, openEntryStore } from '../../src/store/entry-store.ts';
import { parseSeed, seedText, shippedAgencies } from '../helpers/seed.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const agencies = shippedAgencies();
const tempDir = useTempDir();
const FIXED_TITLE = '云路演助力本市康复辅具企业复工复产';
const FIXED_BODY = '市民政局指导康复辅具产业服务促进中心举办云路演，已有32家企业参加。';

/** 系列三, as of 4月10日: the seed's measures renumbered, one body corrected, one measure new. */
function newer(): ParsedBulletin {
  let n = 0;
  const text = seedText
    .replace('(系列二：截止至3月26日)', '(系列三：截止至4月10日)')
    .replace(/(云路演助力本市康复辅具企业复工复产\n\n)[^\n]+/, `$1${FIXED_BODY}`)
    .replace(/^(\d{1,2}月\d{1,2}日\n\n)(?!来源)([^\n]+)/gm, (_m, date: string, title: string) => `${date}${++n}. ${title}`)
    .replace('**严而又严', '4月8日\n\n公证机构开通涉企“云公证”服务\n\n来源：上海市司法局\n\n**严而又严');
  return parseBulletin(text, { file: '2020-04-11-series-3.txt', agencies });
}

describe('re-ingesting an older bulletin', () => {
  it('a renumbered re-issue maps onto the same measures', () => {
    const seedIds = parseSeed().entries.map((e) => e.id);
    const later = newer();
    expect(later.entries.filter((e) => seedIds.includes(e.id))).toHaveLength(19);
    expect(later.entries.find((e) => e.title === FIXED_TITLE)!.id).toBe(parseSeed().entries.find((e) => e.title === FIXED_TITLE)!.id);
  });

  it('seed → newer → seed again changes nothing and reports older', async () => {
    const file = join(tempDir(), 'entries.json');
    const store = await openEntryStore(file);
    const seed = parseSeed();
    const later = newer();
    expect(store.apply(seed)).toMatchObject({ added: 19, older: 0 });
    // Written before the next bulletin: the rows it carries again change in place afterwards (their seenIn).
    await store.flush();
    expect(store.apply(later)).toMatchObject({ added: 1, corrected: 1, unchanged: 18, older: 0 });
    await store.flush();
    expect((await openEntryStore(file)).get(seed.entries[0]!.id)!.seenIn).toEqual([seed.bulletin.id, later.bulletin.id]);
    const seqBefore = store.seq();
    const textBefore = store.all().map((e) => [e.id, e.title, e.body.join('|'), e.seq]);

    const plan = store.plan(seed);
    expect(plan).toMatchObject({ added: 0, corrected: 0, unchanged: 18, older: 1 });
    const again = store.apply(seed);
    expect(again).toEqual(plan);
    const fixedId = again.olderIds[0]!;
    expect(store.get(fixedId)!.body).toEqual([FIXED_BODY]);
    expect(store.seq()).toBe(seqBefore);
    expect(store.all().map((e) => [e.id, e.title, e.body.join('|'), e.seq])).toEqual(textBefore);

    // Every bulletin that carried a measure, recorded (and written to the file).
    expect(store.get(fixedId)!.seenIn).toEqual([seed.bulletin.id, later.bulletin.id]);
    expect(store.get(fixedId)!.textFrom).toBe(later.bulletin.id);
    await store.flush();
    const reopened = await openEntryStore(file);
    expect(reopened.get(fixedId)).toMatchObject({
      seenIn: [seed.bulletin.id, later.bulletin.id],
      textFrom: later.bulletin.id,
      body: [FIXED_BODY],
    });
    expect(reopened.plan(seed)).toMatchObject({ older: 1, corrected: 0 });
  });

  it('--force applies the older text', () => {
    const store = createMemoryEntryStore();
    const seed = parseSeed();
    store.apply(seed);
    store.apply(newer());
    const r = store.apply(seed, new Date(), { force: true });
    expect(r).toMatchObject({ corrected: 1, older: 0 });
    const e = store.get(r.correctedIds[0]!)!;
    expect(e.body).not.toEqual([FIXED_BODY]);
    expect(e.textFrom).toBeUndefined();
  });

  it('a bulletin without an as-of date cannot be ordered: it corrects as before', () => {
    const store = createMemoryEntryStore();
    store.apply(newer());
    const undated = parseBulletin(seedText.replace('(系列二：截止至3月26日)', ''), { file: 'undated-2020-03-27.txt', agencies });
    expect(undated.bulletin.asOf).toBeNull();
    expect(store.plan(undated)).toMatchObject({ corrected: 1, older: 0 });
  });

  it('the full view names the newest bulletin that carried the measure', () => {
    const store = createMemoryEntryStore();
    const seed = parseSeed();
    store.apply(seed);
    store.apply(newer());
    store.apply(seed);
    const id = seed.entries.find((e) => e.title.startsWith('沪外国人'))!.id;
    const e = store.get(id)!;
    expect(e.seenIn).toHaveLength(2);
    const zh = renderEntryFull(e, messages('zh'), { bulletins: store.bulletins() });
    expect(zh).toContain('<i>来源：上海市科学技术委员会 · 见于 系列三（截止至4月10日）</i>');
    expect(renderEntryFull(e, messages('en'), { bulletins: store.bulletins() })).toContain('in series 3 (as of 2020-04-10)');
    // Measures only in the first bulletin name it.
    const only = createMemoryEntryStore();
    only.apply(seed);
    expect(renderEntryFull(only.get(id)!, messages('zh'), { bulletins: only.bulletins() })).toContain('见于 系列二（截止至3月26日）');
  });
});
