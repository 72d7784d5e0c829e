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

  it.each(['', '上海', '市', 'xyz', '九亭镇'])('%j resolves to nothing', (input) => expect(dir.resolve(input)).toBeNull());

  it.each([
    // Whole words: an alias inside a longer, different agency's name is not that agency.
    ['出入境检验检疫局', '上海海关'],
    ['上海出入境检验检疫局', '上海海关'],
    ['Shanghai Law Society', null],
    ['上海海关学院', null],
    ['Shanghai police', '上海市公安局'],
    ['静安公安分局', '上海市公安局'],
    ['浦东警方', '上海市公安局'],
    ['上海市公安局出入境管理局', '上海市公安局'],
    // Agencies bulletins cite that the first list lacked.
    ['市经信委', '上海市经济和信息化委员会'],
    ['市人社局', '上海市人力资源和社会保障局'],
    ['市商务委', '上海市商务委员会'],
    ['税务', '国家税务总局上海市税务局'],
    ['国家税务总局上海市税务局', '国家税务总局上海市税务局'],
    ['海关', '上海海关'],
    ['人民银行上海总部', '中国人民银行上海总部'],
    ['卫健委', '上海市卫生健康委员会'],
    ['Shanghai Customs', '上海海关'],
  ])('%s → %s', (input, name) => expect(dir.resolve(input)).toBe(name));

  it('every agency has an official name, a short name and an English name, and no alias names two agencies', () => {
    const owner = new Map<string, string>();
    for (const name of dir.names()) {
      const info = dir.info(name)!;
      expect(info.short, name).toBeTruthy();
      expect(info.en, name).toMatch(/[A-Za-z]/);
      for (const alias of [info.name, info.short!, ...info.aliases]) {
        expect(owner.get(alias) ?? name, alias).toBe(name);
        owner.set(alias, name);
        expect(dir.resolve(alias), alias).toBe(name);
      }
    }
    expect(dir.names().length).toBeGreaterThanOrEqual(60);
  });

  it('finds whole-word mentions in a longer text (for query understanding)', () => {
    expect(dir.mentions('市经信委和市科委联合发布').map((m) => m.agency)).toEqual(['上海市经济和信息化委员会', '上海市科学技术委员会']);
    expect(dir.mentions('上海出入境检验检疫局发布').map((m) => m.agency)).toEqual(['上海海关']);
    expect(dir.mentions('公安出入境检验')).toEqual([]);
    // Words typed apart are words: "公安 复工" names 公安 (the rest is a keyword).
    expect(dir.resolve('公安 复工')).toBe('上海市公安局');
    expect(dir.resolve('公安复工')).toBeNull();
    expect(dir.resolveExact('公安')).toBe('上海市公安局');
    expect(dir.resolveExact('上海市公安局金山分局')).toBeNull();
  });

  it('knows news outlets, which are not agencies', () => {
    expect(dir.isOutlet('上海发布')).toBe(true);
    expect(dir.isOutlet('警民直通车-上海')).toBe(true);
    expect(dir.isOutlet('上海发布微信公众号')).toBe(true);
    expect(dir.isOutlet('上海市公安局')).toBe(false);
    expect(dir.isOutlet('新民晚报记者 张三')).toBe(true);
    expect(dir.isOutlet('新民晚报社区版')).toBe(false);
  });

  it('suggests close names for a typo, most similar first', () => {
    expect(dir.suggest('公按')[0]).toBe('上海市公安局');
    expect(dir.suggest('公按局')[0]).toBe('上海市公安局');
    expect(dir.suggest('市经信')[0]).toBe('上海市经济和信息化委员会');
    expect(dir.suggest('司法厅')[0]).toBe('上海市司法局');
    expect(dir.suggest('polise')[0]).toBe('上海市公安局');
  });

  it('suggests nothing for input unlike any agency', () => {
    expect(dir.suggest('xyz')).toEqual([]);
    expect(dir.suggest('天气预报')).toEqual([]);
  });

  it('learns agencies met only in bulletins', () => {
    const more = dir.withExtra(['上海市松江区九亭镇人民政府']);
    expect(more.resolve('九亭镇')).toBe('上海市松江区九亭镇人民政府');
    expect(more.isKnown('上海市松江区九亭镇人民政府')).toBe(false);
    expect(more.resolve('警方')).toBe('上海市公安局');
  });
});
