/**
 * A binary copy of the entry store and its search index, kept beside entries.json so a restart does
 * not decode 135 MB of JSON and index 39 M characters again (5–7 s at 100k entries). entries.json
 * stays the store of record: the snapshot names the exact file it copies (size, mtime, inode), and
 * anything that does not match, or fails its checksum, is ignored and the JSON is read instead.
 *
 * Layout: MAGIC, then the text of every string (UTF-16LE, so reading it is a copy, not a UTF-8
 * decode), then the typed arrays, each 8-byte aligned, then a JSON trailer describing them, its byte
 * length (u32) and MAGIC again. The trailer comes last so the body can be streamed in slices without
 * knowing the checksum up front.
 */
import { open, rename, rm } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { StoredEntry } from '../core/model.ts';
import type { IndexState } from '../core/search/search-index.ts';
import type { EntriesFile, StoredBulletin } from './entry-store.ts';
import { isEntriesFile } from './entry-store.ts';
import { sameStamp, stampOf } from './file-stamp.ts';
import type { FileStamp } from './file-stamp.ts';

const MAGIC = Buffer.from('BBOTSNP1', 'latin1');
const FORMAT = 2;
/** Entries encoded per slice while writing: a slice costs a few milliseconds of the event loop. */
const SLICE = 4_000;
const PIECE = 4 * 2 ** 20;

export interface Snapshot {
  data: EntriesFile;
  index: IndexState;
}

type ArrayName = 'cuts' | 'nums' | 'docEntry' | 'folded' | 'agencyOf' | 'dates' | 'seqs' | 'unigrams' | 'bigramKeys' | 'bigramVals' | 'baseOff' | 'baseDocs' | 'baseW' | 'denseOf' | 'denseBits' | 'denseNibbles' | 'denseCount' | 'delta' | 'rememberedDocs' | 'rememberedW' | 'rememberedBits' | 'rememberedNib' | 'rememberedExtra';
/** Arrays before this one describe entries (dropped after decoding); from it on, the index (kept). */
const FIRST_INDEX_ARRAY: ArrayName = 'agencyOf';
const KINDS = { Int32Array, Float64Array, Uint8Array, Uint32Array } as const;
type Kind = keyof typeof KINDS;
type Typed = Int32Array<ArrayBuffer> | Float64Array<ArrayBuffer> | Uint8Array<ArrayBuffer> | Uint32Array<ArrayBuffer>;

interface Trailer {
  format: number;
  stamp: FileStamp;
  seq: number;
  bulletins: StoredBulletin[];
  entries: number;
  textOffset: number;
  textBytes: number;
  binOffset: number;
  binBytes: number;
  arrays: { name: ArrayName; kind: Kind; at: number; length: number }[];
  index: Omit<IndexState, ArrayName | 'ids' | 'seqs' | 'remembered'>;
  /** Per remembered keyword: its matches' lengths in the remembered* arrays, in order. */
  remembered: { key: string; count: number; docs: number; bits: boolean; extra: number }[];
  crc: number;
}

// Per entry: line, seq, addedSeq, revisions, body paragraphs, bullets, correctedAt present (1/0).
const NUMS = 7;
const FIXED_STRINGS = 8; // id, agency, date, title, source, bulletin, addedAt, correctedAt ('' if null)

const kindOf = (a: Typed): Kind => (a instanceof Int32Array ? 'Int32Array' : a instanceof Float64Array ? 'Float64Array' : a instanceof Uint8Array ? 'Uint8Array' : 'Uint32Array');
const pad8 = (n: number): number => (n + 7) & ~7;

/**
 * Writes the snapshot of `data` and `index` as the copy of the store file whose stamp is given, to a
 * temporary file renamed into place. The caller guarantees that data and index describe that file.
 * Entry objects are never modified in place by the store (a correction is a new object), so slicing
 * the work over several turns of the event loop still writes one consistent copy.
 */
