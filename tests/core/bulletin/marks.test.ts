import { describe, expect, it } from 'vitest';
import { isFormerNote, mendedDate, withoutLeadingMark, withoutMarks } from '../../../src/core/bulletin/marks.ts';

describe('withoutMarks: a corrected or reissued bulletin’s marks are no part of a title', () => {
  it.each([
    ['【更正】上海启动线上培训补贴政策', '上海启动线上培训补贴政策'],
    ['[补发] 全民健身场馆恢复开放指引发布', '全民健身场馆恢复开放指引发布'],
    ['印发《关于加强执法工作的指导意见》（补发）', '印发《关于加强执法工作的指导意见》'],
    ['体育赛事活动恢复方案(新增)', '体育赛事活动恢复方案'],
    ['公租房租金减免延长至9月底（已更正）', '公租房租金减免延长至9月底'],
    ['公交恢复正常运营时刻表（原标题：公交恢复运营）', '公交恢复正常运营时刻表'],
    // Brackets that are the title's own stay.
    ['《行动方案（2020-2022年）》发布', '《行动方案（2020-2022年）》发布'],
    ['外籍人士来沪须知（中英日韩四语版）', '外籍人士来沪须知（中英日韩四语版）'],
    ['【重磅】本市发布稳就业措施', '【重磅】本市发布稳就业措施'],
    // A title that is only a mark is left as written (never emptied).
    ['【更正】', '【更正】'],
  ])('%s → %s', (title, want) => {
    expect(withoutMarks(title)).toBe(want);
  });

  it.each([
    ['【更正】4月2日（原误作4月3日）', '4月2日（原误作4月3日）'],
    ['【勘误】【补发】5月8日', '5月8日'],
    ['4月2日', '4月2日'],
  ])('withoutLeadingMark(%s) → %s', (line, want) => {
    expect(withoutLeadingMark(line)).toBe(want);
  });

  it.each([
    ['（原误作4月3日）', true],
    ['(原为市民政局)', true],
    ['（原标题：上海启动线上培训补贴）', true],
    ['（补发）', false],
    ['标题（原误作4月3日）', false],
    ['', false],
  ])('isFormerNote(%s) → %s', (text, want) => {
    expect(isFormerNote(text)).toBe(want);
  });
});

describe('mendedDate: a scan’s OCR slips in a date', () => {
  it.each([
    ['2月4曰', '2月4日'],
    ['3月9 曰', '3月9 日'],
    ['2月l8日', '2月18日'],
    ['4月l日', '4月1日'],
    ['截止至4月1O日', '截止至4月10日'],
    ['2O2O年5月2O日', '2020年5月20日'],
    ['5月I2日', '5月12日'],
    // Not next to 年/月/日: words and English dates stay as written.
    ['Oct 1, 2020', 'Oct 1, 2020'],
    ['OLED屏幕 l0个', 'OLED屏幕 l0个'],
    ['Lo月', 'Lo月'],
  ])('%s → %s', (text, want) => {
    expect(mendedDate(text)).toBe(want);
    expect(mendedDate(text).length).toBe(text.length);
  });
});

describe('mendedDate: dashed and dotted dates', () => {
  it.each([
    ['2O2O-O4-O8', '2020-04-08'],
    ['2020.O4.l6 发布', '2020.04.16 发布'],
    // Too few digits to be a date.
    ['lOlO-Il-OO', 'lOlO-Il-OO'],
    ['ABCD2020-O4-08', 'ABCD2020-O4-08'],
  ])('%s → %s', (text, want) => {
    expect(mendedDate(text)).toBe(want);
  });
});
