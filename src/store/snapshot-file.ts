/**
 * A binary copy of the entry store and its search index, kept beside entries.json so a restart does
 * not decode 135 MB of JSON and index 39 M characters again (5–7 s at 100k entries). entries.json
 * stays the store of record: the snapshot names the exact file it copies (size, mtime, inode), and
 * anything that does not match, or fails its checksum, is ignored and the JSON is read instead.
 *
 * It is also where the entries' text lives while the bot runs: the table (entry-table.ts) keeps the
 * rows' small fields in memory and reads each record's text from this file when it is shown, so the
 * text (~80 MB at 100k entries) is not held in the process.
 *
 * Layout: MAGIC, then the records' text (title, body, bullets of each entry, UTF-16LE, so reading it
 * is a copy, not a UTF-8 decode), then the ids, then the typed arrays, each 8-byte aligned, then a
 * JSON trailer describing them (with the short strings entries share), its byte length (u32) and
 * MAGIC again. The trailer comes last so the body can be streamed in slices without knowing the
 * checksum up front.
 */
import { closeSync, fstatSync, openSync, read as readCallback } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { crc32 } from 'node:zlib';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { StoredEntry } from '../core/model.ts';
import type { IndexState } from '../core/search/search-index.ts';
import type { StoredBulletin } from './entry-store.ts';
import { isEntriesFile } from './entry-store.ts';
import { NUMS, REFS } from './entry-table.ts';
import type { EntryTable, TableColumns } from './entry-table.ts';
import { sameStamp, stampOf } from './file-stamp.ts';
import type { FileStamp } from './file-stamp.ts';

const readFd = promisify(readCallback);
const MAGIC = Buffer.from('BBOTSNP1', 'latin1');
// 4: rows carry textFrom and seenIn (which bulletins carried a measure); older snapshots are rebuilt from the JSON.
// 5: search folding simplifies traditional characters (the index's grams changed).
// 6: remembered matches of long keywords kept as lists only (the rewritten index, src/core/search/index/).
const FORMAT = 6;
/** Entries encoded per slice while writing: a slice costs a few milliseconds of the event loop. */
const SLICE = 1_000;
const PIECE = 4 * 2 ** 20;

/** What a snapshot is written from: the store's head, the rows to copy (live ones, in seq order) and the index. */
export interface SnapshotSource {
  seq: number;
  bulletins: StoredBulletin[];
  table: Pick<EntryTable, 'read'>;
  rows: Int32Array;
  index: IndexState;
}

/** What a snapshot gives back: the rows' columns, their text left in the file (open for reading), and the index. */
export interface Snapshot {
  seq: number;
  bulletins: StoredBulletin[];
  columns: TableColumns;
  index: IndexState;
}

type ArrayName =
  | 'cuts'
  | 'idLens'
  | 'nums'
  | 'refs'
  | 'docEntry'
  | 'folded'
  | 'agencyOf'
  | 'dates'
  | 'seqs'
  | 'unigrams'
  | 'bigramKeys'
  | 'bigramVals'
  | 'baseOff'
  | 'baseDocs'
  | 'baseW'
  | 'denseOf'
  | 'denseBits'
  | 'denseNibbles'
  | 'denseCount'
  | 'delta'
  | 'rememberedDocs'
  | 'rememberedW';
/** Arrays before this one describe entries (copied into the table's columns); from it on, the index (kept as views). */
const FIRST_INDEX_ARRAY: ArrayName = 'folded';
const KINDS = { Int32Array, Float64Array, Uint8Array, Uint32Array } as const;
type Kind = keyof typeof KINDS;
type Typed = Int32Array<ArrayBuffer> | Float64Array<ArrayBuffer> | Uint8Array<ArrayBuffer> | Uint32Array<ArrayBuffer>;

