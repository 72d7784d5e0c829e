/**
 * The reading steps that run before the parser, in order. Each one rewrites a shape of copy it recognises into the
 * date-then-title lines the parser reads, keeps the original line numbers and warns about what it leaves out; a
 * text not of its shape passes through as it was (each has a cheap test first).
 *   html-residue.ts HTML source pasted as text (<p>, <br>, &ldquo;): its lines as a browser shows them
 *   official-doc.ts an OA system's processing form printed with the bulletin as its 正文: the 正文 only
 *   word-review.ts  Word's review markup pasted as text (已删除:, 批注 [WF1]:), note markers, a table of contents
 *   memo.ts         an editor's to-do note: "☐ 2月25日 标题 // 日期待核", struck items and to-dos left out
 *   newmedia.ts     a new-media post's stamp with its place ("2021-02-08 08:00 · 上海"): the stamp only
 *   quoted.ts       a mail reply: the quoted bulletin, without the reply around it
 *   feed.ts         a news app's feed: title, then "账号 · 06-10 · 3562阅读"
 *   telegram.ts     a Telegram chat copied as text: "Name, [3/15/21 9:14 AM]", [Forwarded from …], the chat around it
 *   transcript.ts   minutes read aloud: "然后是市商务委，两条。一是三月二号，“标题”；二是…"
 *   sms.ts          a bulk SMS digest: "1. 标题（市人社局，10月19日）(1/3)"
 *   app-share.ts    a news app's share page: its chrome (打开APP, + 关注, 展开全文, counts) and comments gone
 *   article-end.ts  a news page: nothing after its own lists (相关推荐, 延伸阅读)
 *   fields.ts       a form per measure: 部门：/日期：/标题：
 *   slides.ts       a slide deck: a badge "市经信委 ｜ 2020.05.19" per slide
 *   timeline.ts     a timeline: "● 7月14日" over items tagged 【市发改委】
 *   qa.ts           questions and answers: "7月16日，市文旅局印发《…》"
 *   site-list.ts    a website's list page: "· 标题⇥2020-09-18" under "市人社局⇥更多>>"
 */
import type { DateLine } from './dates.ts';
import { feedItems } from './feed.ts';
import { labelledRecords } from './fields.ts';
import { beforeSiteLists } from './article-end.ts';
import { decodeEntities, htmlResidueLines, isHtmlResidue } from './html-residue.ts';
import { splitLines } from './lines.ts';
import { oaFormBody } from './official-doc.ts';
import { withoutReviewMarkup } from './word-review.ts';
import { memoItems } from './memo.ts';
import { postStamps } from './newmedia.ts';
import type { Line } from './lines.ts';
import { sharePageLines } from './app-share.ts';
import { smsItems } from './sms.ts';
import { questionsAndAnswers } from './qa.ts';
import { unquoted } from './quoted.ts';
import { slideMeasures } from './slides.ts';
import { telegramLines } from './telegram.ts';
import { transcriptItems } from './transcript.ts';
import { siteListItems } from './site-list.ts';
import { timelineItems } from './timeline.ts';

export function shapedLines(
  text: string,
  warn: (line: number, message: string) => void,
  isAgency: (name: string) => boolean,
  isHeading: (l: Line) => boolean,
  dateOf: (l: Line) => DateLine | null,
): Line[] {
  const read = isHtmlResidue(text) ? htmlResidueLines(text) : splitLines(unquoted(decodeEntities(text), warn));
  const split = postStamps(memoItems(withoutReviewMarkup(oaFormBody(read, warn), warn), warn, dateOf));
  const feed = feedItems(split, warn, isHeading, isAgency);
  const chat = transcriptItems(telegramLines(feed, warn, isHeading, dateOf), warn, isAgency, dateOf);
  const records = labelledRecords(
    beforeSiteLists(sharePageLines(smsItems(chat, isAgency), warn), warn, (l) => dateOf(l) !== null),
    warn,
  );
  return siteListItems(questionsAndAnswers(timelineItems(slideMeasures(records, isAgency), warn, isAgency), warn, isAgency), isAgency);
}
