/** Telegram HTML helpers. Every piece of user or bulletin text passes through escapeHtml before it meets a tag. */

export const TELEGRAM_TEXT_LIMIT = 4096;

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Length as Telegram counts it after entity parsing: UTF-16 code units of the visible text. */
export function visibleLength(html: string): number {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&(lt|gt|amp|quot);/g, '_').length;
}

/**
 * Packs blocks (each a self-contained HTML fragment, e.g. one measure) into messages under the limit,
 * never splitting inside a block unless a single block is itself too long; then it is cut on a line
 * boundary outside any tag, and failing that, on plain text.
 */
export function packMessages(blocks: string[], opts: { limit?: number; separator?: string; header?: string } = {}): string[] {
  const limit = opts.limit ?? TELEGRAM_TEXT_LIMIT - 96; // room for "(1/2)" markers and a header
  const sep = opts.separator ?? '\n\n';
  const out: string[] = [];
  let cur = opts.header ?? '';
  for (const block of blocks.flatMap((b) => (visibleLength(b) > limit ? cutBlock(b, limit) : [b]))) {
    const next = cur ? cur + sep + block : block;
    if (visibleLength(next) > limit && cur) {
      out.push(cur);
      cur = block;
    } else cur = next;
  }
  if (cur) out.push(cur);
  return out;
}

/** Adds "(i/n)" markers when a reply spans several messages. */
export function numberParts(parts: string[]): string[] {
  if (parts.length < 2) return parts;
  return parts.map((p, i) => `${p}\n\n<i>(${i + 1}/${parts.length})</i>`);
}

function cutBlock(block: string, limit: number): string[] {
  const lines = block.split('\n');
  const out: string[] = [];
  let cur = '';
  for (const line of lines) {
    if (visibleLength(line) > limit) {
      if (cur) out.push(cur);
      cur = '';
      out.push(...cutPlain(line, limit));
      continue;
    }
    const next = cur ? `${cur}\n${line}` : line;
    if (visibleLength(next) > limit) {
      out.push(cur);
      cur = line;
    } else cur = next;
  }
  if (cur) out.push(cur);
  return out;
}

/** A single over-long line: drop its tags and cut the text, escaping again so no entity is split. */
function cutPlain(line: string, limit: number): string[] {
  const plain = line
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
  const chars = [...plain];
  const out: string[] = [];
  for (let i = 0; i < chars.length; ) {
    let piece = '';
    while (i < chars.length && piece.length + chars[i]!.length <= limit) piece += chars[i++]!;
    out.push(escapeHtml(piece));
  }
  return out;
}