interface Trailer {
  format: number;
  stamp: FileStamp;
  seq: number;
  bulletins: StoredBulletin[];
  entries: number;
  /** Short strings entries share (agency, date, source, bulletin, times), referred to by number. */
  strings: string[];
  /** The records' text (title, body, bullets per entry): it stays in the file and is read per entry. */
  textOffset: number;
  textBytes: number;
  /** The entries' ids, read at start-up. */
  idsOffset: number;
  idsBytes: number;
  binOffset: number;
  binBytes: number;
  arrays: { name: ArrayName; kind: Kind; at: number; length: number }[];
  index: Omit<IndexState, ArrayName | 'ids' | 'seqs' | 'remembered'>;
  /** Per remembered keyword: its matches' lengths in the remembered* arrays, in order. */
  remembered: { key: string; docs: number }[];
  crc: number;
}

const kindOf = (a: Typed): Kind =>
  a instanceof Int32Array
    ? 'Int32Array'
    : a instanceof Float64Array
      ? 'Float64Array'
      : a instanceof Uint8Array
        ? 'Uint8Array'
        : 'Uint32Array';
const pad8 = (n: number): number => (n + 7) & ~7;

/** A snapshot just written: the file, open for reading its text, and where each row's record starts in it. */
export interface Written {
  bytes: number;
  /** Open for reading (opened before the rename, so it is this file whatever replaces it later); the caller closes it. */
  fd: number;
  textOffset: number;
  rows: Int32Array;
  /** Per row of `rows`, its record's start in UTF-16 units from textOffset. */
  starts: Float64Array;
}

/**
 * Writes the snapshot of the given rows and index as the copy of the store file whose stamp is given,
 * to a temporary file renamed into place. The caller guarantees that they describe that file. Rows
 * never change once written (a correction is a new row), so slicing the work over several turns of
 * the event loop still writes one consistent copy.
 */
