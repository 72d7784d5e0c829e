import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Update } from 'telegraf/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPublishLog } from '../../../src/admin/publish-log.ts';
import type { PublishLog } from '../../../src/admin/publish-log.ts';
import { ADMIN_COMMANDS, PREVIEW_TTL_MS, renderExtraStats } from '../../../src/bot/features/admin.ts';
import { messages } from '../../../src/i18n/index.ts';
import { createMemoryEntryStore, openEntryStore } from '../../../src/store/entry-store.ts';
import type { EntryStore } from '../../../src/store/entry-store.ts';
import type { ApiCall, ChatOpts } from '../../helpers/bot-harness.ts';
import { assertValidTelegramHtml, buttons, createTestBot, texts } from '../../helpers/bot-harness.ts';
import { NEW_TITLES, NO_MEASURES, twoMeasures } from '../../helpers/bulletins.ts';
import { readCorpus } from '../../helpers/corpus.ts';
import { seedText } from '../../helpers/seed.ts';
import { useTempDir } from '../../helpers/temp-dir.ts';

const ADMIN = 7;
const USER = 8;
const zh = messages('zh');
const tempDir = useTempDir();

/** Serves uploaded files where telegraf's getFileLink points (apiRoot/file/bot<token>/<path>). */
let fileServer: http.Server;
let apiRoot: string;
let files: Map<string, Buffer>;
let downloads: string[];

beforeEach(async () => {
  files = new Map();
  downloads = [];
  fileServer = http.createServer((req, res) => {
    downloads.push(req.url ?? '');
    const id = /^\/file\/bot[^/]+\/documents\/(.+)$/.exec(req.url ?? '')?.[1];
    const bytes = id ? files.get(decodeURIComponent(id)) : undefined;
    if (!bytes) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(bytes);
  });
  await new Promise<void>((resolve) => fileServer.listen(0, '127.0.0.1', resolve));
  apiRoot = `http://127.0.0.1:${(fileServer.address() as AddressInfo).port}`;
});
afterEach(async () => {
  fileServer.closeAllConnections();
  await new Promise<void>((resolve) => fileServer.close(() => resolve()));
});

let fileNo = 0;

function setup(
  opts: { entries?: EntryStore; stats?: () => Promise<Record<string, unknown>> | Record<string, unknown>; publishLog?: PublishLog } = {},
) {
  const t = createTestBot({
    config: { adminIds: [ADMIN], apiRoot },
    entries: opts.entries,
    deps: { ...(opts.stats ? { stats: opts.stats } : {}), ...(opts.publishLog ? { publishLog: opts.publishLog } : {}) },
    api: (call: ApiCall) => {
      if (call.method !== 'getFile') return undefined;
      const id = String(call.payload.file_id);
      return { file_id: id, file_unique_id: `u-${id}`, file_size: files.get(id)?.length, file_path: `documents/${id}` };
    },
  });
  /** The user sends a document; its bytes become downloadable (file_size as Telegram would report it unless overridden). */
  const sendDocument = (
    fileName: string | undefined,
    bytes: Buffer | string,
    o: ChatOpts & { caption?: string; fileSize?: number | null } = {},
  ) => {
    const id = `f${++fileNo}`;
    const buf = Buffer.from(bytes);
    files.set(id, buf);
    const userId = o.userId ?? ADMIN;
    const chat =
      (o.chatType ?? 'private') === 'private'
        ? { id: userId, type: 'private', first_name: 'A' }
        : { id: -100123, type: o.chatType, title: 'G' };
    const size = o.fileSize === null ? {} : { file_size: o.fileSize ?? buf.length };
    return t.raw({
      message: {
        message_id: 1000 + fileNo,
        date: 0,
        chat,
        from: { id: userId, is_bot: false, first_name: 'A', language_code: o.lang ?? 'zh-hans' },
        document: {
          file_id: id,
          file_unique_id: `u-${id}`,
          ...(fileName ? { file_name: fileName } : {}),
          mime_type: 'text/plain',
          ...size,
        },
        ...(o.caption ? { caption: o.caption } : {}),
      },
    } as unknown as Omit<Update, 'update_id'>);
  };
  const press = (data: string, userId = ADMIN) => t.press(data, { userId });
  return { ...t, sendDocument, press };
}