export async function writeSnapshot(file: string, snap: Snapshot, stamp: FileStamp): Promise<{ bytes: number }> {
  const entries = snap.data.entries.slice();
  const bulletins = structuredClone(snap.data.bulletins);
  const seq = snap.data.seq;
  const n = entries.length;
  const { ids, folded, seqs, agencyOf, dates, unigrams, bigramKeys, bigramVals, baseOff, baseDocs, baseW, denseOf, denseBits, denseNibbles, denseCount, delta, remembered, ...scalars } = snap.index;
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
  const rememberedMeta = remembered.map((r) => ({ key: r.key, count: r.count, docs: r.docs.length, bits: r.bits !== null, extra: r.extra?.length ?? 0 }));
  const rememberedArrays: [ArrayName, Typed][] = [
    ['rememberedDocs', concat(Int32Array, remembered.map((r) => r.docs))],
    ['rememberedW', concat(Uint8Array, remembered.map((r) => r.w))],
    ['rememberedBits', concat(Uint32Array, remembered.flatMap((r) => (r.bits ? [r.bits] : [])))],
    ['rememberedNib', concat(Uint8Array, remembered.flatMap((r) => (r.nib ? [r.nib] : [])))],
    ['rememberedExtra', concat(Float64Array, remembered.flatMap((r) => (r.extra ? [r.extra] : [])))],
  ];
  // Everything was captured above in the caller's turn; from here on the work is sliced.
  await yieldToLoop();
  const position = new Map<string, number>();
  const docEntry = new Int32Array(ids.length);
  for (let from = 0; from < Math.max(n, ids.length); from += SLICE * 5) {
    for (let i = from; i < Math.min(n, from + SLICE * 5); i++) position.set(entries[i]!.id, i);
    await yieldToLoop();
  }
  for (let from = 0; from < ids.length; from += SLICE * 5) {
    for (let d = from; d < Math.min(ids.length, from + SLICE * 5); d++) {
      const id = ids[d];
      const at = id === null || id === undefined ? -1 : position.get(id);
      if (at === undefined) throw new Error(`snapshot: the index names entry ${id}, which is not in the data`);
      docEntry[d] = at;
    }
    await yieldToLoop();
  }

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
  try {
    offset = MAGIC.length;
    await fh.write(MAGIC, 0, MAGIC.length, 0);
    const textOffset = offset;
    let units = 0;
    let strings = 0;
    const cutsList: number[] = [];
    const nums = new Float64Array(n * NUMS);
    for (let from = 0; from < n; from += SLICE) {
      const parts: string[] = [];
      for (let i = from; i < Math.min(n, from + SLICE); i++) {
        const e = entries[i]!;
        const fixed = [e.id, e.agency, e.date, e.title, e.source, e.bulletin, e.addedAt, e.correctedAt ?? ''];
        for (const s of [...fixed, ...e.body, ...e.bullets]) {
          parts.push(s);
          units += s.length;
          cutsList.push(units);
          strings++;
        }
        nums.set([e.line, e.seq, e.addedSeq, e.revisions, e.body.length, e.bullets.length, e.correctedAt === null ? 0 : 1], i * NUMS);
      }
      await put(Buffer.from(parts.join(''), 'utf16le'));
      await yieldToLoop();
    }
    if (units > 0x7fffffff) throw new Error('snapshot: too much text for one snapshot');
    const textBytes = offset - textOffset;
    await padTo8();
    const binOffset = offset;
    const arrays: Trailer['arrays'] = [];
    const named: [ArrayName, Typed][] = [
      ['cuts', Int32Array.from(cutsList)],
      ['nums', nums],
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
    const trailer: Trailer = { format: FORMAT, stamp, seq, bulletins, entries: n, textOffset, textBytes, binOffset, binBytes, arrays, index: scalars, remembered: rememberedMeta, crc };
    const json = Buffer.from(JSON.stringify(trailer), 'utf8');
    const tail = Buffer.alloc(4);
    tail.writeUInt32LE(json.length);
    const end = Buffer.concat([json, tail, MAGIC]);
    await fh.write(end, 0, end.length, offset);
    offset += end.length;
    await fh.sync();
    await fh.close();
    await rename(tmp, file);
    return { bytes: offset };
  } catch (err) {
    await fh.close().catch(() => {});
    await rm(tmp, { force: true });
    throw err;
  }
}

export type SnapshotRead = { ok: true; snapshot: Snapshot; stamp: FileStamp } | { ok: false; reason: string };

/** Reads the snapshot if it is a whole, intact copy of `storeFile` as it is now; otherwise says why not. */
export async function readSnapshot(file: string, storeFile: string): Promise<SnapshotRead> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch {
    return { ok: false, reason: 'no snapshot' };
  }
  try {
    const [{ size }, current] = await Promise.all([fh.stat(), stampOf(storeFile).catch(() => null)]);
    if (!current) return { ok: false, reason: 'no store file' };
    const head = Buffer.alloc(MAGIC.length);
    await fh.read(head, 0, head.length, 0);
    const tail = Buffer.alloc(4 + MAGIC.length);
    if (size < MAGIC.length + tail.length) return { ok: false, reason: 'snapshot is truncated' };
    await fh.read(tail, 0, tail.length, size - tail.length);
    if (!head.equals(MAGIC) || !tail.subarray(4).equals(MAGIC)) return { ok: false, reason: 'not a snapshot, or truncated' };
    const jsonBytes = tail.readUInt32LE(0);
    if (jsonBytes > size - MAGIC.length - tail.length) return { ok: false, reason: 'snapshot trailer is malformed' };
    const json = Buffer.alloc(jsonBytes);
    await fh.read(json, 0, jsonBytes, size - tail.length - jsonBytes);
    let trailer: Trailer;
    try {
      trailer = JSON.parse(json.toString('utf8')) as Trailer;
    } catch {
      return { ok: false, reason: 'snapshot trailer is not JSON' };
    }
    if (trailer.format !== FORMAT) return { ok: false, reason: `snapshot format ${String(trailer.format)}, expected ${FORMAT}` };
    if (!sameStamp(trailer.stamp, current)) return { ok: false, reason: 'the store file changed since the snapshot' };
    if (trailer.binOffset % 8 !== 0 || trailer.binOffset + trailer.binBytes + jsonBytes + tail.length !== size) return { ok: false, reason: 'snapshot sections do not add up' };
    // Three reads: the text and the entries' arrays are dropped once decoded; only the index's
    // arrays stay, as views into their own buffer, so nothing else is kept alive with them.
    const split = trailer.arrays.find((a) => a.name === FIRST_INDEX_ARRAY)?.at ?? trailer.binBytes;
    if (split % 8 !== 0 || split > trailer.binBytes) return { ok: false, reason: 'snapshot sections do not add up' };
    const text = Buffer.allocUnsafe(trailer.textBytes);
    const meta = Buffer.allocUnsafe(split);
    const index = Buffer.allocUnsafe(trailer.binBytes - split);
    await Promise.all([fh.read(text, 0, text.length, trailer.textOffset), fh.read(meta, 0, meta.length, trailer.binOffset), fh.read(index, 0, index.length, trailer.binOffset + split)]);
    const gap = Buffer.alloc(trailer.binOffset - trailer.textOffset - trailer.textBytes);
    if (crc32(index, crc32(meta, crc32(gap, crc32(text)))) !== trailer.crc) return { ok: false, reason: 'snapshot checksum does not match' };
    const decoded = decode(trailer, text.toString('utf16le'), meta, index, split);
    if (typeof decoded === 'string') return { ok: false, reason: decoded };
    return { ok: true, snapshot: decoded, stamp: current };
  } finally {
    await fh.close();
  }
}

