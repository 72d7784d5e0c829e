/**
 * Chinese word segmentation for queries and for learning the measures' words.
 *
 * The default is @node-rs/jieba (prebuilt native, jieba-rs) with the package's dictionary trimmed to
 * words of frequency ≥ MIN_FREQUENCY (105k of its 349k entries: less load time and memory than
 * the whole, see BENCHMARKS.md), its HMM off (it glued 局+有 into a word; the planner joins the
 * single characters of unknown words itself: 复/产 → 复产), and
 * a user dictionary added from the store (agency names and aliases, quoted terms, data/near-words.json
 * "whole"), so 复工复产, 不见面, 云选会 and 行政复议 stay whole.
 *
 * If the native module cannot be loaded (an unusual platform), the segmenter falls back to forward
 * maximum matching over the words it has been taught, leaving the rest of a run whole — which is what
 * search did before segmentation (a run of characters is one substring) — with one logged warning.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface Segmenter {
  /** 'jieba', or 'fallback' when the native segmenter could not be loaded. */
  readonly kind: 'jieba' | 'fallback';
  /** Words of a run of text (no spaces kept), in order; concatenated they give the text back. */
  cut(text: string): string[];
  /** Teaches words to keep whole (already folded); words already known are ignored. */
  addWords(words: Iterable<string>): void;
}

/** What the segmenter needs of jieba: cut, and a dictionary to extend. */
export interface JiebaLike {
  cut(sentence: string, hmm?: boolean): string[];
  loadDict(dict: Uint8Array): void;
}

/** Loads jieba; throws when it cannot. Injected in tests to simulate a platform without the native module. */
export type JiebaLoader = () => JiebaLike;

/** Dictionary words rarer than this are left out: they cost load time and memory, and the HMM finds most of them anyway. */
export const MIN_FREQUENCY = 10;
/** Frequency given to taught words: above ordinary words, so a taught compound wins over its parts. */
const TAUGHT_FREQUENCY = 200_000;

/**
 * The package's dictionary lines ("word freq tag") with freq ≥ min, scanned as bytes (no decoding of 5 MB).
 * In place: the lines kept move to the front of `dict`, and that part of it is returned (no second 5 MB
 * buffer at start-up).
 */
export function trimDictionary(dict: Uint8Array, min: number): Uint8Array {
  if (min <= 1) return dict;
  let k = 0;
  let start = 0;
  while (start < dict.length) {
    let end = dict.indexOf(10, start);
    if (end === -1) end = dict.length;
    // The frequency is the field after the first space.
    let sp = start;
    while (sp < end && dict[sp] !== 32) sp++;
    let freq = 0;
    for (let i = sp + 1; i < end && dict[i]! >= 48 && dict[i]! <= 57; i++) freq = freq * 10 + dict[i]! - 48;
    if (freq >= min) {
      // k never passes start: what is copied over was read already.
      dict.copyWithin(k, start, end);
      k += end - start;
      dict[k++] = 10;
    }
    start = end + 1;
  }
  return dict.subarray(0, k);
}

/**
 * @node-rs/jieba's dictionary (dict.txt), read from the package's folder. Not through its dict.js: that
 * module reads dict.txt and idf.txt (11 MB) into buffers its module cache keeps for the life of the process.
 */
export function readJiebaDictionary(): Buffer {
  return readFileSync(createRequire(import.meta.url).resolve('@node-rs/jieba/dict.txt'));
}

let shared: JiebaLike | undefined;
/**
 * Loads @node-rs/jieba with its dictionary trimmed to MIN_FREQUENCY, once per process: bots made in
 * one process (tests, the bench) share it; taught words only ever add to it.
 */
export const loadNodeJieba: JiebaLoader = () => {
  if (shared) return shared;
  const require = createRequire(import.meta.url);
  const { Jieba } = require('@node-rs/jieba') as { Jieba: { withDict(d: Uint8Array): JiebaLike } };
  return (shared = Jieba.withDict(trimDictionary(readJiebaDictionary(), MIN_FREQUENCY)));
};

const isHan = (c: number): boolean => (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf);

/**
 * The segmenter: jieba when `load` succeeds, else the fallback (warn is told why, once).
 * `load: null` asks for the fallback outright (the bench's "no segmenter" row).
 */
export function createSegmenter(opts: { load?: JiebaLoader | null; warn?: (message: string) => void; hmm?: boolean } = {}): Segmenter {
  const load = opts.load === undefined ? loadNodeJieba : opts.load;
  let jieba: JiebaLike | null = null;
  if (load) {
    try {
      jieba = load();
      // A loader that returns something unusable counts as a failure too.
      if (!Array.isArray(jieba.cut('复工', true))) throw new Error('jieba.cut did not return words');
    } catch (err) {
      jieba = null;
      opts.warn?.(
        `Chinese word segmenter unavailable (${err instanceof Error ? err.message : String(err)}); searching with whole runs of characters and taught words instead`,
      );
    }
  }
  return jieba ? jiebaSegmenter(jieba, opts.hmm ?? false) : fallbackSegmenter();
}

function jiebaSegmenter(jieba: JiebaLike, hmm: boolean): Segmenter {
  const known = new Set<string>();
  return {
    kind: 'jieba',
    cut: (text) => (text === '' ? [] : jieba.cut(text, hmm)),
    addWords(words) {
      let lines = '';
      for (const w of words) {
        // jieba's dictionary format is "word freq": a word with a space or newline would corrupt it.
        if (w.length < 2 || known.has(w) || /[\s]/.test(w)) continue;
        known.add(w);
        lines += `${w} ${TAUGHT_FREQUENCY}\n`;
      }
      if (lines) jieba.loadDict(Buffer.from(lines, 'utf8'));
    },
  };
}

/**
 * Forward maximum matching over taught words; Han characters between them stay one run, as do
 * runs of anything else. Exact for the words it knows, and never worse than no segmentation.
 */
export function fallbackSegmenter(): Segmenter {
  const known = new Set<string>();
  let longest = 0;
  return {
    kind: 'fallback',
    cut(text) {
      const out: string[] = [];
      let run = '';
      const flush = () => {
        if (run) out.push(run);
        run = '';
      };
      for (let i = 0; i < text.length;) {
        let hit = 0;
        if (isHan(text.charCodeAt(i))) {
          for (let n = Math.min(longest, text.length - i); n >= 2 && hit === 0; n--) if (known.has(text.slice(i, i + n))) hit = n;
        }
        if (hit > 0) {
          flush();
          out.push(text.slice(i, i + hit));
          i += hit;
          continue;
        }
        // A change between Han and other characters also ends a run.
        if (run && isHan(run.charCodeAt(run.length - 1)) !== isHan(text.charCodeAt(i))) flush();
        run += text[i];
        i++;
      }
      flush();
      return out;
    },
    addWords(words) {
      for (const w of words) {
        if (w.length < 2) continue;
        known.add(w);
        if (w.length > longest) longest = w.length;
      }
    },
  };
}
