/** Small bulletins written for the admin tests (data/bulletins stays untouched). */

export const NEW_TITLES = ['夜间巡逻守护复工园区', '跨境电商绿色通道开通'] as const;

/** Two measures not in the seed; the second names an agency missing from the shipped list (one warning). */
export function twoMeasures(opts: { body?: string; year?: boolean } = {}): string {
  return [
    `测试简报 (系列三：截止至${opts.year === false ? '' : '2020年'}3月28日)`,
    '',
    '测试中心',
    '',
    '上海市公安局',
    '',
    '3月27日',
    '',
    NEW_TITLES[0],
    '',
    opts.body ?? '巡逻队伍每晚走访园区。',
    '',
    '来源：上海市公安局',
    '',
    '3月28日',
    '',
    NEW_TITLES[1],
    '',
    '口岸开通快速通关。',
    '',
    '来源：某新设机构',
    '',
  ].join('\n');
}

/** Text that is readable but holds no measure. */
export const NO_MEASURES = '会议纪要\n\n今天讨论了复工复产的安排，没有具体措施。\n';
