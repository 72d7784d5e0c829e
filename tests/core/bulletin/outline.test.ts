import { describe, expect, it } from 'vitest';
import { headingName } from '../../../src/core/bulletin/headings.ts';
import { madeLine } from '../../../src/core/bulletin/lines.ts';
import { parseBulletin } from '../../../src/core/parse-bulletin.ts';
import { shippedAgencies } from '../../helpers/seed.ts';

const agencies = shippedAgencies();

describe('headingName: an outline node with the count of its children', () => {
  it.each([
    ['- 市经信委（2条）', '市经信委'],
    ['* 黄浦区 (3项)', '黄浦区'],
    ['市卫健委（共4条）', '市卫健委'],
    ['- 浦东', '浦东'],
    // A count inside a title is the title's own.
    ['- 稳就业18条', '稳就业18条'],
    ['市人社局出台“十条”', '市人社局出台“十条”'],
  ])('%s → %s', (line, name) => {
    expect(headingName(madeLine(1, line)).name).toBe(name);
  });
});

describe('a whole outline export', () => {
  it('files nodes under an agency node with a count', () => {
    const text = [
      '2020年8月政策脑图（截止8月20日）',
      '- 市经信委（2条）',
      '    - 8月3日｜纾困贷再扩容',
      '        - 来源：上海经信委',
      '    - 8月12日',
      '        - 工业互联网专项申报启动',
      '- 市交通委 (1项)',
      '\t- 公交夜宵线调整（8月7日）',
    ].join('\n');
    const rows = parseBulletin(text, { file: 't.txt', agencies }).entries.map((e) => [e.agency, e.date, e.title]);
    expect(rows).toEqual([
      ['上海市经济和信息化委员会', '2020-08-03', '纾困贷再扩容'],
      ['上海市经济和信息化委员会', '2020-08-12', '工业互联网专项申报启动'],
      ['上海市交通委员会', '2020-08-07', '公交夜宵线调整'],
    ]);
  });
});
