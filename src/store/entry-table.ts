import { closeSync, readSync } from 'node:fs';
import type { EntryRows } from '../core/entry-rows.ts';
import type { StoredEntry } from '../core/model.ts';

/**
 * The entries as rows: small fields in typed columns and interned strings, the long text (title,
 * body, bullets) of each row as one record that lives either in memory or in a file (the entry
 * snapshot), read back on demand. At 100k entries, entry objects and their strings were ~150 MB of
 * the bot's memory; as rows (with the store's id map) they are ~25 MB plus whatever text has not reached
 * a file yet.
 *
 * Rows are append-only: a correction appends a new row and kills the old one, so a row's text never
 * changes and a list of row numbers taken at one moment stays readable while later changes arrive.
 */
export interface EntryTable extends EntryRows {
  /** Rows ever appended, dead ones included. */
  readonly rows: number;
  readonly live: number;
  append(e: StoredEntry): number;
  kill(row: number): void;
  /**
   * Records the bulletins that carried a row's measure (ingest order). The one change a row takes in place:
   * its text and seq stay, so digests do not see it again.
   */
  setSeenIn(row: number, bulletins: readonly string[]): void;
  alive(row: number): boolean;
  /** The row as a plain object (a fresh or recently made copy: treat it as read-only); read() does not remember it. */
  entry(row: number): StoredEntry;
  /** Rows whose record now lives in `file` at the given UTF-16 offsets; their in-memory text is dropped. */
  adopt(file: TextFile, rows: Int32Array, starts: Float64Array): void;
  /** Rows whose text is held in memory (not yet in a file); killed rows' text is let go one adoption later. */
  inMemory(): number;
  close(): void;
}

/** A region of a file holding UTF-16LE record text, open for reading. */
export interface TextFile {
  fd: number;
  /** Byte offset of the text region in the file. */
  offset: number;
}

/** Columns of rows as a snapshot stores them (see snapshot-file.ts), to open a table without entries. */
export interface TableColumns {
  ids: string[];
  strings: string[];
  /** Per row: line, seq, addedSeq, revisions, bodyCount, bulletCount, correctedAt (1/0). */
  nums: Float64Array;
  /**
   * Per row: agency, date, source, bulletin, addedAt, correctedAt (-1 when null), textFrom and seenIn (-1 when
   * the default: the first bulletin alone), as indexes into strings.
   */
  refs: Int32Array;
  /** Per row, each field's length (title, body..., bullets...). */
  cuts: Int32Array;
  file: TextFile;
  /** Per row, where its record starts in the file (UTF-16 units from file.offset). */
  starts: Float64Array;
}

export const NUMS = 7;
export const REFS = 8;
/** seenIn as one interned string: bulletin ids joined (a cumulative series repeats the same few lists). */
const SEEN_SEP = ',';
const RECENT = 4096;
/** UTF-16 units read at once by fieldsOfMany (1 MB). */
const WINDOW = 512 * 1024;
/** Text between two wanted records that fieldsOfMany reads rather than making a second read (8 KB). */
const GAP = 4 * 1024;

/** Occurrences of k in s (overlapping, as indexOf from the next unit finds them), up to max. */
const occurrences = (s: string, k: string, max: number): number => {
  let n = 0;
  for (let at = s.indexOf(k); at !== -1 && n < max; at = s.indexOf(k, at + 1)) n++;
  return n;
};

/** countMany() for one row's fields in hand. */
const countIn = (fields: readonly string[], k: string, max: number): number => {
  let count = 0;
  const inTitle = fields.length > 0 && fields[0]!.includes(k) ? 1 : 0;
  for (let f = 0; f < fields.length && count < max; f++) count += Math.min(max - count, occurrences(fields[f]!, k, max));
  return count === 0 ? -1 : count * 2 + inTitle;
};