const sent = (calls: ApiCall[]) => calls.filter((c) => c.method === 'sendMessage');
const cbAnswers = (calls: ApiCall[]) => calls.filter((c) => c.method === 'answerCallbackQuery').map((c) => c.payload);
const edits = (calls: ApiCall[]) => calls.filter((c) => c.method === 'editMessageText').map((c) => String(c.payload.text));
const button = (calls: ApiCall[], text: string) => {
  const b = buttons(sent(calls).at(-1)).find((x) => x.text === text);
  if (!b) throw new Error(`no button ${text} in ${JSON.stringify(calls.map((c) => c.payload))}`);
  return b.callback_data;
};

describe('admin publishes a bulletin from chat', () => {
  it('previews the seed with counts and buttons; Publish writes it and search finds it', async () => {
    const t = setup({ entries: createMemoryEntryStore() });
    const calls = await t.sendDocument('2020-03-26.txt', seedText);
    expect(calls.map((c) => c.method)).toEqual(['getFile', 'sendMessage']);
    expect(downloads).toHaveLength(1);
    const preview = texts(calls).join('\n');
    expect(preview).toContain('<b>简报预览</b>：疫情防控阻击之一——上海企业复工复产复市进行时 (系列二：截止至3月26日)');
    expect(preview).toContain('截至：2020-03-26');
    expect(preview).toContain('新增 <b>19</b> 条 · 未变 0 条 · 更正 <b>0</b> 条');
    expect(preview).toContain('… 另有 14 条'); // first 5 titles only
    for (const part of texts(calls)) assertValidTelegramHtml(part);
    expect(buttons(sent(calls).at(-1)).map((b) => b.text)).toEqual(['✅ 发布', '✖️ 取消']);
    for (const b of buttons(sent(calls).at(-1))) expect(Buffer.byteLength(b.callback_data)).toBeLessThanOrEqual(64);
    expect(t.entries.all()).toHaveLength(0); // a preview writes nothing

    const after = await t.press(button(calls, '✅ 发布'));
    expect(edits(after)).toEqual([expect.stringMatching(/^✅ 已发布 .*：新增 19 条，更正 0 条。/)]);
    expect(t.entries.all()).toHaveLength(19);
    expect(t.catalog.search(['复工']).total).toBeGreaterThan(0);
    const search = texts(await t.send('复工', { userId: USER }));
    expect(search[0]).toMatch(/“复工”：共 \d+ 条/);
  });

  it('lists warnings with line numbers and the new titles; the new measures reach the catalog', async () => {
    const t = setup();
    const calls = await t.sendDocument('b.md', twoMeasures());
    const preview = texts(calls).join('\n');
    expect(preview).toContain('新增 <b>2</b> 条 · 未变 0 条 · 更正 <b>0</b> 条');
    expect(preview).toMatch(/⚠️ 提示 1 条：\n第 17 行: unknown agency &quot;某新设机构&quot;/);
    expect(preview).toContain(`• ${NEW_TITLES[0]} <i>(上海市公安局 · 2020-03-27)</i>`);
    expect(preview).toContain(`• ${NEW_TITLES[1]} <i>(某新设机构 · 2020-03-28)</i>`);
    const seqBefore = t.entries.seq();
    await t.press(button(calls, '✅ 发布'));
    expect(t.entries.seq()).toBe(seqBefore + 2);
    expect(t.catalog.search(['巡逻守护']).hits.map((e) => e.title)).toEqual([NEW_TITLES[0]]);
    // the digest cursor moves: the new measures are "since" the old seq
    expect(t.entries.since(seqBefore).map((e) => e.title)).toEqual([...NEW_TITLES]);
  });

  it('accepts a Word .docx and a saved WeChat page, previewing their measures', async () => {
    const t = setup({ entries: createMemoryEntryStore() });
    const docx = readCorpus().find((c) => c.name.endsWith('.docx'))!;
    const preview = texts(await t.sendDocument('report.docx', Buffer.from(docx.bytes))).join('\n');
    expect(preview).toContain('新增 <b>5</b> 条 · 未变 0 条 · 更正 <b>0</b> 条');
    const page = readCorpus().find((c) => c.name.endsWith('wechat-article.html'))!;
    const calls = await t.sendDocument('article.html', Buffer.from(page.bytes));
    expect(texts(calls).join('\n')).toContain('新增 <b>3</b> 条');
    await t.press(button(calls, '✅ 发布'));
    expect(t.entries.all().map((e) => e.agency)).toContain('上海海关');
  });

  it('previews an older bulletin as older, and publishes nothing of it unless the caption says --force', async () => {
    const t = setup({ entries: createMemoryEntryStore() });
    const newer = seedText
      .replace('(系列二：截止至3月26日)', '(系列三：截止至4月10日)')
      .replace(/(云路演助力本市康复辅具企业复工复产\n\n)[^\n]+/, '$1更正后的正文。');
    await t.press(button(await t.sendDocument('2020-03-26.txt', seedText), '✅ 发布'));
    await t.press(button(await t.sendDocument('2020-04-11.txt', newer), '✅ 发布'));
    const seq = t.entries.seq();
    const again = texts(await t.sendDocument('2020-03-26.txt', seedText)).join('\n');
    expect(again).toContain('较旧 <b>1</b> 条');
    expect(again).toContain('• 云路演助力本市康复辅具企业复工复产 <i>(上海市民政局 · 2020-03-06)</i>');
    expect(again).toContain('没有新的或更正的措施');
    expect(t.entries.seq()).toBe(seq);
    const forced = await t.sendDocument('2020-03-26.txt', seedText, { caption: '--force' });
    expect(texts(forced).join('\n')).toContain('更正 <b>1</b> 条');
    await t.press(button(forced, '✅ 发布'));
    expect(t.entries.all().find((e) => e.title.startsWith('云路演'))!.body).not.toEqual(['更正后的正文。']);
  });

  it('shows corrected titles', async () => {
    const t = setup();
    await t.press(button(await t.sendDocument('b.txt', twoMeasures()), '✅ 发布'));
    const calls = await t.sendDocument('b2.txt', twoMeasures({ body: '巡逻队伍每晚两次走访园区。' }));
    const preview = texts(calls).join('\n');
    expect(preview).toContain('新增 <b>0</b> 条 · 未变 1 条 · 更正 <b>1</b> 条');
    expect(preview).toContain(`更正的措施：\n• ${NEW_TITLES[0]}`);
    const after = await t.press(button(calls, '✅ 发布'));
    expect(edits(after)[0]).toMatch(/新增 0 条，更正 1 条/);
    expect(t.entries.all().find((e) => e.title === NEW_TITLES[0])!.revisions).toBe(1);
  });

  it('takes the year from the caption', async () => {
    const t = setup();
    const calls = await t.sendDocument('b.txt', twoMeasures({ year: false }), { caption: '2021' });
    expect(texts(calls).join('\n')).toContain('无年份的日期按 2021 年处理。');
    await t.press(button(calls, '✅ 发布'));
    expect(
      t.entries
        .all()
        .filter((e) => e.date.startsWith('2021-'))
        .map((e) => e.title),
    ).toEqual([...NEW_TITLES]);
  });

  it('Publish leaves its trace: started, then completed with its counts; a refused write is traced as failed', async () => {
    const publishLog = createPublishLog(join(tempDir(), 'publish.log'));
    const t = setup({ publishLog });
    const calls = await t.sendDocument('b.txt', twoMeasures());
    await t.press(button(calls, '✅ 发布'));
    expect(await publishLog.last()).toMatchObject({ file: 'b.txt', by: ADMIN, state: 'completed', added: 2, corrected: 0 });
    // The disk refuses the next one: traced as failed, and the editor can press again.
    const flush = t.entries.flush;
    t.entries.flush = async () => {
      throw new Error('ENOSPC: no space left on device');
    };
    const more = await t.sendDocument('c.txt', twoMeasures({ body: '更正后的正文。' }));
    await t.press(button(more, '✅ 发布'));
    expect(await publishLog.last()).toMatchObject({ file: 'c.txt', state: 'failed', error: 'ENOSPC: no space left on device' });
    t.entries.flush = flush;
  });

  it('Cancel writes nothing; a later Publish on the same preview does nothing', async () => {
    const t = setup();
    const calls = await t.sendDocument('b.txt', twoMeasures());
    const seq = t.entries.seq();
    const after = await t.press(button(calls, '✖️ 取消'));
    expect(edits(after)[0]).toMatch(/^已取消 .*，没有写入任何内容。$/);
    const again = await t.press(button(calls, '✅ 发布'));
    expect(cbAnswers(again)).toEqual([expect.objectContaining({ text: '这个预览已取消。' })]);
    expect(edits(again)).toEqual([]);
    expect(t.entries.seq()).toBe(seq);
    expect(t.entries.bulletins()).toHaveLength(1);
  });

  it('a second Publish press publishes once, also when both presses arrive together', async () => {
    const t = setup();
    const calls = await t.sendDocument('b.txt', twoMeasures());
    const data = button(calls, '✅ 发布');
    const seq = t.entries.seq();
    const before = t.calls.length;
    await Promise.all([t.press(data), t.press(data)]);
    const both = t.calls.slice(before); // the harness's per-update slices overlap when updates interleave
    expect(edits(both)).toHaveLength(1);
    expect(cbAnswers(both).map((p) => p.text)).toContain('这份简报已经发布过了。');
    expect(t.entries.seq()).toBe(seq + 2);
    const third = await t.press(data);
    expect(cbAnswers(third)).toEqual([expect.objectContaining({ text: '这份简报已经发布过了。' })]);
    expect(t.entries.seq()).toBe(seq + 2);
  });

  it('re-plans on Publish: what was published meanwhile is not added twice', async () => {
    const t = setup();
    const first = await t.sendDocument('b.txt', twoMeasures());
    const second = await t.sendDocument('b-copy.txt', twoMeasures());
    await t.press(button(first, '✅ 发布'));
    const after = await t.press(button(second, '✅ 发布'));
    expect(edits(after)[0]).toMatch(/新增 0 条，更正 0 条/);
    expect(t.entries.all()).toHaveLength(21);
  });

  it('an expired preview cannot be published', async () => {
    const t = setup();
    const calls = await t.sendDocument('b.txt', twoMeasures());
    t.advance(PREVIEW_TTL_MS + 1);
    const after = await t.press(button(calls, '✅ 发布'));
    expect(cbAnswers(after)).toEqual([expect.objectContaining({ text: '这个预览已过期，请重新发送文件。', show_alert: true })]);
    expect(t.entries.all()).toHaveLength(19);
  });

  it('a bulletin with nothing new gets no Publish button', async () => {
    const t = setup();
    const calls = await t.sendDocument('seed.txt', seedText);
    expect(texts(calls).join('\n')).toContain('新增 <b>0</b> 条 · 未变 19 条');
    expect(texts(calls).join('\n')).toContain('无需发布');
    expect(buttons(sent(calls).at(-1))).toEqual([]);
  });

  it('escapes bulletin text in the preview', async () => {
    const t = setup();
    const calls = await t.sendDocument('<b>.txt', twoMeasures().replace('测试简报', '测试<script>&简报'));
    const preview = texts(calls).join('\n');
    expect(preview).toContain('测试&lt;script&gt;&amp;简报');
    assertValidTelegramHtml(preview);
  });

  it('answers in English for English clients', async () => {
    const t = setup();
    const calls = await t.sendDocument('b.txt', twoMeasures(), { lang: 'en' });
    expect(texts(calls).join('\n')).toContain('<b>2</b> new · 0 unchanged · <b>0</b> corrected');
    expect(buttons(sent(calls).at(-1)).map((b) => b.text)).toEqual(['✅ Publish', '✖️ Cancel']);
  });
});

