/** Posting weights (one byte per gram and document: title flag, occurrences) and the scores and look-up tables derived from them. */

/** Per keyword: a title hit outranks any number of body-only occurrences (OCCURRENCE_CAP < TITLE_WEIGHT). */
export const TITLE_WEIGHT = 10;
export const OCCURRENCE_CAP = 5;

// Posting weights: one byte per (gram, doc): whether the gram occurs inside the title, and how often.
export const W_TITLE = 0x80;
export const W_COUNT = 0x7f;

/** Score of one keyword for a posting weight: a title hit outranks any number of body-only occurrences. */
export const SCORE = new Uint8Array(256);
for (let w = 0; w < 256; w++) SCORE[w] = (w & W_TITLE ? TITLE_WEIGHT : 0) + Math.min(w & W_COUNT, OCCURRENCE_CAP);

/** Dense grams keep a weight nibble per document: title flag (8) and occurrences capped at 7. */
export const NIBBLE_TO_W = new Uint8Array(16);
for (let n = 0; n < 16; n++) NIBBLE_TO_W[n] = (n & 8 ? W_TITLE : 0) | (n & 7);
export const NIBBLE_SCORE = new Uint8Array(16);
for (let n = 0; n < 16; n++) NIBBLE_SCORE[n] = SCORE[NIBBLE_TO_W[n]!]!;
/** Per nibble byte (two documents), the better score of the documents in it; -1 for none. */
export const BYTE_BEST = new Int8Array(256);
for (let b = 0; b < 256; b++) BYTE_BEST[b] = Math.max(b & 15 ? NIBBLE_SCORE[b & 15]! : -1, b >>> 4 ? NIBBLE_SCORE[b >>> 4]! : -1);
/**
 * Per 16 bits of weight nibbles (4 documents), their title flags as 4 bits: deriving a dense gram's
 * title bitset reads its nibbles through this, about twice as fast as gathering the flags by shifts.
 */
export const TITLE_FLAGS16 = new Uint8Array(65536);
for (let v = 0; v < 65536; v++) TITLE_FLAGS16[v] = ((v >>> 3) & 1) | ((v >>> 6) & 2) | ((v >>> 9) & 4) | ((v >>> 12) & 8);
export const W_TO_NIBBLE = new Uint8Array(256);
for (let w = 0; w < 256; w++) W_TO_NIBBLE[w] = (w & W_TITLE ? 8 : 0) | Math.min(w & W_COUNT, 7);
