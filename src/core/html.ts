/** Telegram HTML helpers. Every piece of user or bulletin text passes through escapeHtml before it meets a tag. */

export const TELEGRAM_TEXT_LIMIT = 4096;

const SPECIAL = /[&<>"]/;

export function escapeHtml(text: string): string {
  // Bulletin text almost never holds one of the four: then the text itself, without four copies.
  if (!SPECIAL.test(text)) return text;
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const ENTITY = /&(lt|gt|amp|quot);/g;

/**
 * Length as Telegram counts it after entity parsing: UTF-16 code units of the visible text. The
 * same as deleting every `<[^>]*>` and then counting each of the four entities as one unit, without
 * building either string: it is measured for every block of every reply.
 */
export function visibleLength(html: string): number {
  if (html.indexOf('&') !== -1) {
    // An entity may only form once the tags around its pieces are gone: measure the stripped text.
    const text = html.indexOf('<') === -1 ? html : html.replace(/<[^>]*>/g, '');
    return text.length - entitySavings(text);
  }
  let visible = 0;
  let from = 0;
  for (let at = html.indexOf('<'); at !== -1; at = html.indexOf('<', from)) {
    const close = html.indexOf('>', at + 1);
    if (close === -1) break; // an unclosed '<' is text, like the rest after it
    visible += at - from;
    from = close + 1;
  }
  return visible + html.length - from;
}

/** Units saved by reading each entity as one character. */
function entitySavings(text: string): number {
  let saved = 0;
  ENTITY.lastIndex = 0;
  for (let m = ENTITY.exec(text); m; m = ENTITY.exec(text)) saved += m[0].length - 1;
  return saved;
}

/** Whether text ends inside a would-be tag ('<' with no '>' after it), which what follows could close. */
const endsInTag = (text: string): boolean => text.lastIndexOf('<') > text.lastIndexOf('>');
/** A separator that can neither close a tag nor join the pieces of an entity: then lengths just add up. */
const inertSeparator = (sep: string): boolean => sep !== '' && !/[<>&;a-z]/.test(sep);

/**
 * Packs blocks (each a self-contained HTML fragment, e.g. one measure) into messages under the limit,
 * never splitting inside a block unless a single block is itself too long; then it is cut on a line
 * boundary outside any tag, and failing that, on plain text.
 */
export function packMessages(blocks: string[], opts: { limit?: number; separator?: string; header?: string } = {}): string[] {
  const limit = opts.limit ?? TELEGRAM_TEXT_LIMIT - 96; // room for "(1/2)" markers and a header
  const sep = opts.separator ?? '\n\n';
  const out: string[] = [];
  const sepLength = visibleLength(sep);
  const additive = inertSeparator(sep);
  let cur = opts.header ?? '';
  let curLength = visibleLength(cur);
  // Whether cur ends inside a would-be tag, kept as blocks are added: asking the joined string would
  // flatten it again for every block.
  let curOpen = endsInTag(cur);
  for (const b of blocks) {
    const bLength = visibleLength(b);
    for (const block of bLength > limit ? cutBlock(b, limit) : [b]) {
      const blockLength = block === b ? bLength : visibleLength(block);
      const blockOpen = endsInTag(block);
      const next = cur ? cur + sep + block : block;
      // Each block is measured once; a joined message only when a tag left open could span the join.
      const nextLength = !cur ? blockLength : additive && !curOpen ? curLength + sepLength + blockLength : visibleLength(next);
      if (nextLength > limit && cur) {
        out.push(cur);
        cur = block;
        curLength = blockLength;
        curOpen = blockOpen;
      } else {
        // An inert separator holds no '<' or '>': the block decides, unless it has neither.
        const nextOpen = !cur ? blockOpen : !additive ? endsInTag(next) : /[<>]/.test(block) ? blockOpen : curOpen;
        cur = next;
        curLength = nextLength;
        curOpen = nextOpen;
      }
    }
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
  for (let i = 0; i < chars.length;) {
    let piece = '';
    while (i < chars.length && piece.length + chars[i]!.length <= limit) piece += chars[i++]!;
    out.push(escapeHtml(piece));
  }
  return out;
}
