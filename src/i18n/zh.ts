/** Chinese (default) catalogue. Values are plain text or functions of plain values; callers escape what they interpolate into HTML. */
export const zh = {
  lang: 'zh',
  common: {
    agencyMeasures: (n: number) => `${n} 条措施`,
    latestDate: (d: string) => `最新 ${d}`,
    corrected: '更正',
    source: '来源',
    back: '‹ 返回',
    prev: '‹ 上一页',
    next: '下一页 ›',
    page: (p: number, n: number) => `第 ${p}/${n} 页`,
    more: (n: number) => `… 另有 ${n} 条`,
    none: '暂无',
  },
  start: {
    intro:
      '您好！我是<b>复工复产措施简报</b>机器人。\n\n我收录舆情中心汇编的政府部门措施简报，可以：\n• 查看某部门的最新措施：/latest 公安\n• 按关键词搜索：/search 复工\n• 订阅每日摘要：/subscribe 09:00\n\n私聊时直接发送关键词即可搜索。',
    buttons: { agencies: '🏛 部门列表', latest: '🆕 最新措施', search: '🔎 搜索示例：复工', subscribe: '🔔 订阅每日摘要' },
    help:
      '<b>命令</b>\n/latest [部门] [条数] — 部门最新措施，例如 /latest 科委 3\n/search 关键词 — 搜索措施，多个关键词用空格分开\n/agencies — 所有部门及措施数量\n/subscribe [HH:MM] [部门或关键词] — 订阅每日摘要\n/unsubscribe — 取消订阅\n/settings — 查看和修改订阅\n/help — 本帮助\n\n部门可用简称：科委、公安、警方、民政、司法……\n也可以在任意聊天输入 @{bot} 复工 分享措施。',
  },
  agencies: {
    title: '<b>部门</b>（点击查看最新措施）',
    empty: '还没有收录任何措施。',
    pick: '请选择部门：',
  },
  latest: {
    title: (agency: string, n: number) => `<b>${agency}</b> 最新 ${n} 条措施`,
    unknown: (q: string) => `没有找到部门“${q}”。`,
    didYouMean: '您是不是要找：',
    tryAgencies: '发送 /agencies 查看所有部门。',
    none: (agency: string) => `${agency} 暂无措施。`,
  },
  search: {
    results: (q: string, total: number) => `🔎 “${q}”：共 ${total} 条`,
    none: (q: string) => `没有找到包含“${q}”的措施。\n可以试试更少或更短的关键词，或发送 /agencies 按部门浏览。`,
    empty: '请在 /search 后输入关键词，例如：/search 复工',
    tooLong: '关键词太长了，请控制在 200 字以内。',
    noText: '没有可以搜索的文字，请输入中文、英文或数字关键词。',
    slowDown: (s: number) => `搜索太频繁了，请 ${s} 秒后再试。`,
    expired: '这个结果已过期，请重新搜索。',
    inlineHint: '输入关键词搜索措施',
  },
  entry: {
    notFound: '这条措施已不存在。',
    correctedAt: (d: string) => `更正于 ${d}`,
  },
  errors: {
    unknownCommand: (cmd: string) => `不认识的命令 ${cmd}。发送 /help 查看可用命令。`,
    internal: '抱歉，处理时出错了，请稍后再试。',
    notText: '请发送文字消息。发送 /help 查看用法。',
  },
  commands: [
    ['latest', '部门最新措施'],
    ['search', '按关键词搜索措施'],
    ['agencies', '所有部门'],
    ['subscribe', '订阅每日摘要'],
    ['unsubscribe', '取消订阅'],
    ['settings', '订阅设置'],
    ['help', '帮助'],
  ] as [string, string][],
};

export type Messages = typeof zh;