export async function writeSnapshot(file: string, snap: SnapshotSource, stamp: FileStamp): Promise<Written> {
  const rows = snap.rows.slice();
  const bulletins = structuredClone(snap.bulletins);
  const seq = snap.seq;
  const n = rows.length;
  const {
    ids,
    folded,
    seqs,
    agencyOf,
    dates,
    unigrams,
    bigramKeys,
    bigramVals,
    baseOff,
    baseDocs,
    baseW,
    denseOf,
    denseBits,
    denseNibbles,
    denseCount,
    delta,
    remembered,
    ...scalars
  } = snap.index;
  // Remembered matches, concatenated per kind: a handful of arrays whatever the number of keywords.
  const concat = <A extends Typed>(Kind: { new (n: number): A }, parts: A[]): A => {
    const out = new Kind(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      (out as unknown as { set(a: A, at: number): void }).set(p, at);
      at += p.length;
    }
    return out;
  };
  const rememberedMeta = remembered.map((r) => ({ key: r.key, docs: r.docs.length }));
  const rememberedArrays: [ArrayName, Typed][] = [
    [
      'rememberedDocs',
      concat(
        Int32Array,
        remembered.map((r) => r.docs),
      ),
    ],
    [
      'rememberedW',
      concat(
        Uint8Array,
        remembered.map((r) => r.w),
      ),
    ],
  ];
  // Everything was captured above in the caller's turn; from here on the work is sliced.
  await yieldToLoop();
  // Entries are read once, a slice at a time, and only what the snapshot needs is kept of them.
  const entryIds = new Array<string>(n);
  const position = new Map<string, number>();
  const docEntry = new Int32Array(ids.length);

  const tmp = `${file}.${process.pid}.tmp`;
  const fh = await open(tmp, 'w');
  let crc = 0;
  let offset = 0;
  // In pieces: a checksum over a 60 MB array at once would hold the event loop for tens of ms.
  const put = async (buf: Uint8Array): Promise<void> => {
    for (let at = 0; at < buf.byteLength; at += PIECE) {
      const piece = buf.subarray(at, Math.min(buf.byteLength, at + PIECE));
      crc = crc32(piece, crc);
      await fh.write(piece, 0, piece.byteLength, offset);
      offset += piece.byteLength;
    }
  };
  const padTo8 = async () => put(Buffer.alloc(pad8(offset) - offset));
  let fd = -1;
  try {
    offset = MAGIC.length;
    await fh.write(MAGIC, 0, MAGIC.length, 0);
    const textOffset = offset;
    let units = 0;
    const cutsList: number[] = [];
    const nums = new Float64Array(n * NUMS);
    const refs = new Int32Array(n * REFS);
    const starts = new Float64Array(n);
    const strings: string[] = [];
    const stringIds = new Map<string, number>();
    const intern = (s: string): number => {
      let i = stringIds.get(s);
      if (i === undefined) {
        stringIds.set(s, (i = strings.length));
        strings.push(s);
      }
      return i;
    };
    for (let from = 0; from < n; from += SLICE) {
      const parts: string[] = [];
      for (let i = from; i < Math.min(n, from + SLICE); i++) {
        const e: StoredEntry = snap.table.read(rows[i]!);
        entryIds[i] = e.id;
        position.set(e.id, i);
        starts[i] = units;
        for (const s of [e.title, ...e.body, ...e.bullets]) {
          parts.push(s);
          units += s.length;
          cutsList.push(s.length);
        }
        nums.set([e.line, e.seq, e.addedSeq, e.revisions, e.body.length, e.bullets.length, e.correctedAt === null ? 0 : 1], i * NUMS);
        refs.set(
          [
            intern(e.agency),
            intern(e.date),
            intern(e.source),
            intern(e.bulletin),
            intern(e.addedAt),
            e.correctedAt === null ? -1 : intern(e.correctedAt),
            e.textFrom === undefined ? -1 : intern(e.textFrom),
            e.seenIn === undefined ? -1 : intern(e.seenIn.join(',')),
          ],
          i * REFS,
        );
      }
      await put(Buffer.from(parts.join(''), 'utf16le'));
      await yieldToLoop();
    }
    const textBytes = offset - textOffset;
    const idsOffset = offset;
    await put(Buffer.from(entryIds.join(''), 'utf16le'));
    const idsBytes = offset - idsOffset;
    for (let from = 0; from < ids.length; from += SLICE * 5) {
      for (let d = from; d < Math.min(ids.length, from + SLICE * 5); d++) {
        const id = ids[d];
        const at = id === null || id === undefined ? -1 : position.get(id);
        if (at === undefined) throw new Error(`snapshot: the index names entry ${id}, which is not in the data`);
        docEntry[d] = at;
      }
      await yieldToLoop();
    }
    await padTo8();
    const binOffset = offset;
    const arrays: Trailer['arrays'] = [];
    const named: [ArrayName, Typed][] = [
      ['cuts', Int32Array.from(cutsList)],
      ['idLens', Int32Array.from(entryIds, (id) => id.length)],
      ['nums', nums],
      ['refs', refs],
      ['docEntry', docEntry],
      ['folded', folded],
      ['agencyOf', agencyOf],
      ['dates', dates],
      ['seqs', seqs],
      ['unigrams', unigrams],
      ['bigramKeys', bigramKeys],
      ['bigramVals', bigramVals],
      ['baseOff', baseOff],
      ['baseDocs', baseDocs],
      ['baseW', baseW],
      ['denseOf', denseOf],
      ['denseBits', denseBits],
      ['denseNibbles', denseNibbles],
      ['denseCount', denseCount],
      ['delta', delta],
      ...rememberedArrays,
    ];
    for (const [name, a] of named) {
      arrays.push({ name, kind: kindOf(a), at: offset - binOffset, length: a.length });
      await put(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
      await padTo8();
    }
    const binBytes = offset - binOffset;
    const trailer: Trailer = {
      format: FORMAT,
      stamp,
      seq,
      bulletins,
      entries: n,
      strings,
      textOffset,
      textBytes,
      idsOffset,
      idsBytes,
      binOffset,
      binBytes,
      arrays,
      index: scalars,
      remembered: rememberedMeta,
      crc,
    };
    const json = Buffer.from(JSON.stringify(trailer), 'utf8');
    const tail = Buffer.alloc(4);
    tail.writeUInt32LE(json.length);
    const end = Buffer.concat([json, tail, MAGIC]);
    await fh.write(end, 0, end.length, offset);
    offset += end.length;
    await fh.sync();
    await fh.close();
    // Opened before the rename: the table reads this very file, whatever later replaces the name.
    fd = openSync(tmp, 'r');
    await rename(tmp, file);
    return { bytes: offset, fd, textOffset, rows, starts };
  } catch (err) {
    await fh.close().catch(() => {});
    if (fd !== -1) closeSync(fd);
    await rm(tmp, { force: true });
    throw err;
  }
}

export type SnapshotRead = { ok: true; snapshot: Snapshot; stamp: FileStamp } | { ok: false; reason: string };

const readAt = async (fd: number, length: number, position: number): Promise<Buffer> => {
  const buf = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await readFd(fd, buf, got, length - got, position + got);
    if (bytesRead === 0) throw new Error('snapshot ends early');
    got += bytesRead;
  }
  return buf;
};

