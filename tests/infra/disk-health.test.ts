import { describe, expect, it } from 'vitest';
import { diskReport } from '../../src/infra/disk-space.ts';
import { isHealthy } from '../../src/infra/http-server.ts';
import { writeHealth } from '../../src/infra/write-health.ts';
import { createWriteBatcher } from '../../src/store/json-file.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const tempDir = useTempDir();
const base = { storeReadable: true, schedulerAlive: true, lastDigestRun: null };

describe('honest /healthz', () => {
  it('reports the free space of DATA_DIR, unhealthy under the floor', async () => {
    const full = await diskReport('/data', 100, async () => ({ bavail: 10, bsize: 4096 }));
    expect(full).toEqual({ path: '/data', freeMb: 0, minFreeMb: 100, ok: false });
    expect(isHealthy({ ...base, disk: full })).toBe(false);
    const roomy = await diskReport('/data', 100, async () => ({ bavail: 1_000_000, bsize: 4096 }));
    expect(roomy).toMatchObject({ freeMb: 3906, ok: true });
    expect(isHealthy({ ...base, disk: roomy })).toBe(true);
    // The real thing, on a real directory.
    expect((await diskReport(tempDir(), 0)).freeMb).toBeGreaterThanOrEqual(0);
  });

  it('reports the last write error, unhealthy while writes still fail, healthy again once one succeeds', async () => {
    let fail = true;
    const batcher = createWriteBatcher(async () => {
      if (fail) throw new Error('ENOSPC: no space left on device, write');
    }, 60_000);
    batcher.markDirty();
    await expect(batcher.flush()).rejects.toThrow(/ENOSPC/);
    let writes = writeHealth({ entries: { lastError: null, failing: false }, subscriptions: batcher.status() });
    expect(writes).toMatchObject({
      failing: true,
      lastError: { store: 'subscriptions', message: 'ENOSPC: no space left on device, write' },
    });
    expect(isHealthy({ ...base, writes })).toBe(false);
    fail = false;
    await batcher.flush();
    writes = writeHealth({ entries: { lastError: null, failing: false }, subscriptions: batcher.status() });
    expect(writes.failing).toBe(false);
    expect(writes.lastError?.message).toMatch(/ENOSPC/);
    expect(isHealthy({ ...base, writes })).toBe(true);
  });
});
