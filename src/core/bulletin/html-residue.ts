/**
 * HTML left in pasted text: a CMS editor's source view or a Windows clipboard fragment copied as text
 * (<!--StartFragment--><p><strong>市科委</strong></p><p>11月2日&nbsp;</p>…), or only its entities (&ldquo;…&rdquo;,
 * &amp;, &nbsp;) in otherwise plain text. A saved page (<!doctype html>) is the reader's (ingest/html-to-text.ts);
 * this is the residue in a .txt or a message.
 *
 * Lines come out as the parser reads them: a break at each block element (<p>, <div>, <li>, <h2>, <tr>) and at
 * <br>, table cells tab-separated (so a <table> is read as a pasted table), every other tag gone (<strong>, <span>,
 * Word's <o:p>, <img>), comments, <style> and <script> gone, entities decoded. A line break inside a paragraph is a
 * space, as a browser shows it; outside any block it is a line break, so plain lines between tags stay lines. Each
 * line keeps the number of the source line it starts on, so warnings point at the text as given.
 *
 * Only a text with three lines or more holding a block tag or <br> (not in a markdown table) is read this way; entities are decoded in any
 * text (a bulletin never means "&ldquo;" literally).
 */
import { splitLines } from './lines.ts';
import type { Line } from './lines.ts';

const BLOCK = 'p|div|li|ul|ol|h[1-6]|tr|table|tbody|thead|section|article|blockquote|header|footer|dl|dt|dd|center';
const BLOCK_NAME = new RegExp(`^(?:${BLOCK})$`);
const BLOCK_TAG = new RegExp(String.raw`<\/?(?:${BLOCK}|br)\b[^>]*>`, 'i');
/** A comment, a <head>, <style> or <script> element (none of it is text), or any tag. */
const TOKEN = /<!--[\s\S]*?-->|<(style|script|head)\b[^>]*>[\s\S]*?<\/\1\s*>|<\/?([a-zA-Z][\w:-]*)\b[^>]*>/gi;
/** The Windows clipboard's "HTML Format" header, when a raw clipboard dump is pasted. */
const CLIPBOARD_HEADER = /^(?:Version|StartHTML|EndHTML|StartFragment|EndFragment|StartSelection|EndSelection|SourceURL):\S*$/;

const ENTITIES: Record<string, string> = {
  nbsp: ' ',
  ensp: ' ',
  emsp: ' ',
  thinsp: ' ',
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  ldquo: '“',
  rdquo: '”',
  lsquo: '‘',
  rsquo: '’',
  laquo: '«',
  raquo: '»',
  mdash: '—',
  ndash: '–',
  hellip: '…',
  middot: '·',
  bull: '•',
  times: '×',
  divide: '÷',
  deg: '°',
  copy: '©',
  reg: '®',
  trade: '™',
  yen: '¥',
  permil: '‰',
  sect: '§',
  rarr: '→',
  larr: '←',
};
const ENTITY = /&(?:#(\d{1,7})|#[xX]([\da-fA-F]{1,6})|([a-zA-Z]{2,8}));/g;

/** The text with its HTML entities decoded (an unknown name stays as written). */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(ENTITY, (all, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
    if (name !== undefined) return ENTITIES[name.toLowerCase()] ?? all;
    const cp = dec !== undefined ? Number(dec) : parseInt(hex!, 16);
    return cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : all;
  });
}

/**
 * Whether the text is HTML source: three lines or more with a block tag or a <br> (a markdown table's row, whose
 * <br> breaks a line inside its cell, does not count).
 */
export function isHtmlResidue(text: string): boolean {
  if (!text.includes('<')) return false;
  let n = 0;
  for (const line of text.split('\n')) if (BLOCK_TAG.test(line) && !/^\s*\|/.test(line) && ++n >= 3) return true;
  return false;
}

/** Where a paragraph's source broke onto the next line. */
const JOIN = '\u0000';
const CJK = /[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]/;

/** A paragraph's source lines joined: with a space, as a browser shows it, but none between Chinese characters. */
function joined(text: string): string {
  return text.replace(/[ ]*\u0000[ ]*/g, (all, at: number) => {
    const before = text.slice(0, at).trimEnd().slice(-1);
    const after = text.slice(at + all.length).trimStart()[0] ?? '';
    return CJK.test(before) && CJK.test(after) ? '' : ' ';
  });
}

/** The lines of HTML source as the parser reads them (each with the number of the line it starts on). */
export function htmlResidueLines(text: string): Line[] {
  const pieces: { no: number; text: string }[] = [];
  let cur = '';
  let curNo = 1;
  let no = 1;
  let depth = 0;
  const flush = () => {
    if (cur.replaceAll(JOIN, '').trim() !== '') pieces.push({ no: curNo, text: joined(cur) });
    cur = '';
  };
  // Text between tags: its line breaks are spaces inside a block, line breaks outside one.
  const addText = (s: string) => {
    // Tabs in HTML source are indentation (a cell's tab comes from its </td>).
    const parts = s.replace(/\t/g, ' ').split('\n');
    parts.forEach((p, k) => {
      if (k > 0) {
        no++;
        if (depth === 0) flush();
        else cur += JOIN;
      }
      if (!/\S/.test(cur) && /\S/.test(p)) curNo = no;
      cur += p;
    });
  };
  let at = 0;
  for (const m of text.matchAll(TOKEN)) {
    addText(text.slice(at, m.index));
    at = m.index + m[0].length;
    const tag = (m[2] ?? '').toLowerCase();
    const closing = m[0].startsWith('</');
    const selfClosing = m[0].endsWith('/>');
    if (tag === 'br') flush();
    else if (tag === 'td' || tag === 'th') {
      if (closing) cur += '\t';
    } else if (BLOCK_NAME.test(tag)) {
      flush();
      if (!selfClosing) depth = Math.max(0, depth + (closing ? -1 : 1));
    }
    // The line breaks inside a tag or a comment are the source's lines all the same.
    no += (m[0].match(/\n/g) ?? []).length;
  }
  addText(text.slice(at));
  flush();
  const lines: Line[] = [];
  for (const p of pieces) {
    const decoded = decodeEntities(p.text).replace(/[\r\n]/g, ' ');
    if (CLIPBOARD_HEADER.test(decoded.trim())) continue;
    for (const l of splitLines(decoded)) lines.push({ ...l, no: p.no });
  }
  return lines;
}