/**
 * Reads the snapshot if it is a whole, intact copy of `storeFile` as it is now; otherwise says why not.
 * On success the file stays open: the entries' text is read from it on demand (columns.file).
 */
export async function readSnapshot(file: string, storeFile: string): Promise<SnapshotRead> {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return { ok: false, reason: 'no snapshot' };
  }
  let keep = false;
  try {
    const { size } = fstatSync(fd);
    const current = await stampOf(storeFile).catch(() => null);
    if (!current) return { ok: false, reason: 'no store file' };
    const tailBytes = 4 + MAGIC.length;
    if (size < MAGIC.length + tailBytes) return { ok: false, reason: 'snapshot is truncated' };
    const head = await readAt(fd, MAGIC.length, 0);
    const tail = await readAt(fd, tailBytes, size - tailBytes);
    if (!head.equals(MAGIC) || !tail.subarray(4).equals(MAGIC)) return { ok: false, reason: 'not a snapshot, or truncated' };
    const jsonBytes = tail.readUInt32LE(0);
    if (jsonBytes > size - MAGIC.length - tailBytes) return { ok: false, reason: 'snapshot trailer is malformed' };
    let trailer: Trailer;
    try {
      trailer = JSON.parse((await readAt(fd, jsonBytes, size - tailBytes - jsonBytes)).toString('utf8')) as Trailer;
    } catch {
      return { ok: false, reason: 'snapshot trailer is not JSON' };
    }
    if (trailer.format !== FORMAT) return { ok: false, reason: `snapshot format ${String(trailer.format)}, expected ${FORMAT}` };
    if (!sameStamp(trailer.stamp, current)) return { ok: false, reason: 'the store file changed since the snapshot' };
    const t = trailer;
    const laidOut =
      t.textOffset === MAGIC.length &&
      t.textBytes % 2 === 0 &&
      t.idsOffset === t.textOffset + t.textBytes &&
      t.idsBytes % 2 === 0 &&
      t.binOffset === pad8(t.idsOffset + t.idsBytes) &&
      t.binOffset + t.binBytes + jsonBytes + tailBytes === size;
    if (!laidOut) return { ok: false, reason: 'snapshot sections do not add up' };
    const split = t.arrays.find((a) => a.name === FIRST_INDEX_ARRAY)?.at ?? t.binBytes;
    if (split % 8 !== 0 || split > t.binBytes) return { ok: false, reason: 'snapshot sections do not add up' };
    // The text is only checksummed here, through one reused buffer: it stays in the file.
    let crc = 0;
    const chunk = Buffer.allocUnsafe(Math.min(PIECE, Math.max(1, t.textBytes)));
    for (let at = 0; at < t.textBytes; at += chunk.length) {
      const len = Math.min(chunk.length, t.textBytes - at);
      const { bytesRead } = await readFd(fd, chunk, 0, len, t.textOffset + at);
      if (bytesRead !== len) return { ok: false, reason: 'snapshot is truncated' };
      crc = crc32(chunk.subarray(0, len), crc);
    }
    const ids = await readAt(fd, t.idsBytes, t.idsOffset);
    const gap = Buffer.alloc(t.binOffset - t.idsOffset - t.idsBytes);
    const meta = await readAt(fd, split, t.binOffset);
    const index = await readAt(fd, t.binBytes - split, t.binOffset + split);
    if (crc32(index, crc32(meta, crc32(gap, crc32(ids, crc)))) !== t.crc) return { ok: false, reason: 'snapshot checksum does not match' };
    const decoded = decode(t, ids.toString('utf16le'), meta, index, split, fd);
    if (typeof decoded === 'string') return { ok: false, reason: decoded };
    keep = true;
    return { ok: true, snapshot: decoded, stamp: current };
  } catch (err) {
    return { ok: false, reason: `unreadable: ${(err as Error).message}` };
  } finally {
    if (!keep) closeSync(fd);
  }
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const isCount = (x: number, min: number): boolean => Number.isInteger(x) && x >= min;

