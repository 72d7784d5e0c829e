/** Telegram HTML → terminal text. Pure, so the console's look is unit-testable. */
export function htmlToText(html: string, opts: { ansi?: boolean } = {}): string {
  const bold = opts.ansi ? ['\x1b[1m', '\x1b[22m'] : ['', ''];
  const italic = opts.ansi ? ['\x1b[3m', '\x1b[23m'] : ['', ''];
  return html
    .replace(/<b>/g, bold[0]!)
    .replace(/<\/b>/g, bold[1]!)
    .replace(/<i>/g, italic[0]!)
    .replace(/<\/i>/g, italic[1]!)
    .replace(/<a href="([^"]*)">([^<]*)<\/a>/g, '$2 ($1)')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

export interface ConsoleButton {
  text: string;
  data: string;
}

/** Inline keyboards become a numbered list: the user presses a button by typing its number. */
export function renderButtons(buttons: ConsoleButton[]): string {
  return buttons.map((b, i) => `  [${i + 1}] ${b.text}`).join('\n');
}