describe('files that are not bulletins', () => {
  it.each([
    ['binary', 'x.txt', Buffer.from([0x01, 0x00, 0x02, 0x00, 0x03, 0x41, 0x00, 0x00, 0x0d]), /this is a binary file, not a text bulletin/],
    ['an image', 'x.txt', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d]), /this is a PNG image, not a text bulletin/],
    ['a PDF named .docx', 'x.docx', Buffer.from('%PDF-1.4 ...'), /not a Word \.docx file: it is a PDF document/],
    ['a page of scripts', 'x.html', Buffer.from(`<html><script>${'a();'.repeat(1000)}</script></html>`), /no article text/],
    ['empty', 'x.txt', Buffer.alloc(0), /the file is empty/],
    ['without measures', 'notes.md', Buffer.from(NO_MEASURES), /no measures found: expected date lines like &quot;2月4日&quot;/],
    [
      'not UTF-8, not Chinese',
      'latin1.txt',
      Buffer.from([0xe9, 0x74, 0xe9, 0x20, 0xe0, 0x20, 0x50, 0x61, 0x72, 0x69, 0x73, 0x0a]),
      /not UTF-8 and could not be decoded confidently/,
    ],
  ])('%s: a clear error, nothing written, no buttons', async (_label, name, bytes, reason) => {
    const t = setup();
    const seq = t.entries.seq();
    const calls = await t.sendDocument(name, bytes);
    const [text] = texts(calls);
    expect(text).toMatch(new RegExp(`^❌ 无法读取 ${name.replace('.', '\\.')}：\\n`));
    expect(text).toMatch(reason);
    expect(text).toContain('没有写入任何内容');
    assertValidTelegramHtml(text!);
    expect(buttons(sent(calls).at(-1))).toEqual([]);
    expect(t.entries.seq()).toBe(seq);
  });

  it('names the line where the parser gave up', async () => {
    const t = setup();
    const [text] = texts(await t.sendDocument('x.txt', '标题\n\n发布者\n\n3月1日\n\n这一条没有来源也没有部门标题，而且很长很长。\n'));
    expect(text).toMatch(/第 5 行: no measure could be placed/);
  });

  it('a wrong extension is refused before downloading', async () => {
    const t = setup();
    const calls = await t.sendDocument('report.pdf', '%PDF-1.4');
    expect(calls.map((c) => c.method)).toEqual(['sendMessage']);
    expect(texts(calls)[0]).toMatch(/report\.pdf.*\n.*a bulletin is a \.txt, \.csv, \.md, \.docx, \.html or \.htm file/);
    expect(downloads).toEqual([]);
  });

  it('a document without a name is refused', async () => {
    const t = setup();
    expect(texts(await t.sendDocument(undefined, 'x'))[0]).toMatch(/a bulletin is a \.txt/);
  });

  it('an over-size document is refused from its file_size, without getFile or download', async () => {
    const t = setup();
    const calls = await t.sendDocument('big.txt', 'small body', { fileSize: 5 * 1024 * 1024 });
    expect(calls.map((c) => c.method)).toEqual(['sendMessage']);
    expect(texts(calls)[0]).toBe('❌ big.txt 有 5.0 MB，简报最多 2 MB。没有下载，也没有写入任何内容。');
    expect(downloads).toEqual([]);
    expect(t.entries.all()).toHaveLength(19);
  });

  it('a document with no stated size is cut off at the cap while downloading', async () => {
    const t = setup();
    const calls = await t.sendDocument('big.txt', Buffer.alloc(2 * 1024 * 1024 + 10, 0x41), { fileSize: null });
    expect(downloads).toHaveLength(1);
    expect(texts(calls)[0]).toMatch(/^❌ big\.txt 有 2\.0 MB，简报最多 2 MB/);
    expect(t.entries.all()).toHaveLength(19);
  });

  it('a failed download says so instead of an internal error', async () => {
    const t = setup();
    const calls = await t.sendDocument('b.txt', twoMeasures());
    expect(texts(calls)).toHaveLength(1); // sanity: normal path works
    files.clear(); // the next download 404s
    const id = `f${fileNo + 1}`;
    const failed = await t.raw({
      message: {
        message_id: 5000,
        date: 0,
        chat: { id: ADMIN, type: 'private', first_name: 'A' },
        from: { id: ADMIN, is_bot: false, first_name: 'A' },
        document: { file_id: id, file_unique_id: 'u', file_name: 'b.txt', file_size: 10 },
      },
    } as unknown as Omit<Update, 'update_id'>);
    expect(texts(failed)).toEqual(['❌ 无法从 Telegram 下载 b.txt，请稍后重新发送。']);
    expect(t.errors).toEqual([]);
  });
});