/**
 * A number read from a Float64Array is a double, and V8 then keeps that field of every entry as a
 * boxed heap number (400k of them, 6 MB at 100k entries); the same integer as a small int is not boxed.
 */
const small = (x: number): number => (x === (x | 0) ? x | 0 : x);

function decode(t: Trailer, text: string, meta: Buffer, index: Buffer, split: number): Snapshot | string {
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
  const cuts = get('cuts', 'Int32Array');
  const nums = get('nums', 'Float64Array');
  const docEntry = get('docEntry', 'Int32Array');
  if (!cuts || !nums || !docEntry || nums.length !== t.entries * NUMS) return 'snapshot entry arrays are missing';

  // Short strings repeat across entries (agency, date, source, bulletin, times): one copy each.
  const interned = new Map<string, string>();
  const intern = (s: string): string => {
    const seen = interned.get(s);
    if (seen !== undefined) return seen;
    interned.set(s, s);
    return s;
  };
  const entries: StoredEntry[] = new Array(t.entries);
  let k = 0;
  let from = 0;
  const next = (): string => {
    const to = cuts[k++]!;
    const s = text.slice(from, to);
    from = to;
    return s;
  };
  for (let i = 0; i < t.entries; i++) {
    const o = i * NUMS;
    const bodyCount = nums[o + 4]!;
    const bulletCount = nums[o + 5]!;
    if (k + FIXED_STRINGS + bodyCount + bulletCount > cuts.length) return 'snapshot strings are fewer than its entries need';
    const id = next();
    const agency = intern(next());
    const date = intern(next());
    const title = next();
    const source = intern(next());
    const bulletin = intern(next());
    const addedAt = intern(next());
    const correctedAt = intern(next());
    const body = new Array<string>(bodyCount);
    for (let j = 0; j < bodyCount; j++) body[j] = next();
    const bullets = new Array<string>(bulletCount);
    for (let j = 0; j < bulletCount; j++) bullets[j] = next();
    // Key order as the store writes entries, so the file written from these is byte-identical.
    entries[i] = { id, agency, date, title, body, bullets, source, bulletin, line: small(nums[o]!), seq: small(nums[o + 1]!), addedSeq: small(nums[o + 2]!), addedAt, revisions: small(nums[o + 3]!), correctedAt: nums[o + 6] ? correctedAt : null } as StoredEntry;
  }
  if (k !== cuts.length || from !== text.length) return 'snapshot has strings no entry uses';
  const data = { version: 1, seq: t.seq, bulletins: t.bulletins, entries } as EntriesFile;
  // The same fast check the JSON store passes: a snapshot cannot smuggle in what the JSON could not.
  if (!isEntriesFile(data)) return 'snapshot entries do not match the store format';

  const ids = new Array<string | null>(docEntry.length);
  for (let d = 0; d < docEntry.length; d++) {
    const at = docEntry[d]!;
    if (at !== -1 && !(at >= 0 && at < entries.length)) return 'snapshot index names an entry it does not have';
    ids[d] = at === -1 ? null : entries[at]!.id;
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
    const rBits = need('rememberedBits', 'Uint32Array');
    const rNib = need('rememberedNib', 'Uint8Array');
    const rExtra = need('rememberedExtra', 'Float64Array');
    const at = { docs: 0, w: 0, bits: 0, nib: 0, extra: 0 };
    const { words, nibbleBytes } = t.index;
    for (const r of t.remembered) {
      const take = <A extends Typed>(a: A, key: keyof typeof at, n: number): A => {
        if (at[key] + n > a.length) throw new Error(`remembered ${key}`);
        const part = a.subarray(at[key], at[key] + n) as A;
        at[key] += n;
        return part;
      };
      remembered.push({ key: r.key, count: r.count, docs: take(rDocs, 'docs', r.docs), w: take(rW, 'w', r.docs), bits: r.bits ? take(rBits, 'bits', words) : null, nib: r.bits ? take(rNib, 'nib', nibbleBytes) : null, extra: r.extra ? take(rExtra, 'extra', r.extra) : null });
    }
    const index: IndexState = {
      ...t.index,
      remembered,
      ids,
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
    return { data, index };
  } catch (err) {
    return `snapshot array ${(err as Error).message} is missing`;
  }
}
