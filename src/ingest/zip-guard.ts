/**
 * A .docx is a zip; a zip can be a bomb (a few KB that inflate to gigabytes). Before mammoth (which
 * inflates everything in memory) sees a file, every part is inflated here with a running budget: the
 * whole must stay under MAX_INFLATED_BYTES, whatever the sizes the archive claims.
 */
import { inflateRawSync } from 'node:zlib';

export const MAX_INFLATED_BYTES = 20 * 1024 * 1024;

export class ZipError extends Error {}

export interface ZipPart {
  name: string;
  data: Buffer;
}

/** The parts of a zip archive, inflated within the budget; throws ZipError for a broken or oversized archive. */
export function readZip(bytes: Uint8Array, budget = MAX_INFLATED_BYTES): ZipPart[] {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The end-of-central-directory record is in the last 64 KB + 22 bytes.
  let eocd = -1;
  for (let i = b.length - 22; i >= Math.max(0, b.length - 65_557); i--) {
    if (b.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd === -1) throw new ZipError('the archive is damaged (no central directory)');
  const count = b.readUInt16LE(eocd + 10);
  let at = b.readUInt32LE(eocd + 16);
  const parts: ZipPart[] = [];
  let total = 0;
  for (let n = 0; n < count; n++) {
    if (at + 46 > b.length || b.readUInt32LE(at) !== 0x02014b50) throw new ZipError('the archive is damaged (bad directory entry)');
    const method = b.readUInt16LE(at + 10);
    const compressed = b.readUInt32LE(at + 20);
    const nameLen = b.readUInt16LE(at + 28);
    const extraLen = b.readUInt16LE(at + 30);
    const commentLen = b.readUInt16LE(at + 32);
    const local = b.readUInt32LE(at + 42);
    const name = b.toString('utf8', at + 46, at + 46 + nameLen);
    at += 46 + nameLen + extraLen + commentLen;
    if (local + 30 > b.length || b.readUInt32LE(local) !== 0x04034b50) throw new ZipError(`the archive is damaged (part ${name})`);
    const start = local + 30 + b.readUInt16LE(local + 26) + b.readUInt16LE(local + 28);
    const raw = b.subarray(start, start + compressed);
    const left = budget - total;
    let data: Buffer;
    if (method === 0) data = Buffer.from(raw);
    else if (method === 8) {
      try {
        // maxOutputLength stops inflating at the budget instead of after the damage is done.
        data = inflateRawSync(raw, { maxOutputLength: Math.max(1, left + 1) });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || /larger than/i.test((err as Error).message))
          throw new ZipError(`its contents inflate to more than ${budget / 1024 / 1024} MB`);
        throw new ZipError(`the archive is damaged (part ${name} does not inflate)`);
      }
    } else throw new ZipError(`part ${name} uses a compression this reader does not know (${method})`);
    total += data.length;
    if (total > budget) throw new ZipError(`its contents inflate to more than ${budget / 1024 / 1024} MB`);
    parts.push({ name, data });
  }
  return parts;
}