const grow = <A extends Float64Array | Int32Array | Uint8Array>(a: A, min: number): A => {
  if (a.length >= min) return a;
  const out = new (a.constructor as new (n: number) => A)(Math.max(min, a.length * 2, 64));
  out.set(a);
  return out;
};

export function createEntryTable(columns?: TableColumns): EntryTable {
  let rows = 0;
  let live = 0;
  const ids: string[] = [];
  let nums = new Float64Array(0);
  let refs = new Int32Array(0);
  let dead = new Uint8Array(0);
  // Each row's field lengths live in cuts[cutAt[row] ...]; its record text in memory (mem) or in the file at starts[row].
  let cuts = new Int32Array(0);
  let cutCount = 0;
  let cutAt = new Int32Array(0);
  let starts = new Float64Array(0);
  let recLen = new Int32Array(0);
  const mem = new Map<number, string>();
  let file: TextFile | null = null;
  // The file adopted before the current one: kept open one generation, closed at the next adoption.
  let previous: TextFile | null = null;
  const strings: string[] = [];
  const stringIds = new Map<string, number>();
  const recent = new Map<number, StoredEntry>();
  let buf = Buffer.alloc(64 * 1024);

  const intern = (s: string): number => {
    let i = stringIds.get(s);
    if (i === undefined) {
      i = strings.length;
      strings.push(s);
      stringIds.set(s, i);
    }
    return i;
  };

  const seenRef = (first: string, seenIn: readonly string[] | undefined): number =>
    seenIn === undefined || (seenIn.length === 1 && seenIn[0] === first) ? -1 : intern(seenIn.join(SEEN_SEP));

  const ensure = (n: number, moreCuts: number): void => {
    nums = grow(nums, n * NUMS);
    refs = grow(refs, n * REFS);
    dead = grow(dead, n);
    cutAt = grow(cutAt, n);
    starts = grow(starts, n);
    recLen = grow(recLen, n);
    cuts = grow(cuts, cutCount + moreCuts);
  };

  if (columns) {
    const n = columns.ids.length;
    if (columns.nums.length !== n * NUMS || columns.refs.length !== n * REFS || columns.starts.length !== n)
      throw new Error('entry table: columns disagree with the row count');
    columns.strings.forEach((s) => intern(s));
    if (strings.length !== columns.strings.length) throw new Error('entry table: repeated strings in the string table');
    ensure(n, columns.cuts.length);
    nums.set(columns.nums);
    refs.set(columns.refs);
    cuts.set(columns.cuts);
    let at = 0;
    for (let r = 0; r < n; r++) {
      const fieldCount = 1 + columns.nums[r * NUMS + 4]! + columns.nums[r * NUMS + 5]!;
      if (at + fieldCount > columns.cuts.length) throw new Error('entry table: fewer field lengths than rows need');
      cutAt[r] = at;
      let len = 0;
      for (let f = 0; f < fieldCount; f++) len += columns.cuts[at + f]!;
      at += fieldCount;
      recLen[r] = len;
      starts[r] = columns.starts[r]!;
      for (let k = 0; k < REFS; k++) {
        const ref = columns.refs[r * REFS + k]!;
        if (ref < (k >= 5 ? -1 : 0) || ref >= strings.length) throw new Error('entry table: a row names a string the table does not have');
      }
      ids.push(columns.ids[r]!);
    }
    if (at !== columns.cuts.length) throw new Error('entry table: field lengths no row uses');
    cutCount = at;
    rows = live = n;
    file = columns.file;
  }

  // Dead rows the latest file does not hold keep reading the file before it, open one generation more
  // (a JSON write in progress may still be serialising a row a correction has since replaced).
  const stale = new Map<number, TextFile>();
  // The same for dead rows whose text was still in memory: kept until the adoption after next.
  let staleMem = new Map<number, string>();

  const readFile = (from: TextFile | null, start: number, units: number): string => readBytes(from, start, units).toString('utf16le');

  /** The raw UTF-16LE bytes of [start, start + units) in `from`: a view of a shared buffer, valid until the next read. */
  const readBytes = (from: TextFile | null, start: number, units: number): Buffer => {
    if (!from || start < 0) throw new Error('entry table: a row names text in a file that is not open');
    const bytes = units * 2;
    if (buf.length < bytes) buf = Buffer.alloc(Math.max(bytes, buf.length * 2));
    let got = 0;
    while (got < bytes) {
      const n = readSync(from.fd, buf, got, bytes - got, from.offset + start * 2 + got);
      if (n === 0) throw new Error('entry table: the text file ends before a record');
      got += n;
    }
    return buf.subarray(0, bytes);
  };

  const recordText = (row: number): string =>
    mem.get(row) ?? staleMem.get(row) ?? readFile(stale.get(row) ?? file, starts[row]!, recLen[row]!);

  const split = (row: number, text = recordText(row)): string[] => {
    const n = 1 + nums[row * NUMS + 4]! + nums[row * NUMS + 5]!;
    const out = new Array<string>(n);
    let from = 0;
    const c0 = cutAt[row]!;
    for (let f = 0; f < n; f++) {
      const to = from + cuts[c0 + f]!;
      out[f] = text.slice(from, to);
      from = to;
    }
    return out;
  };

  const materialise = (row: number): StoredEntry => {
    const parts = split(row);
    const o = row * NUMS;
    const bodyCount = nums[o + 4]!;
    const r = row * REFS;
    const corrected = refs[r + 5]!;
    const textFrom = refs[r + 6]!;
    const seenIn = refs[r + 7]!;
    // Key order as the store has always written entries, so the JSON written from rows is the same; the
    // provenance fields only when they say more than "from the first bulletin alone".
    const e: StoredEntry = {
      id: ids[row]!,
      agency: strings[refs[r]!]!,
      date: strings[refs[r + 1]!]!,
      title: parts[0]!,
      body: parts.slice(1, 1 + bodyCount),
      bullets: parts.slice(1 + bodyCount),
      source: strings[refs[r + 2]!]!,
      bulletin: strings[refs[r + 3]!]!,
      line: nums[o]!,
      seq: nums[o + 1]!,
      addedSeq: nums[o + 2]!,
      addedAt: strings[refs[r + 4]!]!,
      revisions: nums[o + 3]!,
      correctedAt: corrected === -1 ? null : strings[corrected]!,
    };
    if (textFrom !== -1) e.textFrom = strings[textFrom]!;
    if (seenIn !== -1) e.seenIn = strings[seenIn]!.split(SEEN_SEP);
    return e;
  };

  const check = (row: number): void => {
    if (!(row >= 0 && row < rows)) throw new RangeError(`entry table: no row ${row}`);
  };

  /**
   * Rows of `list` whose text is in the current file, in file order, read in chunks: records that lie
   * close together in one read (≤ WINDOW, gaps ≤ GAP), chunk(text, from, members) with members their
   * indexes in list. The others (text in memory, recent, stale) go to single(i).
   */
  const inChunks = (
    list: ArrayLike<number>,
    single: (i: number) => void,
    chunk: (bytes: Buffer, from: number, members: Int32Array) => void,
  ): void => {
    // Sorted by file position as numbers (start * 2^20 + index: exact in a double), not by a comparator.
    const keys = new Float64Array(list.length);
    let m = 0;
    // Usually every row asked for is in the current file and these maps are empty: no look-ups then.
    const elsewhere = stale.size + mem.size + staleMem.size > 0;
    for (let i = 0; i < list.length; i++) {
      const row = list[i]!;
      check(row);
      if (starts[row]! >= 0 && !(elsewhere && (stale.has(row) || mem.has(row) || staleMem.has(row))))
        keys[m++] = starts[row]! * 2 ** 20 + i;
      else single(i);
    }
    if (list.length >= 2 ** 20) throw new Error('entry table: too many rows for one read');
    const sorted = keys.subarray(0, m).sort();
    const inFile = new Int32Array(m);
    for (let i = 0; i < m; i++) inFile[i] = sorted[i]! % 2 ** 20;
    for (let k = 0; k < inFile.length;) {
      const from = starts[list[inFile[k]!]!]!;
      let to = from + recLen[list[inFile[k]!]!]!;
      let end = k + 1;
      for (; end < inFile.length; end++) {
        const row = list[inFile[end]!]!;
        const stop = starts[row]! + recLen[row]!;
        // One read spans records that lie close together; a far one is read by itself, not with the gap.
        if (stop - from > WINDOW || starts[row]! - to > GAP) break;
        if (stop > to) to = stop;
      }
      chunk(readBytes(file, from, to - from), from, inFile.subarray(k, end));
      k = end;
    }
  };

  const fieldsOf = (row: number): string[] => {
    check(row);
    const seen = recent.get(row);
    if (seen) return [seen.title, ...seen.body, ...seen.bullets, seen.agency];
    const parts = split(row);
    parts.push(strings[refs[row * REFS]!]!);
    return parts;
  };

  return {
    get rows() {
      return rows;
    },
    get live() {
      return live;
    },
    append(e) {
      const row = rows;
      const fieldCount = 1 + e.body.length + e.bullets.length;
      ensure(row + 1, fieldCount);
      const o = row * NUMS;
      nums[o] = e.line;
      nums[o + 1] = e.seq;
      nums[o + 2] = e.addedSeq;
      nums[o + 3] = e.revisions;
      nums[o + 4] = e.body.length;
      nums[o + 5] = e.bullets.length;
      nums[o + 6] = e.correctedAt === null ? 0 : 1;
      const r = row * REFS;
      refs[r] = intern(e.agency);
      refs[r + 1] = intern(e.date);
      refs[r + 2] = intern(e.source);
      refs[r + 3] = intern(e.bulletin);
      refs[r + 4] = intern(e.addedAt);
      refs[r + 5] = e.correctedAt === null ? -1 : intern(e.correctedAt);
      refs[r + 6] = e.textFrom === undefined || e.textFrom === e.bulletin ? -1 : intern(e.textFrom);
      refs[r + 7] = seenRef(e.bulletin, e.seenIn);
      cutAt[row] = cutCount;
      cuts[cutCount++] = e.title.length;
      let len = e.title.length;
      for (const p of e.body) {
        cuts[cutCount++] = p.length;
        len += p.length;
      }
      for (const p of e.bullets) {
        cuts[cutCount++] = p.length;
        len += p.length;
      }
      recLen[row] = len;
      starts[row] = -1;
      mem.set(row, e.title + e.body.join('') + e.bullets.join(''));
      ids.push(e.id);
      rows++;
      live++;
      return row;
    },
    kill(row) {
      check(row);
      if (dead[row]) return;
      // Its text stays readable (in memory until a file holds it) for a write that listed it before.
      dead[row] = 1;
      live--;
      recent.delete(row);
    },
    setSeenIn(row, bulletins) {
      check(row);
      refs[row * REFS + 7] = seenRef(strings[refs[row * REFS + 3]!]!, bulletins);
      recent.delete(row);
    },
    alive: (row) => row >= 0 && row < rows && dead[row] === 0,
    id: (row) => ids[row]!,
    seq: (row) => nums[row * NUMS + 1]!,
    agency: (row) => strings[refs[row * REFS]!]!,
    date: (row) => strings[refs[row * REFS + 1]!]!,
    entry(row) {
      check(row);
      const seen = recent.get(row);
      if (seen) {
        recent.delete(row);
        recent.set(row, seen);
        return seen;
      }
      // Shared by every caller that asks for this row while it is recent: frozen, so none can change it for the others.
      const e = materialise(row);
      Object.freeze(e.body);
      Object.freeze(e.bullets);
      Object.freeze(e);
      recent.set(row, e);
      if (recent.size > RECENT) recent.delete(recent.keys().next().value!);
      return e;
    },
    read(row) {
      check(row);
      return recent.get(row) ?? materialise(row);
    },
    fields: (row) => fieldsOf(row),
    fieldsOfMany(list, each) {
      inChunks(
        list,
        (i) => each(i, fieldsOf(list[i]!)),
        (bytes, from, members) => {
          const chunk = bytes.toString('utf16le');
          for (const i of members) {
            const row = list[i]!;
            const at = starts[row]! - from;
            const parts = split(row, chunk.slice(at, at + recLen[row]!));
            parts.push(strings[refs[row * REFS]!]!);
            each(i, parts);
          }
        },
      );
    },
    countMany(list, k, max, each) {
      if (k.length === 0) throw new Error('entry table: countMany needs a keyword');
      const needle = Buffer.from(k, 'utf16le');
      inChunks(
        list,
        (i) => each(i, countIn(fieldsOf(list[i]!), k, max)),
        (bytes, from, members) => {
          // One search of the raw bytes (no decoding); each hit is given to the record (and field) it lies in.
          const n = members.length;
          const counts = new Int32Array(n);
          const titled = new Uint8Array(n);
          let j = 0;
          for (let b = bytes.indexOf(needle); b !== -1; b = bytes.indexOf(needle, b + 1)) {
            // A match at an odd byte straddles two UTF-16 units: not the keyword.
            if (b & 1) continue;
            const at = from + b / 2;
            while (j < n && starts[list[members[j]!]!]! + recLen[list[members[j]!]!]! <= at) j++;
            if (j === n) break;
            const row = list[members[j]!]!;
            let off = at - starts[row]!;
            // In a gap between wanted records, or running past this one's end: not a match of it.
            if (off < 0 || off + k.length > recLen[row]!) continue;
            let c = cutAt[row]!;
            while (off >= cuts[c]!) off -= cuts[c++]!;
            // A match must lie inside one field (title, a paragraph, a bullet), as the index reads them.
            if (off + k.length > cuts[c]!) continue;
            if (counts[j]! < max) counts[j]!++;
            if (c === cutAt[row]) titled[j] = 1;
          }
          for (let m = 0; m < n; m++) {
            const row = list[members[m]!]!;
            let count = counts[m]!;
            if (count < max) count += Math.min(max - count, occurrences(strings[refs[row * REFS]!]!, k, max));
            each(members[m]!, count === 0 ? -1 : count * 2 + titled[m]!);
          }
        },
      );
    },
    adopt(next, adopted, at) {
      if (adopted.length !== at.length) throw new Error('entry table: adopted rows and offsets disagree');
      const isAdopted = new Uint8Array(rows);
      for (let i = 0; i < adopted.length; i++) {
        check(adopted[i]!);
        isAdopted[adopted[i]!] = 1;
      }
      if (previous) {
        for (const [row, f] of stale) {
          if (f !== previous) continue;
          stale.delete(row);
          starts[row] = -2;
        }
        closeSync(previous.fd);
      }
      const old = file;
      staleMem = new Map();
      for (const [row, text] of mem) {
        if (!dead[row] || isAdopted[row]) continue;
        staleMem.set(row, text);
        mem.delete(row);
      }
      for (let row = 0; row < rows; row++) {
        if (isAdopted[row] || starts[row]! < 0 || stale.has(row)) continue;
        // A live row the new file lacks (appended while it was written, so normally in memory anyway).
        if (!dead[row]) {
          mem.set(row, readFile(old, starts[row]!, recLen[row]!));
          starts[row] = -1;
        } else if (old) stale.set(row, old);
      }
      previous = old;
      file = next;
      for (let i = 0; i < adopted.length; i++) {
        const row = adopted[i]!;
        starts[row] = at[i]!;
        mem.delete(row);
        stale.delete(row);
      }
    },
    inMemory: () => mem.size,
    close() {
      for (const f of [file, previous]) if (f) closeSync(f.fd);
      file = previous = null;
    },
  };
}
