/**
 * HTML left in pasted text: a CMS editor's source view or a Windows clipboard fragment copied as text
 * (<!--StartFragment--><p><strong>市科委</strong></p><p>11月2日&nbsp;</p>…), or only its entities (&ldquo;…&rdquo;,
 * &amp;, &nbsp;) in otherwise plain text. A saved page (<!doctype html>) is the reader's (ingest/html-to-text.ts);
 * this is the residue in a .txt or a message.
 *
 * Lines come out as the parser reads them: a break at each block element (<p>, <div>, <li>, <h2>, <tr>) and at
 * <br>, a table's row one line of cells (a cell's paragraphs its lines, as a pasted table's), every other tag gone (<strong>, <span>,
 * Word's <o:p>, <img>), comments, <style> and <script> gone, entities decoded. A line break inside a paragraph is a
 * space, as a browser shows it; outside any block it is a line break, so plain lines between tags stay lines. Each
 * line keeps the number of the source line it starts on, so warnings point at the text as given.
 *
 * Only a text with three lines or more holding a block tag or <br> (not in a markdown table) is read this way; entities are decoded in any
 * text (a bulletin never means "&ldquo;" literally).
 */
import { cleanLine, matchForm } from '../text.ts';
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
  const pieces: { no: number; text: string; cells?: string[] }[] = [];
  let cur = '';
  let curNo = 1;
  let no = 1;
  let depth = 0;
  // A table row being read: its cells, and the cell open now (its paragraphs split by "\n", as a pasted cell's).
  let row: { no: number; cells: string[] } | null = null;
  let cell: string | null = null;
  const flush = () => {
    if (cur.replaceAll(JOIN, '').trim() !== '') pieces.push({ no: curNo, text: joined(cur) });
    cur = '';
  };
  const endCell = () => {
    if (row && cell !== null) row.cells.push(joined(cell));
    cell = null;
  };
  const endRow = () => {
    endCell();
    if (row && row.cells.some((c) => c.trim() !== '')) pieces.push({ no: row.no, text: row.cells.join(' '), cells: row.cells });
    row = null;
  };
  // Text between tags: its line breaks are spaces inside a block, line breaks outside one.
  const addText = (s: string) => {
    // Tabs in HTML source are indentation, never cells.
    const parts = s.replace(/\t/g, ' ').split('\n');
    parts.forEach((p, k) => {
      if (k > 0) no++;
      if (row) {
        // Between a row's cells only indentation; inside a cell its text.
        if (cell !== null) cell += (k > 0 ? JOIN : '') + p;
        return;
      }
      if (k > 0) {
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
    if (tag === 'tr' || tag === 'table') {
      endRow();
      flush();
      if (tag === 'tr' && !closing) row = { no, cells: [] };
    } else if (tag === 'td' || tag === 'th') {
      if (!row) {
        flush();
        row = { no, cells: [] };
      }
      endCell();
      if (!closing) cell = '';
    } else if (cell !== null && (tag === 'br' || BLOCK_NAME.test(tag))) {
      // A paragraph inside a cell: the cell's next line.
      if (cell.trim() !== '') cell += '\n';
    } else if (tag === 'br') flush();
    else if (BLOCK_NAME.test(tag)) {
      flush();
      if (!selfClosing) depth = Math.max(0, depth + (closing ? -1 : 1));
    }
    // The line breaks inside a tag or a comment are the source's lines all the same.
    no += (m[0].match(/\n/g) ?? []).length;
  }
  addText(text.slice(at));
  endRow();
  flush();
  const lines: Line[] = [];
  for (const p of pieces) {
    if (p.cells) {
      const cells = p.cells.map((c) =>
        decodeEntities(c)
          .split('\n')
          .map((x) => cleanLine(x))
          .filter(Boolean)
          .join('\n'),
      );
      const line = cleanLine(cells.join(' ').replace(/\n/g, ' '));
      if (cells.filter(Boolean).length >= 2) lines.push({ no: p.no, text: line, form: matchForm(line), md: 0, link: false, cells });
      else if (line) lines.push(...splitLines(line).map((l) => ({ ...l, no: p.no })));
      continue;
    }
    const decoded = decodeEntities(p.text).replace(/[\r\n]/g, ' ');
    if (CLIPBOARD_HEADER.test(decoded.trim())) continue;
    for (const l of splitLines(decoded)) lines.push({ ...l, no: p.no });
  }
  return lines;
}
