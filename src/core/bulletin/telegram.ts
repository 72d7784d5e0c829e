/**
 * A Telegram chat copied as text (Telegram Desktop's "Copy selected as text"), in which a bulletin was posted or
 * forwarded, maybe in several messages:
 *   Lily Chen, [3/15/21 9:14 AM]
 *   [Forwarded from 某某频道]
 *   …the bulletin's lines…
 *   — 某某频道 @handle
 * Each message starts with its sender and stamp (US "3/15/21 9:14 AM", dotted "15.03.21 09:14", "2021/3/15 9:14");
 * "[Forwarded from …]" / "[In reply to …]" (or 转发自/回复) follow it. Read so:
 * - the first message's stamp becomes a 发送时间 line at the top (it gives the copy its year, never a measure's date);
 * - each message boundary, a channel's signature ("— 频道 @handle") and a post's closing tally ("共11条。下期…") is a
 *   rule: a measure ends there, while the agency heading carries on (a part that starts without a heading continues
 *   the one before);
 * - placeholders ([Photo], [Sticker], [图片]…), "edited", reaction counts ("👍 14  🔥 3") and part markers
 *   ("Part 2/3", a title's trailing "Part 1/3"; a bare "（2/2）" only where the messages' first lines make a series) go;
 * - when some messages are forwarded, a message that is not and holds no date line and no agency heading is the
 *   people's chat about it ("Is the 3/12 item final?"): not read, one warning naming its lines.
 * A text is read so only when it has two sender lines, or one and a forwarded/reply line.
 */
import type { DateLine } from './dates.ts';
import type { Line } from './lines.ts';
import { madeLine } from './lines.ts';

/** "Name, [3/15/21 9:14 AM]": the sender (no brackets) and the stamp. Matched on the form (NFKC). */
const SENDER = /^([^[\]]{1,64}?),\s*\[([^[\]]{6,32})\]\s*$/;
const US = /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})[ ,]+\d{1,2}:\d{2}(?::\d{2})?\s*(?:[AP]\.?M\.?)?$/i;
const DOTTED = /^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})[ ,]+\d{1,2}:\d{2}(?::\d{2})?$/;
const YMD = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})[ ,]+\d{1,2}:\d{2}(?::\d{2})?$/;
const FORWARD = /^\[(?:Forwarded from|转发自|转自|來自|Переслано от)\s*[:：]?\s*[^\]]+\]$/i;
const REPLY = /^\[(?:In reply to|回复|回覆)\s*[:：]?\s*[^\]]+\]$/i;
const PLACEHOLDER =
  /^\[(?:Photo|Video|Sticker|GIF|File|Album|Voice message|Video message|Audio|Document|Contact|Location|Poll|图片|照片|视频|贴纸|表情|文件|语音|相册|動態貼圖|貼圖|圖片)(?:[,，][^\]]*)?\]$/i;
const EDITED = /^(?:edited|已编辑|已編輯)$/i;
/** A reactions line: emoji with their counts and nothing else. */
const REACTIONS = /^(?:\p{Extended_Pictographic}\uFE0F?\s*\d+\s*)+$/u;
/** A channel's signature: "— 频道名 @handle", "@handle". */
const SIGNATURE = /^(?:[—–-]{1,2}\s*[^@]{0,40}\s*)?@[A-Za-z][A-Za-z0-9_]{3,31}$/;
/** A post's closing tally: "共11条。", "本期共9条，…". */
const TALLY = /^(?:本期|以上)?共\s*[\d一二两三四五六七八九十]+\s*条/;
/** "Part 2/3" alone; at the end of a line (" Part 1/3") it is cut off. */
const PART = /^(?:Part|第)\s*\d{1,2}\s*(?:\/|of)\s*\d{1,2}\s*(?:部分)?$/i;
const PART_TAIL = /\s*\b(?:Part\s*\d{1,2}\s*(?:\/|of)\s*\d{1,2})\s*$/i;
/**
 * A bare part marker on a message's first line ("（2/2）", "2/3", or after its title: "…截止至3月5日）（1/2）"). Such a
 * marker reads as a date too (2/2 is 2月2日), so it counts only when the messages' first lines carry a series of
 * them: the same total, different parts.
 */
const BARE_PART = /[（(]?\s*(\d)\s*\/\s*(\d)\s*[)）]?\s*$/;

