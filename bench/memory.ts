/** Memory in MB after a full gc (when the child runs with --expose-gc), for the fresh-process measurements. */
export function memoryNow(): { rssMB: number; heapUsedMB: number; externalMB: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { rssMB: m.rss / 2 ** 20, heapUsedMB: m.heapUsed / 2 ** 20, externalMB: (m.external + m.arrayBuffers) / 2 ** 20 };
}

export const hasGc = (): boolean => typeof (globalThis as { gc?: unknown }).gc === 'function';
