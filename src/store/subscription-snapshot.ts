/**
 * The subscriptions snapshot read lean. The ordinary path (the file as one string, JSON.parse's tree, zod's
 * validated copy of it) holds the store two or three times over while it loads: at 100k subscriptions that left
 * ~180 MB of RSS behind for ~43 MB of live records. Here the file is read in 256 KiB chunks, each subscription is
 * parsed on its own and checked by hand (zod for a record the check does not take), and kept in its lean shape.
 * Whatever this reader is not sure of — an unexpected layout, a record zod refuses, a read error — makes it step
 * aside: the caller then opens the file the ordinary way (lowdb + zod), which yields the same data or the usual
 * clear error, and the file is left as it is.
 */
import { open } from 'node:fs/promises';
import { z } from 'zod';
import { StoreError } from './json-file.ts';
import { verifyAndStrip } from './record-checksum.ts';
import { digestRunSchema, readSubscription } from './subscription-schema.ts';
import type { DigestRun, Intern, Subscription, SubscriptionsFile } from './subscription-schema.ts';

const CHUNK = 256 * 1024;

/**
 * Reads `path` through one reused window: `consume(window, end, eof)` returns how many bytes of window[0, end) it
 * is done with; the rest is moved to the front and the next chunk read after it. Called a last time with eof.
 */
