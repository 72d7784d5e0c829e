import { describe, expect, it } from 'vitest';
import { agencyInTitle } from '../../../src/core/bulletin/title-agency.ts';
import { namedAgency } from '../../../src/core/bulletin/headings.ts';
import { shippedAgencies } from '../../helpers/seed.ts';

const agencies = shippedAgencies();
const isAgency = (name: string) => namedAgency(name, agencies) !== null;

describe('agencyInTitle: a one-line digest names the agency in brackets on the title line', () => {
  it.each([
    ['【市公安局】清明期间祭扫交通保障', { title: '清明期间祭扫交通保障', agency: '市公安局' }],
    ['［上海海事局］船员证书有效期顺延', { title: '船员证书有效期顺延', agency: '上海海事局' }],
    ['高温季节户外作业劳动保护提示（市人社局）', { title: '高温季节户外作业劳动保护提示', agency: '市人社局' }],
    ['“随申办”3.0版上线(市大数据中心)', { title: '“随申办”3.0版上线', agency: '市大数据中心' }],
    ['《若干意见（2020—2025年）》发布（市商务委）', { title: '《若干意见（2020—2025年）》发布', agency: '市商务委' }],
    ['【浦东新区】浦东发布稳外资“12条”', { title: '浦东发布稳外资“12条”', agency: '浦东新区' }],
    ['汛期安全生产“十项措施”发布 ｜ 市应急局', { title: '汛期安全生产“十项措施”发布', agency: '市应急局' }],
    ['夏季农产品产销对接平台上线 —— 市农委', { title: '夏季农产品产销对接平台上线', agency: '市农委' }],
    ['长三角一体化 | 示范区', null],
    // Brackets that name no agency stay in the title.
    ['【重磅】本市发布稳就业措施', null],
    ['印发《指导意见》（补发）', null],
    ['《行动方案（2020-2022年）》', null],
    // A title that is only the agency is no title with an agency.
    ['【市公安局】', null],
  ])('%s', (title, want) => {
    expect(agencyInTitle(title, isAgency)).toEqual(want);
  });
});