function stampDate(stamp: string): { year: number; month: number; day: number } | null {
  const s = stamp.trim();
  let m = US.exec(s);
  let ymd: [number, number, number] | null = null;
  if (m) ymd = [Number(m[3]), Number(m[1]), Number(m[2])];
  else if ((m = DOTTED.exec(s))) ymd = [Number(m[3]), Number(m[2]), Number(m[1])];
  else if ((m = YMD.exec(s))) ymd = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!ymd) return null;
  const [y, month, day] = ymd;
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  return { year: y < 100 ? 2000 + y : y, month, day };
}

interface Message {
  /** Index of the sender line. */
  at: number;
  sender: string;
  date: { year: number; month: number; day: number };
  forwarded: boolean;
  /** Indexes of its body lines. */
  body: number[];
}

export function telegramLines(
  lines: readonly Line[],
  warn: (line: number, message: string) => void,
  isHeading: (l: Line) => boolean,
  dateOf: (l: Line) => DateLine | null,
): Line[] {
  const senders: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = SENDER.exec(lines[i]!.form.trim());
    if (m && stampDate(m[2]!)) senders.push(i);
  }
  if (senders.length === 0) return [...lines];
  const marked = lines.some((l) => FORWARD.test(l.form.trim()) || REPLY.test(l.form.trim()));
  if (senders.length < 2 && !marked) return [...lines];

  const messages: Message[] = senders.map((at, k) => {
    const m = SENDER.exec(lines[at]!.form.trim())!;
    const end = k + 1 < senders.length ? senders[k + 1]! : lines.length;
    const body: number[] = [];
    let forwarded = false;
    for (let i = at + 1; i < end; i++) {
      const f = lines[i]!.form.trim();
      if (FORWARD.test(f)) forwarded = true;
      else if (REPLY.test(f) || PLACEHOLDER.test(f) || EDITED.test(f) || REACTIONS.test(f) || PART.test(f)) continue;
      else body.push(i);
    }
    return { at, sender: m[1]!.trim(), date: stampDate(m[2]!)!, forwarded, body };
  });
  // Part markers on the messages' first lines, when they make a series (1/2 then 2/2).
  const firstLines = messages.map((m) => m.body.find((i) => lines[i]!.form.trim() !== ''));
  const marks = firstLines.map((i) => (i === undefined ? null : BARE_PART.exec(lines[i]!.form)));
  const parts = marks.filter((m) => m && Number(m[1]) <= Number(m[2]) && Number(m[2]) > 1);
  const series = parts.length >= 2 && new Set(parts.map((m) => m![2])).size === 1 && new Set(parts.map((m) => m![1])).size === parts.length;
  const partAt = new Map<number, number>();
  if (series)
    firstLines.forEach((i, k) => {
      if (i !== undefined && marks[k]) partAt.set(i, [...lines[i]!.text].length - [...marks[k]![0]].length);
    });
  const anyForwarded = messages.some((m) => m.forwarded);
  const isChat = (m: Message) =>
    anyForwarded &&
    !m.forwarded &&
    !m.body.some((i) => {
      const l = lines[i]!;
      return l.form.trim() !== '' && (isHeading(l) || dateOf(l) !== null);
    });

  const rule = (no: number): Line => ({ no, text: '', form: '', md: 0, link: false, cells: null, rule: true });
  const out: Line[] = lines.slice(0, senders[0]);
  const first = messages.find((m) => !isChat(m)) ?? messages[0]!;
  out.push(madeLine(lines[first.at]!.no, `发送时间：${first.date.year}年${first.date.month}月${first.date.day}日`));
  for (const m of messages) {
    if (isChat(m)) {
      const said = m.body.filter((i) => lines[i]!.form.trim() !== '');
      if (said.length) {
        const from = lines[m.at]!.no;
        const to = lines[said[said.length - 1]!]!.no;
        warn(from, `lines ${from}–${to}: a chat message from ${m.sender}, not part of the forwarded bulletin; not read`);
      }
      continue;
    }
    out.push(rule(lines[m.at]!.no));
    for (const i of m.body) {
      const l = lines[i]!;
      // A post's closing tally ("共11条。下期…") ends the last measure: it is no part of its text.
      if (TALLY.test(l.form.trim())) out.push(rule(l.no));
      if (SIGNATURE.test(l.form.trim())) {
        out.push(rule(l.no));
        continue;
      }
      const cut = partAt.get(i);
      if (cut !== undefined) {
        if (cut > 0) out.push(madeLine(l.no, [...l.text].slice(0, cut).join('').trimEnd()));
        continue;
      }
      const tail = PART_TAIL.exec(l.text);
      out.push(tail && tail.index > 0 ? madeLine(l.no, l.text.slice(0, tail.index)) : l);
    }
  }
  return out;
}