describe('non-admins', () => {
  it('a document in private gets the usual "send text" answer and is not downloaded', async () => {
    const t = setup();
    const calls = await t.sendDocument('b.txt', twoMeasures(), { userId: USER });
    expect(texts(calls)).toEqual([zh.errors.notText]);
    expect(calls.some((c) => c.method === 'getFile')).toBe(false);
    expect(downloads).toEqual([]);
    expect(t.entries.all()).toHaveLength(19);
  });

  it("an admin's document in a group is ignored", async () => {
    const t = setup();
    const calls = await t.sendDocument('b.txt', twoMeasures(), { chatType: 'supergroup' });
    expect(calls).toEqual([]);
  });

  it('cannot press an admin button', async () => {
    const t = setup();
    const calls = await t.sendDocument('b.txt', twoMeasures());
    const after = await t.press(button(calls, '✅ 发布'), USER);
    expect(after.map((c) => c.method)).toEqual(['answerCallbackQuery']);
    expect(after[0]!.payload.text).toBeUndefined();
    expect(t.entries.all()).toHaveLength(19);
  });

  it('/stats answers exactly like an unknown command', async () => {
    const t = setup();
    const stats = await t.send('/stats', { userId: USER });
    const unknown = await t.send('/nosuchcommand', { userId: USER });
    expect(texts(stats)).toEqual([zh.errors.unknownCommand('/stats')]);
    expect(stats.map((c) => ({ ...c.payload, text: null }))).toEqual(unknown.map((c) => ({ ...c.payload, text: null })));
    // and in a group, like any unaddressed command: silence
    expect(await t.send('/stats', { userId: USER, chatType: 'group' })).toEqual([]);
  });
});

