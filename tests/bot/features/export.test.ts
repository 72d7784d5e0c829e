/** /export and the 📥 button: an .xlsx and a BOM'd .csv of the matching measures, named by query and day. */
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { MAX_EXPORT_ROWS } from '../../../src/core/export/measures-table.ts';
import type { ApiCall } from '../../helpers/bot-harness.ts';
import { buttons, createTestBot, texts } from '../../helpers/bot-harness.ts';
import { parseCsv } from '../../helpers/csv.ts';
import { bulletinOf, entry } from '../../helpers/digest.ts';
import { createMemoryEntryStore } from '../../../src/store/entry-store.ts';

const docs = (calls: ApiCall[]) => calls.filter((c) => c.method === 'sendDocument');
const bytes = (call: ApiCall) => Buffer.from(call.payload.document.source as Uint8Array);

async function sheetRows(call: ApiCall): Promise<unknown[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes(call) as unknown as ExcelJS.Buffer);
  const ws = wb.worksheets[0]!;
  const out: unknown[][] = [];
  ws.eachRow((row) => out.push((row.values as unknown[]).slice(1)));
  return out;
}

describe('/export', () => {
  it('sends the matching measures as .xlsx and .csv with the same rows; names say the query and day', async () => {
    const t = createTestBot();
    const calls = await t.send('/export 复工 3月20日以后');
    const [xlsx, csv] = docs(calls);
    expect(xlsx!.payload.document.filename).toBe('措施_复工_from_2020-03-20_2026-11-28.xlsx');
    expect(csv!.payload.document.filename).toBe('措施_复工_from_2020-03-20_2026-11-28.csv');
    const { total, hits } = t.catalog.search(['复工'], { dateFrom: '2020-03-20', limit: 1000 });
    expect(total).toBeGreaterThan(0);
    expect(String(xlsx!.payload.caption)).toContain(`${total} 条措施`);
    const rows = await sheetRows(xlsx!);
    expect(rows[0]).toEqual(['日期', '部门', '标题', '正文', '来源', '简报']);
    expect(
      rows
        .slice(1)
        .map((r) => r[2])
        .sort(),
    ).toEqual(hits.map((e) => e.title).sort());
    expect(rows.slice(1).every((r) => String(r[0]) >= '2020-03-20')).toBe(true);
    // The bulletin column names the bulletin, not its hash.
    expect(String(rows[1]![5])).toContain('上海企业复工复产复市进行时');
    const text = bytes(csv!).toString('utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    expect(parseCsv(text.slice(1))).toEqual(rows.map((r) => r.map(String)));
  });

  it('at most 1,000 rows, and the caption says how many there were', async () => {
    const entries = createMemoryEntryStore();
    entries.apply(
      bulletinOf(Array.from({ length: 1005 }, (_, i) => entry({ title: `导出测试 ${i}`, date: `2020-0${1 + (i % 9)}-1${i % 10}` }))),
    );
    const t = createTestBot({ entries });
    const calls = await t.send('/export 导出测试');
    const rows = await sheetRows(docs(calls)[0]!);
    expect(rows).toHaveLength(MAX_EXPORT_ROWS + 1);
    expect(String(docs(calls)[0]!.payload.caption)).toContain('共 1005 条，导出了前 1000 条');
  });

  it('nothing to export says so; a second export within seconds is refused', async () => {
    const t = createTestBot();
    expect(texts(await t.send('/export 不存在的词语'))[0]).toContain('没有可以导出的措施');
    expect(docs(await t.send('/export 复工'))).toHaveLength(2);
    expect(texts(await t.send('/export 复工'))[0]).toContain('导出太频繁');
    t.advance(11_000);
    expect(docs(await t.send('/export 复工'))).toHaveLength(2);
  });

  it('the 📥 button under search results exports that search', async () => {
    const t = createTestBot();
    const search = await t.send('/search 公安 最新', { userId: 77 });
    const x = buttons(search[0]).find((b) => b.callback_data.startsWith('x:'))!;
    expect(x.text).toContain('导出');
    const calls = await t.press(x.callback_data, { userId: 77 });
    expect(calls.find((c) => c.method === 'answerCallbackQuery')).toBeDefined();
    const rows = await sheetRows(docs(calls)[0]!);
    // 公安 names the agency: its measures, newest first.
    const { total } = t.catalog.search([], { agency: '上海市公安局' });
    expect(rows).toHaveLength(total + 1);
    // Newest first, as the search was.
    const dates = rows.slice(1).map((r) => String(r[0]));
    expect(dates).toEqual([...dates].sort().reverse());
  });

  describe('the search understanding: a file holds what the results said', () => {
    const titlesOf = async (calls: ApiCall[]) => (await sheetRows(docs(calls)[0]!)).slice(1).map((r) => String(r[2]));
    const shownTitles = (calls: ApiCall[]) =>
      buttons(calls[0])
        .filter((b) => b.callback_data.startsWith('e:'))
        .map((b) => b.text.replace(/^\d+\. /, ''));

    it.each([
      // run together with an agency; near words only; traditional characters; a question; English
      ['浦东警方复产'],
      ['律师'],
      ['復產'],
      ['外国人签证延期怎么办理？'],
      ['visa extension'],
    ])('/export %s exports the measures /search %s shows, in its order', async (query) => {
      const t = createTestBot();
      const search = await t.send(`/search ${query}`, { userId: 5 });
      const shown = shownTitles(search);
      expect(shown.length).toBeGreaterThan(0);
      const exported = await titlesOf(await t.send(`/export ${query}`, { userId: 6 }));
      // Page one's titles (buttons cut long ones) lead the file.
      expect(exported.length).toBeGreaterThanOrEqual(shown.length);
      shown.forEach((label, i) => expect(exported[i]!.startsWith(label.replace(/…$/, ''))).toBe(true));
      // And the 📥 under the results gives the same file.
      const x = buttons(search[0]).find((b) => b.callback_data.startsWith('x:'))!;
      expect(await titlesOf(await t.press(x.callback_data, { userId: 5 }))).toEqual(exported);
    });

    it('partial matches are exported under the header that says so', async () => {
      const t = createTestBot();
      const calls = await t.send('/export 复工 外卖');
      const caption = String(docs(calls)[0]!.payload.caption);
      expect(caption).toContain('没有同时包含');
      expect(caption).toContain('外卖');
      const rows = await titlesOf(calls);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((title) => !title.includes('外卖'))).toBe(true);
    });

    it('dates no measure with the words falls in are dropped, as /search drops them, and the caption says so', async () => {
      const t = createTestBot();
      const calls = await t.send('/export 今年 复工');
      expect(String(docs(calls)[0]!.payload.caption)).toMatch(
        /^📅 \d{4}-01-01 – \d{4}-12-31 没有相关措施，以下不限日期。\n📥 复工：\d+ 条措施/,
      );
      expect(docs(calls)[0]!.payload.document.filename).toMatch(/^措施_复工_\d{4}-\d\d-\d\d\.xlsx$/);
    });

    it('the 📥 under a page served from the cache exports what that page showed', async () => {
      const t = createTestBot();
      // A page is cached from its second request on; the third is served from the cache.
      for (const user of [1, 2]) await t.send('/search 今年 复工', { userId: user });
      const third = await t.send('/search 今年 复工', { userId: 3 });
      expect(texts(third)[0]).toContain('以下不限日期');
      const x = buttons(third[0]).find((b) => b.callback_data.startsWith('x:'))!;
      const calls = await t.press(x.callback_data, { userId: 3 });
      expect(docs(calls)).toHaveLength(2);
      expect((await sheetRows(docs(calls)[0]!)).length).toBeGreaterThan(1);
    });

    it('an agency is named as typed (交警), not as the whole bureau', async () => {
      const t = createTestBot();
      const calls = await t.send('/export 交警');
      expect(docs(calls)[0]!.payload.document.filename).toMatch(/^措施_交警_/);
      expect(String(docs(calls)[0]!.payload.caption)).toMatch(/^📥 交警：\d+ 条措施/);
    });

    it('nothing searchable (emoji, punctuation) is refused as /search refuses it', async () => {
      const t = createTestBot();
      const calls = await t.send('/export 🔥🔥');
      expect(docs(calls)).toHaveLength(0);
      expect(texts(calls)[0]).toBe(texts(await t.send('/search 🔥🔥', { userId: 9 }))[0]);
    });

    it('only words without content get the search’s answer, not every measure', async () => {
      const t = createTestBot();
      const calls = await t.send('/export 的吗');
      expect(docs(calls)).toHaveLength(0);
      expect(texts(calls)[0]).toContain('没有可以搜索的词');
    });
  });
});
