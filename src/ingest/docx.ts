/**
 * A Word .docx → HTML through mammoth (paragraphs, headings, lists and tables), then the same HTML → text
 * as web pages. The zip is checked and inflated within a budget first (zip-guard.ts): mammoth would
 * inflate a bomb whole.
 */
import type Mammoth from 'mammoth';
import { loadOnFirstUse } from '../core/load-on-first-use.ts';
import { BulletinError } from '../core/parse-bulletin.ts';
import { htmlToText } from './html-to-text.ts';
import { sniff, isZip } from './sniff.ts';
import { ZipError, readZip } from './zip-guard.ts';

const mammoth = loadOnFirstUse<typeof Mammoth>('mammoth');

export async function docxToText(bytes: Uint8Array, file: string): Promise<string> {
  if (!isZip(bytes)) {
    const kind = sniff(bytes);
    throw new BulletinError(
      file,
      `this is not a Word .docx file${kind ? `: it is ${kind}` : ' (a .docx is a zip archive; this is not one)'}`,
    );
  }
  let parts;
  try {
    parts = readZip(bytes);
  } catch (err) {
    if (err instanceof ZipError) throw new BulletinError(file, `this .docx is refused: ${err.message}`);
    throw err;
  }
  const names = new Set(parts.map((p) => p.name));
  if (!names.has('word/document.xml')) {
    const what = names.has('xl/workbook.xml')
      ? 'an Excel workbook (.xlsx): copy its table into a .txt or save it as .docx'
      : names.has('ppt/presentation.xml')
        ? 'a PowerPoint file (.pptx)'
        : 'a zip archive without a Word document in it';
    throw new BulletinError(file, `this is not a Word .docx file: it is ${what}`);
  }
  let html: string;
  try {
    html = (await mammoth().convertToHtml({ buffer: Buffer.from(bytes) })).value;
  } catch (err) {
    throw new BulletinError(file, `the Word document could not be read: ${(err as Error).message}`);
  }
  return htmlToText(html, { wholeBody: true }).text;
}