describe('/stats for admins', () => {
  it('counts measures per agency, the total, bulletins and the store', async () => {
    const t = setup();
    const [text] = texts(await t.send('/stats'));
    expect(text).toContain('<b>统计</b>');
    expect(text).toContain('• 上海市公安局 — 7 条措施');
    expect(text).toContain('• 上海市司法局 — 6 条措施');
    expect(text).toContain('合计：<b>19</b> 条措施');
    expect(text).toContain('已收录简报：1 份');
    expect(text).toContain('数据文件：仅内存');
    assertValidTelegramHtml(text!);
  });

  it('shows the store file size and what the stats hook gives', async () => {
    const dir = tempDir();
    const entries = await openEntryStore(join(dir, 'entries.json'));
    await writeFile(join(dir, 'placeholder'), '');
    const t = setup({
      entries,
      stats: async () => ({
        subscriptions: { active: 3, paused: 1 },
        lastDigest: { sent: 2, paused: 1, failed: 0, durationMs: 1530 },
        note: '<ok>',
      }),
    });
    const pub = await t.sendDocument('b.txt', twoMeasures());
    await t.press(button(pub, '✅ 发布'));
    const [text] = texts(await t.send('/stats'));
    expect(text).toContain('合计：<b>2</b> 条措施');
    expect(text).toMatch(/数据文件：\d+(\.\d)? K?B/); // compact JSON: a small store is under 1 KB
    expect(text).toContain('订阅：有效 3，已暂停 1');
    expect(text).toContain('最近一次摘要：已发送 2，已暂停 1，失败 0，耗时 1.5 s');
    expect(text).toContain('note：&lt;ok&gt;');
    assertValidTelegramHtml(text!);
  });

  it('still answers when the stats hook fails', async () => {
    const t = setup({
      stats: () => {
        throw new Error('subscriptions store closed');
      },
    });
    const [text] = texts(await t.send('/stats'));
    expect(text).toContain('合计：<b>19</b> 条措施');
    expect(text).toContain('（订阅与摘要统计暂不可用）');
  });

  it("exports the admin commands for the admins' menu", () => {
    expect(ADMIN_COMMANDS.map(([c]) => c)).toEqual(['stats']);
    expect(renderExtraStats({ lastDigest: null }, zh)).toEqual(['最近一次摘要：—']);
    expect(renderExtraStats({ subscriptions: { active: 1, paused: 0 }, lastDigest: { sent: 1, durationMs: 20 } }, messages('en'))).toEqual([
      'Subscriptions: active 1, paused 0',
      'Last digest run: sent 1, duration 20 ms',
    ]);
  });
});
