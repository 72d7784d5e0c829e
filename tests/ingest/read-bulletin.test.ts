import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { BulletinError } from '../../src/core/parse-bulletin.ts';
import { decodeText } from '../../src/ingest/decode-text.ts';
import { htmlToText } from '../../src/ingest/html-to-text.ts';
import { MAX_UPLOAD_BYTES, isBulletinFileName, parseBulletinBytes, readBulletinBytes } from '../../src/ingest/read-bulletin.ts';
import { MAX_INFLATED_BYTES, readZip } from '../../src/ingest/zip-guard.ts';
import { docxParts, makeDocx, makeZip } from '../helpers/docx.ts';
import { miniBulletin, shippedAgencies } from '../helpers/seed.ts';

const agencies = shippedAgencies();
const text = miniBulletin();
const utf8 = (s: string) => new TextEncoder().encode(s);

async function refusal(bytes: Uint8Array, name: string): Promise<string> {
  try {
    await readBulletinBytes(bytes, name);
  } catch (err) {
    expect(err).toBeInstanceOf(BulletinError);
    return (err as BulletinError).reason;
  }
  throw new Error(`${name} was accepted`);
}

describe('encodings', () => {
  it.each([
    ['UTF-8', utf8(text), 'utf-8'],
    ['UTF-8 with BOM', new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(text)]), 'utf-8 (BOM)'],
    ['UTF-16LE with BOM', new Uint8Array([0xff, 0xfe, ...iconv.encode(text, 'utf16le')]), 'utf-16le'],
    ['UTF-16BE with BOM', new Uint8Array([0xfe, 0xff, ...iconv.encode(text, 'utf16-be')]), 'utf-16be'],
    ['UTF-16LE without BOM', new Uint8Array(iconv.encode(text, 'utf16le')), 'utf-16le'],
    ['GB18030', new Uint8Array(iconv.encode(text, 'gb18030')), 'gb18030'],
    ['GBK', new Uint8Array(iconv.encode(text, 'gbk')), 'gb18030'],
  ])('%s decodes to the same text', (_name, bytes, encoding) => {
    const d = decodeText(bytes, 'b.txt');
    expect(d.text).toBe(text);
    expect(d.encoding).toBe(encoding);
  });

  it('refuses a legacy encoding it cannot decode confidently, naming what it looks like', () => {
    const big5 = new Uint8Array(iconv.encode(`${text}\n繁體中文的簡報內容，臺灣與香港常用。`.repeat(3), 'big5'));
    expect(() => decodeText(big5, 'b.txt')).toThrowError(/not UTF-8 and could not be decoded confidently: it looks like big5/i);
  });

  it('refuses a BOM that lies', () => {
    expect(() => decodeText(new Uint8Array([0xef, 0xbb, 0xbf, 0xc3, 0x28]), 'b.txt')).toThrowError(/UTF-8 \(BOM\)/);
  });
});

describe('bad input is refused with a clear message', () => {
  it.each([
    ['empty', new Uint8Array(), 'a.txt', /empty/],
    ['binary', new Uint8Array([0x01, 0x00, 0x02, 0x00, 0x03, 0x41, 0x00, 0x00, 0x07]), 'a.txt', /binary/],
    ['a PNG named .txt', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]), 'a.txt', /PNG image/],
    ['a text file too large', new Uint8Array(3 * 1024 * 1024).fill(0x41), 'a.txt', /at most 2 MB/],
    ['a page too large', new Uint8Array(MAX_UPLOAD_BYTES + 1).fill(0x41), 'a.html', /at most 10 MB/],
    ['a PDF named .docx', utf8('%PDF-1.7\n1 0 obj'), 'a.docx', /not a Word \.docx file: it is a PDF/],
    ['an old .doc named .docx', new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]), 'a.docx', /old Word/],
    ['plain text named .docx', utf8(text), 'a.docx', /not a Word \.docx file/],
    [
      'an Excel workbook named .docx',
      makeZip({ '[Content_Types].xml': '<Types/>', 'xl/workbook.xml': '<workbook/>' }),
      'a.docx',
      /Excel workbook/,
    ],
    ['a damaged zip', makeDocx(['x']).slice(0, 200), 'a.docx', /damaged/],
    ['a PNG named .html', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]), 'a.html', /PNG image/],
    ['plain text named .html', utf8(text), 'a.html', /holds no HTML/],
    ['a .pdf', utf8('%PDF'), 'a.pdf', /\.txt, \.csv, \.md, \.docx, \.html/],
  ])('%s', async (_name, bytes, name, message) => {
    expect(await refusal(bytes, name)).toMatch(message);
  });

  it('a zip bomb: a .docx whose parts inflate past 20 MB is refused before mammoth sees it', async () => {
    const parts = docxParts(['标题']);
    const bomb = makeZip({ ...parts, 'word/media/padding.bin': new Uint8Array(MAX_INFLATED_BYTES + 1024) });
    expect(bomb.length).toBeLessThan(100 * 1024);
    expect(await refusal(bomb, 'bomb.docx')).toMatch(/inflate to more than 20 MB/);
    expect(() => readZip(bomb)).toThrowError(/more than 20 MB/);
  });

  it('a page of 2 MB of scripts: refused, saying it holds no article text', async () => {
    const html = `<html><head><script>${'var a = 1;'.repeat(200_000)}</script></head><body><script>${'x();'.repeat(10_000)}</script></body></html>`;
    expect(await refusal(utf8(html), 'page.html')).toMatch(/no article text, only 1\.9 MB of scripts and styles/);
  });

  it('a page saved with a .txt name is read as a page, with the same refusal when it holds only scripts', async () => {
    const html = `<!DOCTYPE html><html><head><script>${'var a = 1;'.repeat(1_000)}</script></head><body></body></html>`;
    expect(await refusal(utf8(html), 'page.txt')).toMatch(/no article text, only .* of scripts and styles/);
  });

  it('a page with text but no measures: no measures found', async () => {
    await expect(
      parseBulletinBytes(utf8('<html><body><p>欢迎访问本网站。</p></body></html>'), 'a.html', { agencies }),
    ).rejects.toThrowError(/no measures found/);
  });
});

