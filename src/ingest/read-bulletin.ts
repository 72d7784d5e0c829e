/**
 * Formats in, one text model out: the only place that knows file formats. Every way a bulletin arrives
 * (npm run ingest, the inbox folder, an editor's upload in chat) comes through readBulletinBytes(), so each
 * accepts and refuses exactly the same files.
 *
 *   .txt .csv .md .markdown   UTF-8 (± BOM), UTF-16 (BOM), GB18030/GBK — see decode-text.ts
 *   .docx                Word, via mammoth — see docx.ts
 *   .html .htm           saved web pages and WeChat articles, article body only — see html-to-text.ts
 */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { AgencyDirectory } from '../core/agencies.ts';
import type { ParsedBulletin } from '../core/model.ts';
import { BulletinError, MAX_BULLETIN_BYTES, parseBulletin } from '../core/parse-bulletin.ts';
import { decodeText } from './decode-text.ts';
import { docxToText } from './docx.ts';
import { htmlToText } from './html-to-text.ts';

export type BulletinFormat = 'text' | 'markdown' | 'docx' | 'html';

/** Saved pages carry scripts and styles, and a .docx images: they may be larger than a text bulletin. */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

export const ACCEPTED_EXTENSIONS = ['.txt', '.csv', '.md', '.markdown', '.docx', '.html', '.htm'] as const;
export const WRONG_EXTENSION = 'a bulletin is a .txt, .csv, .md, .docx, .html or .htm file';

export function formatOf(fileName: string): BulletinFormat | null {
  switch (extname(fileName).toLowerCase()) {
    // .csv: Excel's CSV export, text whose rows are a table (read with commas, see bulletin/lines.ts).
    case '.txt':
    case '.csv':
      return 'text';
    case '.md':
    case '.markdown':
      return 'markdown';
    case '.docx':
      return 'docx';
    case '.html':
    case '.htm':
      return 'html';
    default:
      return null;
  }
}

export const isBulletinFileName = (name: string) => formatOf(name) !== null && !basename(name).startsWith('.');

export function maxBytesFor(fileName: string): number {
  const f = formatOf(fileName);
  return f === 'docx' || f === 'html' ? MAX_UPLOAD_BYTES : MAX_BULLETIN_BYTES;
}

export interface BulletinText {
  text: string;
  format: BulletinFormat;
  /** How the bytes were decoded (text formats), or the container ("docx"). */
  encoding: string;
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

/** Bytes of a bulletin file → its text; a BulletinError with a clear reason for anything else. */
export async function readBulletinBytes(bytes: Uint8Array, fileName: string): Promise<BulletinText> {
  const file = basename(fileName);
  const format = formatOf(file);
  if (!format) throw new BulletinError(file, WRONG_EXTENSION);
  if (bytes.length === 0) throw new BulletinError(file, 'the file is empty');
  const max = maxBytesFor(file);
  if (bytes.length > max)
    throw new BulletinError(
      file,
      `the file is ${mb(bytes.length)}; a ${format === 'docx' || format === 'html' ? `.${format}` : 'text'} bulletin is at most ${max / 1024 / 1024} MB`,
    );
  if (format === 'docx') return { text: await docxToText(bytes, file), format, encoding: 'docx' };
  const decoded = decodeText(bytes, file);
  // A .txt that is really HTML (a page saved with the wrong name) is read as a page, with the same checks.
  const savedPage = format !== 'html' && /^\s*<(?:!doctype html|html)[\s>]/i.test(decoded.text);
  if (format === 'html' || savedPage) {
    if (!/<[a-z!]/i.test(decoded.text.slice(0, 4096)))
      throw new BulletinError(file, 'this .html file holds no HTML (save the page again, or send it as .txt)');
    const page = htmlToText(decoded.text);
    if (page.text.trim() === '') {
      throw new BulletinError(
        file,
        page.scriptChars > 0
          ? `the page holds no article text, only ${mb(page.scriptChars * 1)} of scripts and styles (save the page after it has loaded, or copy its text into a .txt)`
          : 'the page holds no article text',
      );
    }
    return { text: page.text, format: 'html', encoding: decoded.encoding };
  }
  if (decoded.text.length > MAX_BULLETIN_BYTES)
    throw new BulletinError(file, `the text is longer than ${MAX_BULLETIN_BYTES} characters; a bulletin is far shorter`);
  return { text: decoded.text, format, encoding: decoded.encoding };
}

export interface ReadOptions {
  agencies: AgencyDirectory;
  year?: number;
  now?: Date;
  /** As-of dates of the bulletins already published (the year guess follows the series). */
  knownAsOf?: readonly string[];
}

export async function parseBulletinBytes(bytes: Uint8Array, fileName: string, opts: ReadOptions): Promise<ParsedBulletin> {
  const source = await readBulletinBytes(bytes, fileName);
  return parseBulletin(source.text, {
    file: basename(fileName),
    agencies: opts.agencies,
    year: opts.year,
    now: opts.now,
    knownAsOf: opts.knownAsOf,
  });
}

export async function readBulletinFile(path: string, opts: ReadOptions): Promise<ParsedBulletin> {
  return parseBulletinBytes(await readFile(path), path, opts);
}