export async function streamFile(path: string, consume: (window: Buffer, end: number, eof: boolean) => number): Promise<void> {
  const h = await open(path, 'r');
  try {
    let window = Buffer.allocUnsafe(2 * CHUNK);
    let end = 0;
    for (;;) {
      if (window.length - end < CHUNK) {
        // A record longer than a chunk: the window grows to hold it whole.
        const bigger = Buffer.allocUnsafe(Math.max(2 * window.length, end + CHUNK));
        window.copy(bigger, 0, 0, end);
        window = bigger;
      }
      const { bytesRead } = await h.read(window, end, CHUNK, null);
      end += bytesRead;
      const done = consume(window, end, bytesRead === 0);
      if (bytesRead === 0) return;
      window.copyWithin(0, done, end);
      end -= done;
    }
  } finally {
    await h.close();
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * Where the JSON value starting at b[i] ends (exclusive), or -1 if it does not end before `end` (more to read).
 * Only brackets outside strings count. It need not judge validity: the span is then given to JSON.parse, and if
 * the span is valid JSON, this is its true end.
 */
function valueEnd(b: Buffer, i: number, end: number, eof: boolean): number {
  const c = b[i];
  if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
    let depth = 0;
    let inString = false;
    for (; i < end; i++) {
      const x = b[i]!;
      if (inString) {
        if (x === BACKSLASH) i++;
        else if (x === QUOTE) inString = false;
      } else if (x === QUOTE) inString = true;
      else if (x === OPEN_OBJECT || x === OPEN_ARRAY) depth++;
      else if ((x === CLOSE_OBJECT || x === CLOSE_ARRAY) && --depth === 0) return i + 1;
    }
    return -1;
  }
  if (c === QUOTE) {
    for (i++; i < end; i++) {
      const x = b[i]!;
      if (x === BACKSLASH) i++;
      else if (x === QUOTE) return i + 1;
    }
    return -1;
  }
  for (; i < end; i++) {
    const x = b[i]!;
    if (x === COMMA || x === CLOSE_OBJECT || x === CLOSE_ARRAY || isSpace(x)) return i;
  }
  return eof ? end : -1;
}

/** Text per JSON.parse: below V8's large-object size (128 kB), so each batch is short-lived young-generation garbage. */
const BATCH_BYTES = 96 * 1024;
const CHAT_ID_KEY = Buffer.from('"chatId"');

/**
 * The `}` closing the last record that starts within BATCH_BYTES after window[i]: found from the next record's
 * `"chatId"` key back over `{`, `,` and `}` (and any whitespace, so a pretty-printed file batches too), or -1.
 * A guess, checked by JSON.parse: only a cut between two whole records makes the batch a valid array.
 */
function lastCut(window: Buffer, i: number): number {
  const back = (p: number) => {
    while (p > i && isSpace(window[p]!)) p--;
    return p;
  };
  for (let at = Math.min(window.length, i + BATCH_BYTES) - CHAT_ID_KEY.length; at > i;) {
    const k = window.lastIndexOf(CHAT_ID_KEY, at);
    if (k <= i) return -1;
    at = k - 1;
    let p = back(k - 1);
    if (window[p] !== OPEN_OBJECT) continue;
    p = back(p - 1);
    if (window[p] !== COMMA) continue;
    p = back(p - 1);
    if (window[p] === CLOSE_OBJECT) return p;
  }
  return -1;
}

/**
 * The records from window[i] (a record's `{`) up to the last cut within BATCH_BYTES, parsed as one array: one
 * JSON.parse per ~270 records instead of a byte-by-byte scan and one per record (2–3× faster). If that text is not
 * a run of whole values, JSON.parse says so and the caller goes record by record. `end` is just after the last one.
 */
function recordsFrom(window: Buffer, i: number): { records: unknown[]; end: number } | null {
  const cut = lastCut(window, i);
  if (cut < i) return null;
  try {
    return { records: JSON.parse(`[${window.toString('utf8', i, cut + 1)}]`) as unknown[], end: cut + 1 };
  } catch {
    return null;
  }
}

/** The file is not laid out as this reader expects, or holds something zod refuses: the ordinary path decides. */
class NotLean extends Error {}

const runsSchema = z.array(digestRunSchema);

// Where the reader is in `{"version":1,"subscriptions":[{…},…],"runs":[…]}` (keys in any order, each once).
const BEGIN = 0;
const KEY = 1;
const AFTER_KEY = 2;
const VALUE = 3;
const AFTER_VALUE = 4;
const FIRST_RECORD = 5;
const RECORD = 6;
const AFTER_RECORD = 7;
const DONE = 8;

export interface LeanSnapshot {
  data: SubscriptionsFile;
  /** No line breaks: written compact (a pretty-printed file is worth rewriting once). */
  compact: boolean;
  /** Records without a checksum (a file from before them): the store rewrites the file with them. */
  legacy: number;
}

/**
 * Checks and strips the checksum of each subscription and run record (record-checksum.ts), before any schema sees
 * them; a damaged record refuses the file, naming it. Returns how many had no checksum (an old file).
 */
export function verifySnapshotRecords(file: string, raw: unknown): number {
  if (typeof raw !== 'object' || raw === null) return 0;
  const d = raw as { subscriptions?: unknown; runs?: unknown };
  let legacy = 0;
  const check = (list: unknown, name: (r: Record<string, unknown>, i: number) => string) => {
    if (!Array.isArray(list)) return;
    for (let i = 0; i < list.length; i++) {
      const verdict = verifyAndStrip(list[i]);
      if (verdict === 'damaged') throw damagedRecord(file, name(list[i] as Record<string, unknown>, i));
      if (verdict === 'legacy') legacy++;
    }
  };
  check(d.subscriptions, (r, i) => `the subscription of chat ${String(r.chatId)} (record ${i + 1})`);
  check(d.runs, (r, i) => `digest run ${String(r.id)} (run record ${i + 1})`);
  return legacy;
}

export const damagedRecord = (file: string, what: string) =>
  new StoreError(
    file,
    `${what} fails its checksum: its content changed after it was written (a disk fault or a hand edit). The store was left as it is; restore this file from a backup (or fix that record and delete its "crc"); \`npm run check\` lists every problem`,
  );

/**
 * Reads the snapshot, or returns null when the ordinary path must (missing file, read error, unexpected layout,
 * invalid JSON, a record or run zod refuses). What it returns is what JSON.parse + subscriptionsFileSchema would.
 */
export async function readSnapshotLean(file: string, intern: Intern): Promise<LeanSnapshot | null> {
  const subscriptions: Subscription[] = [];
  let runs: DigestRun[] | null = null;
  let version: unknown;
  let sawVersion = false;
  let sawSubscriptions = false;
  let compact = true;
  let state = BEGIN;
  let key = '';
  let legacy = 0;
  const text = (b: Buffer, from: number, to: number): unknown => JSON.parse(b.toString('utf8', from, to));

  const take = (v: unknown) => {
    const verdict = verifyAndStrip(v);
    if (verdict === 'damaged')
      throw damagedRecord(
        file,
        `the subscription of chat ${String((v as { chatId?: unknown }).chatId)} (record ${subscriptions.length + 1})`,
      );
    if (verdict === 'legacy') legacy++;
    const sub = readSubscription(v, intern);
    if (!sub) throw new NotLean();
    subscriptions.push(sub);
  };
  const consume = (b: Buffer, end: number, eof: boolean): number => {
    const window = b.subarray(0, end);
    if (compact && window.includes(0x0a)) compact = false;
    // Once a batch is not to be had in this window (a pretty-printed file, an invalid record), none is looked for.
    let batches = true;
    let i = 0;
    for (;;) {
      while (i < end && isSpace(b[i]!)) i++;
      if (i === end) {
        if (eof && state !== DONE) throw new NotLean();
        return i;
      }
      const c = b[i]!;
      if (
        state === BEGIN ||
        state === AFTER_KEY ||
        state === AFTER_VALUE ||
        state === FIRST_RECORD ||
        state === AFTER_RECORD ||
        state === DONE
      ) {
        // One structural character.
        if (state === BEGIN && c === OPEN_OBJECT) state = KEY;
        else if (state === AFTER_KEY && c === COLON) state = VALUE;
        else if (state === AFTER_VALUE && (c === COMMA || c === CLOSE_OBJECT)) state = c === COMMA ? KEY : DONE;
        else if (state === FIRST_RECORD && c === CLOSE_ARRAY) state = AFTER_VALUE;
        else if (state === FIRST_RECORD && c === OPEN_OBJECT) {
          state = RECORD;
          continue;
        } else if (state === AFTER_RECORD && (c === COMMA || c === CLOSE_ARRAY)) state = c === COMMA ? RECORD : AFTER_VALUE;
        else throw new NotLean();
        i++;
        continue;
      }
      if (state === VALUE && key === 'subscriptions') {
        if (sawSubscriptions || c !== OPEN_ARRAY) throw new NotLean();
        sawSubscriptions = true;
        state = FIRST_RECORD;
        i++;
        continue;
      }
      if (state === RECORD && c === OPEN_OBJECT && batches) {
        const batch = recordsFrom(window, i);
        if (batch) {
          for (const v of batch.records) take(v);
          i = batch.end;
          state = AFTER_RECORD;
          continue;
        }
        batches = false; // record by record to the end of this window
      }
      // A whole value: a key, a record, the version, the runs.
      if ((state === KEY && c !== QUOTE) || (state === RECORD && c !== OPEN_OBJECT)) throw new NotLean();
      const e = valueEnd(b, i, end, eof);
      if (e < 0) {
        if (eof) throw new NotLean();
        return i; // read on, and take the value whole from its start
      }
      const v = text(b, i, e);
      if (state === KEY) {
        key = v as string;
        state = AFTER_KEY;
      } else if (state === RECORD) {
        take(v);
        state = AFTER_RECORD;
      } else if (key === 'version' && !sawVersion) {
        sawVersion = true;
        version = v;
        state = AFTER_VALUE;
      } else if (key === 'runs' && !runs) {
        legacy += verifySnapshotRecords(file, { runs: v });
        const r = runsSchema.safeParse(v);
        if (!r.success) throw new NotLean();
        runs = r.data;
        state = AFTER_VALUE;
      } else throw new NotLean(); // an unknown or repeated key: zod's object strips or JSON.parse keeps the last
      i = e;
    }
  };

  try {
    await streamFile(file, consume);
  } catch (err) {
    // Not ours to judge: the ordinary path reads it again and says what is wrong (or creates a missing file).
    if (err instanceof NotLean || err instanceof SyntaxError || typeof (err as NodeJS.ErrnoException).code === 'string') return null;
    throw err;
  }
  if (version !== 1 || !sawSubscriptions || !runs) return null;
  return { data: { version: 1, subscriptions, runs }, compact, legacy };
}
