import { join } from 'node:path';
import { appendFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createPublishLog } from '../../src/admin/publish-log.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const tempDir = useTempDir();

describe('publish log', () => {
  it('a publish killed mid-way is reported as not completed by the next process; completed and failed ones as such', async () => {
    const path = join(tempDir(), 'publish.log');
    const first = createPublishLog(path, () => Date.parse('2026-12-06T08:00:00Z'));
    expect(await first.last()).toBeNull();
    const id = await first.started('b3.txt', 11);
    expect(await first.last()).toMatchObject({ file: 'b3.txt', by: 11, state: 'publishing' });
    // The process dies here: another one reads the log.
    appendFileSync(path, '{"id":"torn'); // and its last write was cut short
    const next = createPublishLog(path);
    expect(await next.last()).toMatchObject({ file: 'b3.txt', state: 'not completed', startedAt: '2026-12-06T08:00:00.000Z' });
    void id;

    const ok = await next.started('b4.txt', 11);
    await next.completed(ok, { added: 5, corrected: 1 });
    expect(await next.last()).toMatchObject({ file: 'b4.txt', state: 'completed', added: 5, corrected: 1 });
    const bad = await next.started('b5.txt', 12);
    await next.failed(bad, 'ENOSPC: no space left on device');
    expect(await createPublishLog(path).last()).toMatchObject({
      file: 'b5.txt',
      state: 'failed',
      error: 'ENOSPC: no space left on device',
    });
  });
});
