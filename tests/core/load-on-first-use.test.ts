import { describe, expect, it } from 'vitest';
import { loadOnFirstUse } from '../../src/core/load-on-first-use.ts';

describe('loadOnFirstUse', () => {
  it('loads nothing until the getter is called', () => {
    // Creating the getter for a package that does not exist is fine; only using it fails.
    const missing = loadOnFirstUse<unknown>('no-such-package-for-this-test');
    expect(() => missing()).toThrowError(/Cannot find module 'no-such-package-for-this-test'/);
  });

  it('gives the package, the same module on every call', () => {
    const iconv = loadOnFirstUse<{ decode(b: Buffer, enc: string): string }>('iconv-lite');
    const first = iconv();
    expect(first.decode(Buffer.from([0xb8, 0xb4, 0xb9, 0xa4]), 'gb18030')).toBe('复工');
    expect(iconv()).toBe(first);
  });
});
