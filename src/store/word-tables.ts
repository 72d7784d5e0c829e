/** The word tables of search understanding, read from data/ once per process (see core/search/understand/tables.ts). */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { makeWordTables } from '../core/search/understand/tables.ts';
import type { WordTables } from '../core/search/understand/tables.ts';
import { SHIPPED_AGENCIES_FILE } from '../paths.ts';

const DATA_DIR = dirname(SHIPPED_AGENCIES_FILE);
export const STOPWORDS_FILE = join(DATA_DIR, 'stopwords.json');
export const NEAR_WORDS_FILE = join(DATA_DIR, 'near-words.json');

const readJson = (file: string): unknown => {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`, { cause: err });
  }
};

let shipped: WordTables | undefined;
/** data/stopwords.json and data/near-words.json, validated (throws naming the file and the bad value). */
export const shippedWordTables = (): WordTables => (shipped ??= makeWordTables(readJson(STOPWORDS_FILE), readJson(NEAR_WORDS_FILE)));
