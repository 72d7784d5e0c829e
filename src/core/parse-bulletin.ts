/** The bulletin parser's public face; the reading itself lives in ./bulletin/ (one module per concern). */
export { BulletinError, MAX_BULLETIN_BYTES, entryId, parseBulletin } from './bulletin/parse.ts';
export type { ParseOptions } from './bulletin/parse.ts';
export { chineseNumber } from './bulletin/dates.ts';
