import { describe, expect, it } from 'vitest';
import { createWriteBatcher } from '../../src/store/json-file.ts';

describe('write batcher', () => {
  it('coalesces many changes into one write', async () => {
    let writes = 0;
    const b = createWriteBatcher(async () => void writes++, 10_000);
    for (let i = 0; i < 100; i++) b.markDirty();
    await b.flush();
    expect(writes).toBe(1);
    await b.flush();
    expect(writes).toBe(1);
  });

  it('keeps a failed write dirty: flush() retries it and throws while it still fails', async () => {
    let fail = true;
    let disk = 0;
    let memory = 0;
    const errors: unknown[] = [];
    const b = createWriteBatcher(
      async () => {
        if (fail) throw new Error('ENOSPC: no space left on device');
        disk = memory;
      },
      10_000,
      (e) => errors.push(e),
    );
    memory = 1;
    b.markDirty();
    await expect(b.flush()).rejects.toThrow(/ENOSPC/);
    expect(disk).toBe(0);
    await expect(b.flush()).rejects.toThrow(/ENOSPC/);
    fail = false;
    await b.flush();
    expect(disk).toBe(1);
  });

  it('reports a failed background write and retries it on its own', async () => {
    let attempts = 0;
    const errors: unknown[] = [];
    const b = createWriteBatcher(
      async () => {
        if (++attempts === 1) throw new Error('EIO');
      },
      1,
      (e) => errors.push(e),
    );
    b.markDirty();
    for (let i = 0; i < 200 && attempts < 2; i++) await new Promise((r) => setTimeout(r, 50));
    expect(errors).toHaveLength(1);
    expect(attempts).toBe(2);
    await b.flush();
    expect(attempts).toBe(2);
  });
});
