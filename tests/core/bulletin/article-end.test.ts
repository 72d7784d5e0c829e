import { describe, expect, it } from 'vitest';
import { beforeSiteLists } from '../../../src/core/bulletin/article-end.ts';
import { readDateLine } from '../../../src/core/bulletin/dates.ts';
import { splitLines } from '../../../src/core/bulletin/lines.ts';

const isDate = (l: { form: string }) => readDateLine(l.form) !== null;
const read = (text: string) => {
  const warned: number[] = [];
  const kept = beforeSiteLists(splitLines(text), (line) => warned.push(line), isDate).map((l) => l.text);
  return { kept, warned };
};

describe('beforeSiteLists: a news page’s own lists end the bulletin', () => {
  it.each(['相关推荐', '◆ 相关推荐', '▍延伸阅读', '—— 往期回顾 ——', '【猜你喜欢】', '推荐阅读', '> 相关新闻'])('"%s"', (mark) => {
    expect(read(`9月3日\n标题甲\n来源：上海海关\n${mark}\n9月18日 别的文章\n阅读 2.1万`)).toEqual({
      kept: ['9月3日', '标题甲', '来源：上海海关'],
      warned: [4],
    });
  });

  it.each([
    ['a mark before the bulletin begins', '往期回顾\n9月3日\n标题甲'],
    ['a mark with text after it on its line', '9月3日\n标题甲\n往期回顾：系列四（4.24）｜系列五（5.8）\n9月4日\n标题乙'],
    ['a mark on the last line', '9月3日\n标题甲\n往期回顾'],
    ['a title that holds the words', '9月3日\n推荐阅读活动启动\n9月4日\n标题乙'],
  ])('keeps everything: %s', (_, text) => {
    expect(read(text).kept).toEqual(splitLines(text).map((l) => l.text));
  });
});