function decode(t: Trailer, idText: string, meta: Buffer, index: Buffer, split: number, fd: number): Snapshot | string {
  const arrays = new Map<ArrayName, Typed>();
  for (const a of t.arrays) {
    const Kind = KINDS[a.kind];
    const [buf, at] = a.at < split ? [meta, a.at] : [index, a.at - split];
    if (!Kind || at % 8 !== 0 || at + a.length * Kind.BYTES_PER_ELEMENT > buf.length) return `snapshot array ${a.name} is out of bounds`;
    // Views, not copies: the index keeps reading them where they were read into.
    arrays.set(a.name, new Kind(buf.buffer as ArrayBuffer, buf.byteOffset + at, a.length) as Typed);
  }
  const get = <K extends Kind>(name: ArrayName, kind: K): InstanceType<(typeof KINDS)[K]> | null => {
    const a = arrays.get(name);
    return a && kindOf(a) === kind ? (a as InstanceType<(typeof KINDS)[K]>) : null;
  };
  const n = t.entries;
  const cuts = get('cuts', 'Int32Array');
  const idLens = get('idLens', 'Int32Array');
  const nums = get('nums', 'Float64Array');
  const refs = get('refs', 'Int32Array');
  const docEntry = get('docEntry', 'Int32Array');
  if (!cuts || !idLens || !nums || !refs || !docEntry || idLens.length !== n || nums.length !== n * NUMS || refs.length !== n * REFS)
    return 'snapshot entry arrays are missing';
  const strings = t.strings;
  if (!Array.isArray(strings) || !strings.every((x) => typeof x === 'string')) return 'snapshot string table is malformed';
  // The same rules the JSON store checks, on the columns: a snapshot cannot smuggle in what the JSON could not.
  if (!isEntriesFile({ version: 1, seq: t.seq, bulletins: t.bulletins, entries: [] }))
    return 'snapshot bulletins do not match the store format';
  const ids = new Array<string>(n);
  const seen = new Set<string>();
  const starts = new Float64Array(n);
  let idAt = 0;
  let cut = 0;
  let units = 0;
  let lastSeq = 0;
  const str = (ref: number | undefined): string | undefined => (ref !== undefined && ref >= 0 ? strings[ref] : undefined);
  for (let i = 0; i < n; i++) {
    const id = idText.slice(idAt, (idAt += idLens[i]!));
    if (id.length === 0 || seen.has(id)) return 'snapshot entry ids are empty or repeated';
    seen.add(id);
    ids[i] = id;
    const o = i * NUMS;
    const [line, seq, addedSeq, revisions, bodyCount, bulletCount, corrected] = nums.subarray(o, o + NUMS) as unknown as number[];
    if (
      !isCount(line!, 0) ||
      !isCount(seq!, 1) ||
      seq! <= lastSeq ||
      !isCount(addedSeq!, 1) ||
      !isCount(revisions!, 0) ||
      !isCount(bodyCount!, 0) ||
      !isCount(bulletCount!, 0)
    )
      return 'snapshot entries do not match the store format';
    lastSeq = seq!;
    const r = i * REFS;
    const agency = str(refs[r]);
    const date = str(refs[r + 1]);
    const correctedRef = refs[r + 5]!;
    if (
      !agency ||
      date === undefined ||
      !DATE.test(date) ||
      str(refs[r + 2]) === undefined ||
      str(refs[r + 3]) === undefined ||
      str(refs[r + 4]) === undefined
    )
      return 'snapshot entries do not match the store format';
    if ((corrected === 1) !== (correctedRef !== -1) || (correctedRef !== -1 && str(correctedRef) === undefined))
      return 'snapshot entries do not match the store format';
    for (const k of [6, 7])
      if (refs[r + k] !== -1 && str(refs[r + k]) === undefined) return 'snapshot entries do not match the store format';
    const fields = 1 + bodyCount! + bulletCount!;
    if (cut + fields > cuts.length || !(cuts[cut]! > 0)) return 'snapshot entries do not match the store format';
    starts[i] = units;
    for (let f = 0; f < fields; f++) {
      const len = cuts[cut++]!;
      if (len < 0) return 'snapshot field lengths are malformed';
      units += len;
    }
  }
  if (idAt !== idText.length || cut !== cuts.length || units * 2 !== t.textBytes) return 'snapshot has text no entry uses';

  const docIds = new Array<string | null>(docEntry.length);
  for (let d = 0; d < docEntry.length; d++) {
    const at = docEntry[d]!;
    if (at !== -1 && !(at >= 0 && at < n)) return 'snapshot index names an entry it does not have';
    docIds[d] = at === -1 ? null : ids[at]!;
  }
  const need = <K extends Kind>(name: ArrayName, kind: K) => {
    const a = get(name, kind);
    if (!a) throw new Error(name);
    return a;
  };
  try {
    const remembered: IndexState['remembered'] = [];
    const rDocs = need('rememberedDocs', 'Int32Array');
    const rW = need('rememberedW', 'Uint8Array');
    const at = { docs: 0, w: 0 };
    for (const r of t.remembered) {
      const take = <A extends Typed>(a: A, key: keyof typeof at, count: number): A => {
        if (at[key] + count > a.length) throw new Error(`remembered ${key}`);
        const part = a.subarray(at[key], at[key] + count) as A;
        at[key] += count;
        return part;
      };
      remembered.push({ key: r.key, docs: take(rDocs, 'docs', r.docs), w: take(rW, 'w', r.docs) });
    }
    const indexState: IndexState = {
      ...t.index,
      remembered,
      ids: docIds,
      folded: need('folded', 'Uint8Array'),
      agencyOf: need('agencyOf', 'Int32Array'),
      dates: need('dates', 'Int32Array'),
      seqs: need('seqs', 'Float64Array'),
      unigrams: need('unigrams', 'Int32Array'),
      bigramKeys: need('bigramKeys', 'Int32Array'),
      bigramVals: need('bigramVals', 'Int32Array'),
      baseOff: need('baseOff', 'Int32Array'),
      baseDocs: need('baseDocs', 'Int32Array'),
      baseW: need('baseW', 'Uint8Array'),
      denseOf: need('denseOf', 'Int32Array'),
      denseBits: need('denseBits', 'Uint32Array'),
      denseNibbles: need('denseNibbles', 'Uint8Array'),
      denseCount: need('denseCount', 'Int32Array'),
      delta: need('delta', 'Float64Array'),
    };
    // The columns are copied by the table: the entries' part of the file's arrays is not kept.
    return {
      seq: t.seq,
      bulletins: t.bulletins,
      columns: { ids, strings, nums, refs, cuts, starts, file: { fd, offset: t.textOffset } },
      index: indexState,
    };
  } catch (err) {
    return `snapshot array ${(err as Error).message} is missing`;
  }
}
