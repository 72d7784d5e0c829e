/**
 * Text bytes → a string, whatever the editor's machine saved: UTF-8 (with or without BOM), UTF-16 with a
 * BOM (or without one, when the zero bytes make it plain), GB18030/GBK (Windows' Chinese default).
 * Anything else, or anything we cannot decode confidently, is refused naming what it looks like.
 *
 * Detection is jschardet's guess checked by us: its confidence on a short GB18030 file is often ~0.3, so
 * a guess is accepted when the decoded text reads as Chinese (no replacement characters, re-encodes to the
 * same bytes, and nearly all non-ASCII characters are CJK or CJK punctuation).
 */
import type Iconv from 'iconv-lite';
import type Jschardet from 'jschardet';
import { loadOnFirstUse } from '../core/load-on-first-use.ts';
import { BulletinError } from '../core/parse-bulletin.ts';
import { sniff } from './sniff.ts';

// Only a file that is not UTF-8 needs them.
const iconv = loadOnFirstUse<typeof Iconv>('iconv-lite');
const jschardet = loadOnFirstUse<typeof Jschardet>('jschardet');

export interface DecodedText {
  text: string;
  /** utf-8, utf-8 (BOM), utf-16le, utf-16be, gb18030 */
  encoding: string;
}

const CHINESE_OR_PUNCT =
  /[\u3000-\u303F\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\uFF00-\uFFEF\u2010-\u2027\u2030-\u205E\u00B7\u00D7\u2460-\u24FF\u25A0-\u27BF]/u;
/** Share of non-ASCII characters that must be Chinese or its punctuation for a legacy decode to count. */
const MIN_CHINESE_SHARE = 0.95;
/** Legacy encodings we decode; others are named in the refusal. */
const CHINESE_LEGACY = new Set(['gb18030', 'gb2312', 'gbk', 'hz-gb-2312', 'euc-cn']);

function plausibleChinese(bytes: Uint8Array, encoding: string): string | null {
  if (!iconv().encodingExists(encoding)) return null;
  const text = iconv().decode(Buffer.from(bytes), encoding);
  if (text.includes('\uFFFD')) return null;
  if (!Buffer.from(bytes).equals(iconv().encode(text, encoding))) return null;
  let nonAscii = 0;
  let chinese = 0;
  for (const ch of text) {
    if (ch.charCodeAt(0) < 0x80) continue;
    nonAscii++;
    if (CHINESE_OR_PUNCT.test(ch)) chinese++;
  }
  return nonAscii > 0 && chinese / nonAscii >= MIN_CHINESE_SHARE ? text : null;
}

function utf16WithoutBom(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  if (bytes.length < 4 || bytes.length % 2 !== 0) return null;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < bytes.length; i += 2) {
    if (bytes[i] === 0) evenZeros++;
    if (bytes[i + 1] === 0) oddZeros++;
  }
  const pairs = bytes.length / 2;
  // ASCII in UTF-16 has a zero in every other byte; CJK mostly not. Only one side ever zero.
  if (oddZeros > pairs * 0.2 && evenZeros === 0) return 'utf-16le';
  if (evenZeros > pairs * 0.2 && oddZeros === 0) return 'utf-16be';
  return null;
}

export function decodeText(bytes: Uint8Array, file: string): DecodedText {
  if (bytes.length === 0) throw new BulletinError(file, 'the file is empty');
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf)
    return { text: strict('utf-8', b.subarray(3), file, 'UTF-8 (BOM)'), encoding: 'utf-8 (BOM)' };
  if (b[0] === 0xff && b[1] === 0xfe) return { text: strict('utf-16le', b.subarray(2), file, 'UTF-16LE'), encoding: 'utf-16le' };
  if (b[0] === 0xfe && b[1] === 0xff) return { text: strict('utf-16be', b.subarray(2), file, 'UTF-16BE'), encoding: 'utf-16be' };
  const kind = sniff(b);
  if (kind) throw new BulletinError(file, `this is ${kind}, not a text bulletin`);
  const u16 = utf16WithoutBom(b);
  if (u16) return { text: strict(u16, b, file, u16.toUpperCase()), encoding: u16 };
  if (b.includes(0)) throw new BulletinError(file, 'this is a binary file, not a text bulletin');
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(b), encoding: 'utf-8' };
  } catch {
    // not UTF-8: a legacy encoding, or not text at all
  }
  const guesses = jschardet()
    .detectAll(b)
    .map((g) => ({ encoding: (g.encoding ?? '').toLowerCase(), confidence: g.confidence }));
  const top = guesses[0];
  // GB18030 is a superset of GBK and GB2312: decoding as GB18030 is right for all three. Big5 or Shift_JIS bytes
  // also decode as (wrong) GB characters, so the detector must name the GB family first.
  if (top && CHINESE_LEGACY.has(top.encoding)) {
    const text = plausibleChinese(b, 'gb18030');
    if (text !== null) return { text, encoding: 'gb18030' };
  }
  const looks = top ? `${top.encoding} (confidence ${Math.round(top.confidence * 100)}%)` : 'no known text encoding';
  throw new BulletinError(
    file,
    `the file is not UTF-8 and could not be decoded confidently: it looks like ${looks}; save the bulletin as UTF-8 text`,
  );
}

function strict(encoding: 'utf-8' | 'utf-16le' | 'utf-16be', bytes: Buffer, file: string, name: string): string {
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    throw new BulletinError(file, `the file says it is ${name} (byte-order mark) but its bytes are not valid ${name}`);
  }
}
