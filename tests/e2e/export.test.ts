/** /export over HTTP: telegraf uploads the two files as multipart; the emulator keeps their bytes. */
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { createBot } from '../../src/bot/create-bot.ts';
import { createCatalog } from '../../src/core/catalog.ts';
import { silentLog } from '../../src/infra/log.ts';
import { createMemoryEntryStore } from '../../src/store/entry-store.ts';
import { parseCsv } from '../helpers/csv.ts';
import { parseSeed, shippedAgencies } from '../helpers/seed.ts';
import { useEmulator } from '../helpers/use-emulator.ts';
import { SimulatedChat } from '../helpers/user-client.ts';

const env = useEmulator();

describe('/export over the local Bot API', () => {
  it('sends an .xlsx that exceljs opens with the matching rows, and a .csv that round-trips to the same rows', async () => {
    const entries = createMemoryEntryStore();
    entries.apply(parseSeed());
    const catalog = createCatalog(entries, shippedAgencies());
    const bot = createBot(
      {
        token: env.emulator.token,
        apiRoot: env.emulator.apiRoot,
        adminIds: [],
        timezone: 'Asia/Shanghai',
        digestTime: '09:00',
        searchRatePerMinute: 20,
      },
      { entries, catalog, log: silentLog, now: () => Date.parse('2026-11-28T08:00:00Z') },
    );
    await env.launch(bot);
    const user = new SimulatedChat(env.emulator, { userId: 950 });
    await user.send('/export 复工');
    const xlsxCall = await env.emulator.waitForCall('sendDocument', { chatId: 950, index: 0 });
    const csvCall = await env.emulator.waitForCall('sendDocument', { chatId: 950, index: 1 });
    const xlsx = xlsxCall.payload.document as { filename: string; bytes: Buffer };
    const csv = csvCall.payload.document as { filename: string; bytes: Buffer };
    expect(xlsx.filename).toBe('措施_复工_2026-11-28.xlsx');
    expect(csv.filename).toBe('措施_复工_2026-11-28.csv');

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.bytes as unknown as ExcelJS.Buffer);
    const rows: string[][] = [];
    wb.worksheets[0]!.eachRow((row) => rows.push((row.values as unknown[]).slice(1).map((v) => String(v ?? ''))));
    // 复工 is in more measures than a page of near words would add to: the index's own answer, in its order.
    const { total, hits } = catalog.search(['复工'], { limit: 1000 });
    expect(total).toBeGreaterThan(5);
    expect(rows).toHaveLength(total + 1);
    expect(rows.slice(1).map((r) => r[2])).toEqual(hits.map((e) => e.title));

    const text = csv.bytes.toString('utf8');
    expect(text.startsWith('\uFEFF')).toBe(true);
    expect(parseCsv(text.slice(1))).toEqual(rows);
  });
});
