import { describe, expect, it } from 'vitest';
import { parseBulletin } from '../../../src/core/parse-bulletin.ts';
import { shippedAgencies } from '../../helpers/seed.ts';

const agencies = shippedAgencies();
const parse = (text: string) => parseBulletin(text, { file: 't.txt', agencies, year: 2020 });
const rows = (text: string) => parse(text).entries.map((e) => [e.agency, e.date, e.title]);

describe('parseBulletin: kinds of copy read since probe3', () => {
  it('files a post’s measure under its heading when the 来源 is an @account, and skips it (warned) without one', () => {
    const text = '汇编（截至2020年6月12日）\n\n🏛️【市体育局】\n\n1️⃣ 📅6月10日\n「场馆预约开放」🏟️\n🔗来源：@上海体育\n';
    expect(rows(text)).toEqual([['上海市体育局', '2020-06-10', '场馆预约开放']]);
    const orphan = parse(
      '汇编（截至2020年6月12日）\n\n1️⃣ 📅6月10日\n「场馆预约开放」\n🔗来源：@某某生活号\n\n2️⃣ 📅6月11日\n「步道开放」\n来源：上海市体育局\n',
    );
    expect(orphan.entries.map((e) => e.title)).toEqual(['步道开放']);
    expect(orphan.warnings.some((w) => w.line === 4 && w.message.includes('@某某生活号'))).toBe(true);
  });

  it('reads the line after a 「」 title as its body, not as a second title', () => {
    const text =
      '汇编（截至2020年6月12日）\n\n【市医保局】\n\n📅6月1日\n「长处方报销政策延续至年底」\n慢性病患者一次可开具不超过12周用量，门诊费用按规定报销\n来源：上海市医疗保障局\n';
    expect(rows(text)).toEqual([['上海市医疗保障局', '2020-06-01', '长处方报销政策延续至年底']]);
  });

  it('takes the agency from brackets on a one-line measure, over the section it is in', () => {
    const text =
      '快讯（截至2020年7月3日）\n\n——— 6月 ———\n上海市公安局\n◆ 6.15 【市房管局】公租房租金减免延长\n◆ 6/17 整治专项行动启动（市绿化市容局）\n';
    expect(rows(text)).toEqual([
      ['上海市房屋管理局', '2020-06-15', '公租房租金减免延长'],
      ['上海市绿化和市容管理局', '2020-06-17', '整治专项行动启动'],
    ]);
  });

  it('skips a running header repeated on each page, also between a date and its title', () => {
    const text = [
      '本市交通运输行业政策汇编（截止至5月20日）',
      '',
      '上海海事局',
      '',
      '5月14日',
      '船员证书有效期顺延',
      '来源：上海海事局',
      '',
      '5月18日',
      '- 1 -',
      '本市交通运输行业政策汇编',
      '内河船舶进出港报告实行线上办',
      '来源：上海海事局',
      '- 2 -',
      '本市交通运输行业政策汇编',
    ].join('\n');
    const parsed = parse(text);
    expect(parsed.entries.map((e) => e.title)).toEqual(['船员证书有效期顺延', '内河船舶进出港报告实行线上办']);
    expect(parsed.warnings).toEqual([]);
  });

  it('reads a 发布单位 line as the measure’s issuers when it has no 来源, and never as its title', () => {
    const text =
      '汇编（截至2020年7月10日）\n\n7月9日\n发布单位：市交通委、市公安局\n暑期交通安全联合整治行动启动\n\n7月8日\n发布单位：市人社局、市总工会\n高温劳动保护措施\n来源：上海市人力资源和社会保障局\n';
    expect(rows(text)).toEqual([
      ['上海市交通委员会', '2020-07-09', '暑期交通安全联合整治行动启动'],
      ['上海市公安局', '2020-07-09', '暑期交通安全联合整治行动启动'],
      ['上海市人力资源和社会保障局', '2020-07-08', '高温劳动保护措施'],
    ]);
  });

  it('reads a corrected date and strips a reissue’s marks', () => {
    const text =
      '汇编（修订版：截至2020年5月29日）\n\n上海市交通委员会\n\n1. 【更正】5月12日（原误作5月21日）\n【更正】公交恢复正常运营时刻表（补发）\n（原标题：公交恢复运营）\n来源：上海市交通委员会\n';
    expect(rows(text)).toEqual([['上海市交通委员会', '2020-05-12', '公交恢复正常运营时刻表']]);
  });
});

describe('parseBulletin: more shapes of the same kinds', () => {
  it('reads an agency after a dash, a mark in round brackets and OCR spaces in a 来源', () => {
    const text = [
      '要闻速递（截至2020年8月25日）',
      '',
      '【八月】',
      '8月5日 交通违法处理网上办全面推行——市公安局',
      '',
      '上海市卫生健康委员会',
      '',
      '（更正）8月12日',
      '秋冬季疫情防控工作方案发布',
      '来源：上海市卫生 健康委员会',
    ].join('\n');
    const parsed = parse(text);
    expect(parsed.entries.map((e) => [e.agency, e.date, e.title, e.source])).toEqual([
      ['上海市公安局', '2020-08-05', '交通违法处理网上办全面推行', '市公安局'],
      ['上海市卫生健康委员会', '2020-08-12', '秋冬季疫情防控工作方案发布', '上海市卫生健康委员会'],
    ]);
    expect(parsed.warnings).toEqual([]);
  });

  it('warns about a header line that looks like a dated measure in a shape it does not read', () => {
    const text = [
      '要闻速递（截至2020年8月25日）',
      '',
      '4·3 【市公安局】出入境证件审批扩大至全市',
      '4.14《行动方案》发布（市经信委）',
      '8月12日【市卫健委】秋冬季疫情防控方案发布',
    ].join('\n');
    const parsed = parse(text);
    expect(parsed.entries.map((e) => [e.agency, e.date, e.title])).toEqual([
      ['上海市经济和信息化委员会', '2020-04-14', '《行动方案》发布'],
      ['上海市卫生健康委员会', '2020-08-12', '秋冬季疫情防控方案发布'],
    ]);
    expect(parsed.warnings.map((w) => w.line)).toEqual([3]);
  });
});
