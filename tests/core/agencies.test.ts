import { describe, expect, it } from 'vitest';
import { shippedAgencies } from '../helpers/seed.ts';

const dir = shippedAgencies();

describe('agency directory', () => {
  it.each([
    ['科委', '上海市科学技术委员会'],
    ['市科委', '上海市科学技术委员会'],
    ['市外专局', '上海市科学技术委员会'],
    ['科学技术', '上海市科学技术委员会'],
    ['公安', '上海市公安局'],
    ['市公安局', '上海市公安局'],
    ['警方', '上海市公安局'],
    ['交警', '上海市公安局'],
    ['Police', '上海市公安局'],
    ['上海市公安局金山分局', '上海市公安局'],
    ['民政', '上海市民政局'],
    [' 上海市司法局 ', '上海市司法局'],
    ['justice', '上海市司法局'],
    ['ｐｏｌｉｃｅ', '上海市公安局'],
  ])('%s → %s', (input, name) => expect(dir.resolve(input)).toBe(name));

  it.each(['', '上海', '市', '卫健委', 'xyz'])('%j resolves to nothing', (input) => expect(dir.resolve(input)).toBeNull());

  it('suggests close names for a typo', () => {
    expect(dir.suggest('公按局')[0]).toBe('上海市公安局');
    expect(dir.suggest('司法厅')[0]).toBe('上海市司法局');
    expect(dir.suggest('polise')[0]).toBe('上海市公安局');
  });

  it('suggests nothing for input unlike any agency', () => {
    expect(dir.suggest('xyz')).toEqual([]);
    expect(dir.suggest('卫健委')).toEqual([]);
  });

  it('learns agencies met only in bulletins', () => {
    const more = dir.withExtra(['上海市交通委员会']);
    expect(more.resolve('交通委员会')).toBe('上海市交通委员会');
    expect(more.isKnown('上海市交通委员会')).toBe(false);
    expect(more.resolve('警方')).toBe('上海市公安局');
  });
});
