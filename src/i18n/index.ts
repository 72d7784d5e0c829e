import { en } from './en.ts';
import { zh } from './zh.ts';
import type { Messages } from './zh.ts';

export type { Messages };
export type Lang = 'zh' | 'en';

export const catalogues: Record<Lang, Messages> = { zh, en };

/** Telegram's language_code is an IETF tag ("en", "en-GB", "zh-hans"); Chinese is the default audience. */
export function pickLang(languageCode: string | undefined): Lang {
  return languageCode && /^en\b/i.test(languageCode) ? 'en' : 'zh';
}

export const messages = (lang: Lang): Messages => catalogues[lang];
