import type { Messages } from './zh.ts';

export const en: Messages = {
  lang: 'en',
  common: {
    agencyMeasures: (n) => `${n} measure${n === 1 ? '' : 's'}`,
    latestDate: (d) => `latest ${d}`,
    corrected: 'corrected',
    source: 'Source',
    back: '‹ Back',
    prev: '‹ Prev',
    next: 'Next ›',
    page: (p, n) => `page ${p}/${n}`,
    more: (n) => `… ${n} more`,
    none: 'none',
  },
  start: {
    intro:
      'Hello! I deliver the <b>bulletins of measures</b> Shanghai agencies take to help companies resume work.\n\nYou can:\n• see an agency\'s latest measures: /latest police\n• search by keyword: /search 复工\n• subscribe to a daily digest: /subscribe 09:00\n\nIn a private chat, just send a keyword to search.',
    buttons: { agencies: '🏛 Agencies', latest: '🆕 Latest', search: '🔎 Try: 复工', subscribe: '🔔 Daily digest' },
    help:
      '<b>Commands</b>\n/latest [agency] [n] — an agency\'s newest measures, e.g. /latest police 3\n/search words — search measures; several words must all match\n/agencies — every agency with its number of measures\n/subscribe [HH:MM] [agencies or keywords] — daily digest\n/unsubscribe — stop the digest\n/settings — see and change the subscription\n/help — this help\n\nAgencies by short name: 科委, 公安, police, justice…\nIn any chat, type @{bot} 复工 to share a measure.',
  },
  agencies: {
    title: '<b>Agencies</b> (tap for the latest measures)',
    empty: 'No measures have been published yet.',
    pick: 'Choose an agency:',
  },
  latest: {
    title: (agency, n) => `<b>${agency}</b>: latest ${n}`,
    unknown: (q) => `No agency called "${q}".`,
    didYouMean: 'Did you mean:',
    tryAgencies: 'Send /agencies to see them all.',
    none: (agency) => `${agency} has no measures yet.`,
  },
  search: {
    results: (q, total) => `🔎 "${q}": ${total} found`,
    none: (q) => `Nothing matches "${q}".\nTry fewer or shorter words, or browse with /agencies.`,
    empty: 'Put keywords after /search, e.g. /search 复工',
    tooLong: 'That query is too long; keep it under 200 characters.',
    noText: 'There is nothing to search for in that; send words or numbers.',
    slowDown: (s) => `Too many searches; try again in ${s} s.`,
    expired: 'These results have expired; search again.',
    inlineHint: 'Type keywords to search measures',
  },
  entry: {
    notFound: 'This measure no longer exists.',
    correctedAt: (d) => `corrected on ${d}`,
  },
  errors: {
    unknownCommand: (cmd) => `I don't know ${cmd}. Send /help for the commands.`,
    internal: 'Sorry, something went wrong. Please try again later.',
    notText: 'Please send text. Send /help for how to use me.',
  },
  commands: [
    ['latest', "An agency's latest measures"],
    ['search', 'Search measures'],
    ['agencies', 'All agencies'],
    ['subscribe', 'Daily digest'],
    ['unsubscribe', 'Stop the digest'],
    ['settings', 'Digest settings'],
    ['help', 'Help'],
  ],
};