describe('formats', () => {
  it('accepts the file names editors send', () => {
    for (const n of ['a.txt', 'A.TXT', 'b.md', 'c.markdown', 'd.docx', 'e.html', 'f.htm']) expect(isBulletinFileName(n), n).toBe(true);
    for (const n of ['a.doc', 'a.pdf', '.hidden.txt', 'a.txt.bak']) expect(isBulletinFileName(n), n).toBe(false);
  });

  it('reads a .docx: headings, paragraphs, bullets, manual line breaks and tables', async () => {
    const docx = makeDocx([
      { p: '简报（截止至2020年3月28日）', style: 'Heading1' },
      { p: '上海市公安局', style: 'Heading2' },
      '3月27日',
      '新措施标题',
      { p: '第一行，\n第二行。' },
      { p: '要点一', style: 'ListBullet' },
      '来源：上海市公安局',
      {
        table: [
          ['日期', '部门', '措施'],
          ['3月26日', '市民政局', '表格里的措施'],
        ],
      },
    ]);
    const read = await readBulletinBytes(docx, 'w.docx');
    expect(read.format).toBe('docx');
    expect(read.text.split('\n')).toEqual(
      expect.arrayContaining([
        '# 简报（截止至2020年3月28日）',
        '## 上海市公安局',
        '3月27日',
        '• 要点一',
        '日期\t部门\t措施',
        '3月26日\t市民政局\t表格里的措施',
      ]),
    );
    const parsed = await parseBulletinBytes(docx, 'w.docx', { agencies });
    expect(parsed.entries.map((e) => [e.agency, e.date, e.title])).toEqual([
      ['上海市公安局', '2020-03-27', '新措施标题'],
      ['上海市民政局', '2020-03-26', '表格里的措施'],
    ]);
    expect(parsed.entries[0]!.body).toEqual(['第一行，', '第二行。']);
    expect(parsed.entries[0]!.bullets).toEqual(['要点一']);
  });

  it('reads only the article of a WeChat page: no share bar, no follow-us line, no scripts', () => {
    const page = htmlToText(`<html><head><script>var x = "3月27日";</script></head><body>
      <h1 id="activity-name">简报</h1><a id="js_name">某中心</a><em id="publish_time">2020-03-28</em>
      <div id="js_content"><p>点击上方蓝字关注我们</p><p>正文第一段。</p><p>来源：上海发布</p></div>
      <div class="share_notice">分享到朋友圈</div><div id="js_toolbar">阅读原文</div></body></html>`);
    expect(page.text).toBe('简报\n某中心 2020-03-28\n正文第一段。\n来源：上海发布');
  });

  it('reads a saved government page without its navigation, breadcrumb, sidebar or footer', () => {
    const page = htmlToText(`<html><body><ul class="nav"><li>首页</li></ul><div class="breadcrumb">首页 &gt; 信息公开</div>
      <div class="left-side">相关链接</div><div class="article"><h1>标题</h1><div class="TRS_Editor"><p>正文。</p></div></div>
      <div class="footer">版权所有</div></body></html>`);
    expect(page.text).toBe('# 标题\n正文。');
  });

  it('a .txt that is really a saved page is read as a page', async () => {
    const read = await readBulletinBytes(utf8('<!DOCTYPE html><html><body><article><p>正文。</p></article></body></html>'), 'saved.txt');
    expect(read.format).toBe('html');
    expect(read.text).toBe('正文。');
  });
});
