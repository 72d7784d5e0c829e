import { stat } from 'node:fs/promises';

/** Identifies one version of a file without reading it: a rewrite (temp file + rename) changes all three. */
export interface FileStamp {
  size: number;
  mtimeMs: number;
  ino: number;
}

export const stampOf = async (file: string): Promise<FileStamp> => {
  const s = await stat(file);
  return { size: s.size, mtimeMs: s.mtimeMs, ino: s.ino };
};

export const sameStamp = (a: FileStamp, b: FileStamp): boolean => a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;
