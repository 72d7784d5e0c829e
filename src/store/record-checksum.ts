/**
 * Per-record checksums, so a file that lies is caught on load instead of believed: every record written to
 * entries.json (entries, bulletins), the subscription snapshot (subscriptions, runs) and the journal carries
 * `crc`, the CRC-32 (hex) of the record's canonical JSON — keys sorted at every level, no whitespace, `crc`
 * itself left out — so the check does not depend on key order or formatting, only on the values.
 * A record without `crc` was written before checksums existed: it is taken as it is (and the store rewrites its
 * file with them); a record whose `crc` does not match is damaged, and the load is refused naming it.
 */
import { crc32 } from 'node:zlib';

export const CRC_KEY = 'crc';

/** Whether every object in `v` already has its keys in sorted order (as the stores write records). */
function inCanonicalOrder(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return true;
  if (Array.isArray(v)) {
    for (const x of v) if (x !== null && typeof x === 'object' && !inCanonicalOrder(x)) return false;
    return true;
  }
  let prev = '';
  for (const k in v) {
    if (k < prev) return false;
    prev = k;
    const x = (v as Record<string, unknown>)[k];
    if (x === undefined || (x !== null && typeof x === 'object' && !inCanonicalOrder(x))) return false;
  }
  return true;
}

/**
 * Keys sorted at every level, compact. Records written by the stores already have their keys in that order
 * (sortedKeys), so this is JSON.stringify for them; only a record reordered by hand takes the slow path.
 */
export function canonicalJson(v: unknown): string {
  if (inCanonicalOrder(v)) return JSON.stringify(v) ?? 'null';
  return slowCanonicalJson(v);
}

/** A deep copy with keys in sorted order: what the stores write, so canonicalJson is JSON.stringify on reading. */
export function sortedKeys<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(sortedKeys) as T;
  const o = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o).sort()) out[k] = sortedKeys(o[k]);
  return out as T;
}

function slowCanonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) out += (i ? ',' : '') + (v[i] === undefined ? 'null' : slowCanonicalJson(v[i]));
    return `${out}]`;
  }
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    const x = o[k];
    if (x === undefined || typeof x === 'function') continue;
    out += (first ? '' : ',') + JSON.stringify(k) + ':' + slowCanonicalJson(x);
    first = false;
  }
  return `${out}}`;
}

const hex = (n: number) => n.toString(16).padStart(8, '0');

/** The checksum of a record, `crc` (if present) left out. */
export function checksumOf(record: object): string {
  if (!Object.hasOwn(record, CRC_KEY)) return hex(crc32(canonicalJson(record)));
  const { [CRC_KEY]: _ignored, ...rest } = record as Record<string, unknown>;
  return hex(crc32(canonicalJson(rest)));
}

/** A copy of the record, keys sorted, with its checksum (`crc` last). */
export function withChecksum<T extends object>(record: T): T & { crc: string } {
  const sorted = sortedKeys(record);
  return { ...sorted, crc: checksumOf(sorted) };
}

export type RecordCheck = 'ok' | 'legacy' | 'damaged';

/** The record as one line of JSON, keys sorted, its checksum last: `{…,"crc":"1a2b3c4d"}`. */
export function checksummedJson(record: object): string {
  const body = canonicalJson(record);
  const h = hex(crc32(body));
  return body === '{}' ? `{"crc":"${h}"}` : `${body.slice(0, -1)},"crc":"${h}"}`;
}

/** Keys (other than a last `crc`) in sorted order at every level, `crc` last: as checksummedJson writes. */
function writtenOrder(r: Record<string, unknown>): boolean {
  let prev = '';
  let sawCrc = false;
  for (const k in r) {
    if (sawCrc) return false;
    if (k === CRC_KEY) {
      sawCrc = true;
      continue;
    }
    if (k < prev) return false;
    prev = k;
    const x = r[k];
    if (x === undefined || (x !== null && typeof x === 'object' && !inCanonicalOrder(x))) return false;
  }
  return sawCrc;
}

/**
 * Checks a record read from disk and removes its `crc` (in place), so what remains is the record as the schema
 * knows it. 'legacy': no checksum (an old file); 'damaged': the values are not those the checksum was made of.
 */
export function verifyAndStrip(record: unknown): RecordCheck {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return 'legacy';
  const r = record as Record<string, unknown>;
  if (!Object.hasOwn(r, CRC_KEY)) return 'legacy';
  const stored = r[CRC_KEY];
  let body: string;
  if (writtenOrder(r)) {
    // As written: the canonical JSON is the record's own JSON without its last key.
    const s = JSON.stringify(r);
    const at = s.lastIndexOf(`"${CRC_KEY}":`);
    body = at <= 1 ? '{}' : `${s.slice(0, at - 1)}}`;
  } else {
    const { [CRC_KEY]: _ignored, ...rest } = r;
    body = slowCanonicalJson(rest);
  }
  delete r[CRC_KEY];
  return typeof stored === 'string' && stored === hex(crc32(body)) ? 'ok' : 'damaged';
}

/** Counts of a file's records by verdict, for `npm run check` and the migration. */
export interface ChecksumTally {
  ok: number;
  legacy: number;
}
