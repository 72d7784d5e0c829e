/**
 * An HTML page (a saved web page, a WeChat article, mammoth's rendering of a .docx) → the one text model
 * the parser reads: a line per block, "## " before headings, "• " before list items, tables as
 * tab-separated rows (cells with line breaks quoted, as Excel copies them).
 *
 * Only the article body: scripts, styles, navigation, share bars, headers, footers and sidebars go, and
 * for a WeChat article only #js_content is read (its title and account name lead the text).
 */
import type * as Cheerio from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import { isBoilerplate } from '../core/bulletin/lines.ts';
import { matchForm } from '../core/text.ts';
import { loadOnFirstUse } from '../core/load-on-first-use.ts';

const cheerio = loadOnFirstUse<typeof Cheerio>('cheerio');

const DROP =
  'script, style, noscript, template, iframe, svg, canvas, video, audio, object, embed, nav, header, footer, aside, form, button, select, input, textarea, link, meta';
/** class/id words of page furniture (nav bars, share bars, footers, QR codes, related links). */
const FURNITURE =
  /(?:^|[-_\s])(?:nav|navbar|menu|breadcrumbs?|crumb|share|sharebar|bdshare|footer|foot|sidebar|side|topbar|top-bar|toolbar|comments?|related|recommend|copyright|qrcode|qr|social|pagination|pager|ad|ads|banner|login|search|tools?|print)(?:[-_\s]|$)/i;
const BLOCK = new Set([
  'p',
  'div',
  'section',
  'article',
  'main',
  'blockquote',
  'pre',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'li',
  'ul',
  'ol',
  'dl',
  'dt',
  'dd',
  'table',
  'tr',
  'hr',
  'figure',
  'figcaption',
  'center',
  'address',
]);
/**
 * Where WeChat or a CMS keeps the article. The first match in the page is taken (the outermost container): it
 * usually holds the title and the publication line too, and furniture inside it is removed anyway.
 */
const ARTICLE = [
  '#js_content',
  '.rich_media_content',
  'article',
  '#ivs_content',
  '.TRS_Editor',
  '.article-content',
  '.article_content',
  '#article',
  '.article',
  '#content',
  '.content',
  'main',
  '#main',
];

export interface HtmlText {
  text: string;
  /** Characters of script and style the page held (reported when the page has no text). */
  scriptChars: number;
}

export function htmlToText(html: string, opts: { wholeBody?: boolean } = {}): HtmlText {
  const $ = cheerio().load(html);
  let scriptChars = 0;
  $('script, style').each((_, el) => {
    scriptChars += $(el).text().length;
  });
  const title = pageTitle($);
  const account = cleanInline($('#js_name').first().text()) || cleanInline($('meta[property="og:article:author"]').attr('content') ?? '');
  const published =
    cleanInline($('#publish_time').first().text()) ||
    cleanInline($('meta[name="publishdate"], meta[name="PubDate"]').attr('content') ?? '');
  $(DROP).remove();
  $('[class], [id]').each((_, el) => {
    const e = $(el);
    const words = `${e.attr('class') ?? ''} ${e.attr('id') ?? ''}`;
    if (FURNITURE.test(words) && !ARTICLE.some((sel) => e.is(sel))) e.remove();
  });
  $('[style*="display:none"], [style*="display: none"], [hidden]').remove();

  let root = opts.wholeBody ? $('body') : $(ARTICLE.join(', ')).first();
  if (!opts.wholeBody && root.length === 0) root = densest($);
  if (root.length === 0) root = $('body').length ? $('body') : $.root();

  const lines: string[] = [];
  const bodyLines = blocks($, root.get(0)!);
  const firstBody = bodyLines.find((l) => l.trim() !== '') ?? '';
  // The page's title leads, unless the article already starts with it.
  if (title && !matchForm(firstBody).includes(matchForm(title))) lines.push(title);
  if (account || published) lines.push([account, published].filter(Boolean).join(' '));
  lines.push(...bodyLines);
  const text = lines
    .map((l) => l.replace(/[ \t\u00A0]+$/g, ''))
    .filter((l) => !isBoilerplate(matchForm(l)))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return { text, scriptChars };
}

function cleanInline(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function pageTitle($: Cheerio.CheerioAPI): string {
  const candidates = [
    $('#activity-name').first().text(),
    $('.rich_media_title').first().text(),
    $('meta[property="og:title"]').attr('content') ?? '',
    $('h1').first().text(),
    ($('title').first().text() || '').split(/\s+[-_|–—]\s+/)[0] ?? '',
  ];
  return cleanInline(candidates.find((c) => cleanInline(c) !== '') ?? '');
}

/** The element holding the most paragraph text: the article of a page with no known container. */
function densest($: Cheerio.CheerioAPI) {
  let best: Element | null = null;
  let bestLen = 0;
  $('div, section, td').each((_, el) => {
    const len = $(el).children('p, br, span, font, h1, h2, h3, h4, table, ul, ol').text().length;
    if (len > bestLen) {
      bestLen = len;
      best = el;
    }
  });
  return best ? $(best) : $('body');
}

/** The text of a node as lines: blocks break lines, inline elements run together. */
function blocks($: Cheerio.CheerioAPI, node: AnyNode): string[] {
  const out: string[] = [''];
  const newline = () => {
    if (out[out.length - 1] !== '') out.push('');
  };
  const add = (s: string) => {
    out[out.length - 1] += s;
  };
  const walk = (n: AnyNode, listKind: string | null) => {
    if (n.type === 'text') {
      add((n as unknown as { data: string }).data.replace(/[\r\n\t]+/g, ' '));
      return;
    }
    if (n.type !== 'tag') return;
    const el = n as Element;
    const tag = el.tagName.toLowerCase();
    if (tag === 'br') return newline();
    if (tag === 'table') {
      newline();
      for (const row of tableRows($, el)) {
        out[out.length - 1] = row;
        out.push('');
      }
      return;
    }
    const block = BLOCK.has(tag);
    if (block) newline();
    if (/^h[1-6]$/.test(tag)) add(`${'#'.repeat(Number(tag[1]))} `);
    if (tag === 'li' && listKind === 'ul') add('• ');
    const kind = tag === 'ul' || tag === 'ol' ? tag : listKind;
    for (const c of el.children) walk(c, kind);
    if (block) newline();
  };
  walk(node, null);
  return out.map((l) => l.replace(/ {2,}/g, ' ').trim()).filter((l, i, a) => l !== '' || (i > 0 && a[i - 1] !== ''));
}

/** A table's rows as tab-separated lines; a cell's own lines stay inside quotes. */
function tableRows($: Cheerio.CheerioAPI, table: Element): string[] {
  const rows: string[] = [];
  $(table)
    .find('tr')
    .filter((_, tr) => $(tr).closest('table').get(0) === table)
    .each((_, tr) => {
      const cells = $(tr)
        .children('td, th')
        .map((__, td) => {
          const text = blocks($, td)
            .filter((l) => l !== '')
            .join('\n');
          return /[\t\n"]/.test(text) ? `"${text.replace(/"/g, '""').replace(/\t/g, ' ')}"` : text;
        })
        .get();
      if (cells.some((c) => c !== '')) rows.push(cells.join('\t'));
    });
  return rows;
}
