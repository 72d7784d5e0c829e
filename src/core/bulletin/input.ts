/**
 * What the parser is given and what identifies what it gives back: its options, the text's checks (empty, too
 * large, binary), the error it throws, and a measure's stable id.
 */
import { createHash } from 'node:crypto';
import type { AgencyDirectory } from '../agencies.ts';
import { foldKey } from '../text.ts';

/** Bulletins are a few dozen KB; anything far larger is a wrong file, not a bulletin. */
export const MAX_BULLETIN_BYTES = 2 * 1024 * 1024;

export class BulletinError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
    readonly line?: number,
  ) {
    super(`${file}${line ? `:${line}` : ''}: ${reason}`);
    this.name = 'BulletinError';
  }
}

export interface ParseOptions {
  file: string;
  agencies: AgencyDirectory;
  /** The bulletin's year (the as-of date's), for dates written "2月4日"; wins over what the text says. */
  year?: number;
  /** For the guess when the text states no year at all. */
  now?: Date;
  /** As-of dates (ISO) of bulletins already published: the guess follows the series when the text states no year. */
  knownAsOf?: readonly string[];
}

/**
 * Stable across re-publications (date, agency, title — not position, not list numbering), so a cumulative
 * bulletin maps onto the measures already stored. The agency is part of it because a joint notice is
 * listed under each agency.
 */
export function entryId(date: string, agency: string, title: string): string {
  const hash = createHash('sha1')
    .update(`${date}|${agency}|${foldKey(title)}`)
    .digest('hex')
    .slice(0, 10);
  return `${date.replaceAll('-', '')}-${hash}`;
}

/** The text without its byte-order mark; an empty, oversized or binary text is an error. */
export function checkedText(rawText: string, file: string): string {
  const text = rawText.replace(/^\uFEFF/, '');
  if (text.trim() === '') throw new BulletinError(file, 'the file is empty');
  if (text.length > MAX_BULLETIN_BYTES)
    throw new BulletinError(file, `the text is longer than ${MAX_BULLETIN_BYTES} characters; a bulletin is far shorter`);
  if (/[\u0000-\u0008\u000E-\u001F]/.test(text))
    throw new BulletinError(file, 'the text holds control characters: this is a binary file, not a bulletin');
  return text;
}
