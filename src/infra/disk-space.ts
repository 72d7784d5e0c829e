/**
 * Free space where the data lives, for /healthz: a full disk stops every progress write (digests are then
 * resent after a restart, subscriptions wait in memory), so the probe turns unhealthy below a floor
 * (HEALTH_MIN_FREE_MB) before that happens, not after.
 */
import { statfs } from 'node:fs/promises';

export interface DiskReport {
  path: string;
  freeMb: number;
  minFreeMb: number;
  ok: boolean;
}

export async function diskReport(
  path: string,
  minFreeMb: number,
  stat: (p: string) => Promise<{ bavail: number; bsize: number }> = statfs,
): Promise<DiskReport> {
  const s = await stat(path);
  const freeMb = Math.floor((s.bavail * s.bsize) / 2 ** 20);
  return { path, freeMb, minFreeMb, ok: freeMb >= minFreeMb };
}
