import { randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Composer, Markup } from 'telegraf';
import type { Telegram } from 'telegraf';
import { WRONG_EXTENSION, forceFromCaption, planEntries, previewBulletin, publishBulletin, yearFromCaption } from '../../admin/publish.ts';
import type { AgencyDirectory } from '../../core/agencies.ts';
import { escapeHtml } from '../../core/html.ts';
import type { Entry, IngestResult, ParsedBulletin } from '../../core/model.ts';
import type { Messages } from '../../i18n/index.ts';
import { isBulletinFileName, maxBytesFor } from '../../ingest/read-bulletin.ts';
import type { BotContext, BotDeps } from '../context.ts';
import { editOrReply, replyBlocks } from '../lib/reply.ts';

/** Shown only in the admins' own chats (see registerCommands). */
export const ADMIN_COMMANDS: [string, string][] = [['stats', '统计（管理员）']];

export const PREVIEW_TTL_MS = 60 * 60 * 1000;
const MAX_WARNINGS = 10;
const MAX_NEW_TITLES = 5;
const MAX_CORRECTED_TITLES = 10;
const DOWNLOAD_TIMEOUT_MS = 30_000;

export class FileTooLargeError extends Error {
  constructor(readonly size: number) {
    super(`file is larger than allowed (${size} bytes)`);
    this.name = 'FileTooLargeError';
  }
}

/**
 * getFile + download, refusing to read more than maxBytes whatever the server claims. The link holds the
 * bot token: it is never logged or put into an error message.
 */
export async function downloadTelegramFile(telegram: Telegram, fileId: string, maxBytes: number): Promise<Uint8Array> {
  const link = await telegram.getFileLink(fileId);
  if (link.protocol === 'file:') {
    // A local Bot API server (--local) hands out absolute paths on its own disk.
    const path = fileURLToPath(link);
    const { size } = await stat(path);
    if (size > maxBytes) throw new FileTooLargeError(size);
    return readFile(path);
  }
  const res = await fetch(link, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
  if (!res.ok || !res.body) throw new Error(`file download failed: HTTP ${res.status}`);
  const declared = Number(res.headers.get('content-length'));
  if (declared > maxBytes) {
    await res.body.cancel();
    throw new FileTooLargeError(declared);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new FileTooLargeError(total);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

export interface AdminFeatureOptions {
  adminIds: readonly number[];
  /** Bytes of a Telegram file; the default downloads through the Bot API with a size cap. */
  fetchFile?: (fileId: string) => Promise<Uint8Array>;
  /** Agency list for parsing; default: the catalog's (shipped list plus agencies met in bulletins). */
  agencies?: AgencyDirectory;
}

type PendingState = { kind: 'pending' } | { kind: 'publishing' } | { kind: 'published'; result: IngestResult } | { kind: 'cancelled' };

interface Pending {
  parsed: ParsedBulletin;
  force: boolean;
  expiresAt: number;
  state: PendingState;
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${mb(bytes)} MB`;
}

const titleOf = (parsed: ParsedBulletin, m: Messages) => escapeHtml(parsed.bulletin.title || parsed.bulletin.file || m.admin.untitled);

export function renderPreview(parsed: ParsedBulletin, plan: IngestResult, m: Messages, opts: { year?: number } = {}): string[] {
  const { added, corrected } = planEntries(parsed, plan);
  const item = (e: Entry) => `• ${escapeHtml(e.title)} <i>(${escapeHtml(e.agency)} · ${e.date})</i>`;
  const head = [
    m.admin.previewTitle(titleOf(parsed, m)),
    m.admin.asOf(parsed.bulletin.asOf),
    m.admin.counts(plan.added, plan.unchanged, plan.corrected),
  ];
  if (plan.older) head.push(m.admin.older(plan.older));
  if (opts.year) head.push(m.admin.yearUsed(opts.year));
  const blocks = [head.join('\n')];
  const w = parsed.warnings;
  if (w.length) {
    const lines = w.slice(0, MAX_WARNINGS).map((x) => `${x.line ? `${m.admin.line(x.line)}: ` : ''}${escapeHtml(x.message)}`);
    if (w.length > MAX_WARNINGS) lines.push(m.common.more(w.length - MAX_WARNINGS));
    blocks.push([m.admin.warnings(w.length), ...lines].join('\n'));
  }
  if (added.length) {
    const lines = added.slice(0, MAX_NEW_TITLES).map(item);
    if (added.length > MAX_NEW_TITLES) lines.push(m.common.more(added.length - MAX_NEW_TITLES));
    blocks.push([m.admin.newTitles, ...lines].join('\n'));
  }
  if (corrected.length) {
    const lines = corrected.slice(0, MAX_CORRECTED_TITLES).map(item);
    if (corrected.length > MAX_CORRECTED_TITLES) lines.push(m.common.more(corrected.length - MAX_CORRECTED_TITLES));
    blocks.push([m.admin.correctedTitles, ...lines].join('\n'));
  }
  if (plan.older) {
    const byId = new Map(parsed.entries.map((e) => [e.id, e]));
    const older = plan.olderIds.map((id) => byId.get(id)).filter((e): e is Entry => e !== undefined);
    const lines = older.slice(0, MAX_CORRECTED_TITLES).map(item);
    if (older.length > MAX_CORRECTED_TITLES) lines.push(m.common.more(older.length - MAX_CORRECTED_TITLES));
    blocks.push([m.admin.olderTitles, ...lines].join('\n'));
  }
  if (plan.added + plan.corrected === 0) blocks.push(m.admin.nothingNew);
  return blocks;
}

/** A value from the stats hook as one line of text; shapes the hook may grow later still render. */
function renderValue(key: string, value: unknown, m: Messages, depth = 0): string {
  const label = (k: string) => escapeHtml(m.admin.labels[k] ?? k);
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number') {
    if (key !== 'durationMs') return String(value);
    return value < 1000 ? `${Math.round(value)} ms` : `${(value / 1000).toFixed(1)} s`;
  }
  if (typeof value === 'boolean') return value ? '✓' : '✗';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && depth === 0 && !Array.isArray(value)) {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${label(k)} ${renderValue(k, v, m, depth + 1)}`)
      .join(m.admin.listSep);
  }
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return escapeHtml(text.length > 200 ? `${text.slice(0, 200)}…` : text);
}

export function renderExtraStats(extra: Record<string, unknown>, m: Messages): string[] {
  return Object.entries(extra).map(([k, v]) => m.admin.statLine(escapeHtml(m.admin.labels[k] ?? k), renderValue(k, v, m)));
}

export function createAdminFeature(deps: BotDeps, opts: AdminFeatureOptions): Composer<BotContext> {
  const c = new Composer<BotContext>();
  const admins = new Set(opts.adminIds);
  const isAdmin = (ctx: BotContext) => ctx.from !== undefined && admins.has(ctx.from.id);
  const pending = new Map<string, Pending>();

  const prune = () => {
    const t = deps.now();
    for (const [token, p] of pending) if (p.expiresAt <= t) pending.delete(token);
  };

  c.on('document', async (ctx, next) => {
    // Everyone else falls through to the usual "please send text" answer.
    if (ctx.chat.type !== 'private' || !isAdmin(ctx)) return next();
    const doc = ctx.message.document;
    const fileName = doc.file_name ?? 'document';
    const shownName = escapeHtml(fileName.slice(0, 80));
    const year = yearFromCaption(ctx.message.caption);
    // "--force" or 强制 in the caption applies an older bulletin's text over newer text (like ingest --force).
    const force = forceFromCaption(ctx.message.caption);
    const agencies = opts.agencies ?? deps.catalog.directory();

    // The name and size are known before downloading: refuse early what cannot be a bulletin.
    if (!isBulletinFileName(fileName)) return replyBlocks(ctx, [ctx.m.admin.invalid(shownName, escapeHtml(WRONG_EXTENSION))]);
    // .docx and saved pages may be larger than a text bulletin (images, scripts): each format has its limit.
    const maxBytes = maxBytesFor(fileName);
    if (doc.file_size !== undefined && doc.file_size > maxBytes) {
      return replyBlocks(ctx, [ctx.m.admin.tooBig(shownName, mb(doc.file_size), maxBytes / 1024 / 1024)]);
    }

    let bytes: Uint8Array;
    try {
      bytes = await (opts.fetchFile ?? ((id: string) => downloadTelegramFile(ctx.telegram, id, maxBytes)))(doc.file_id);
    } catch (err) {
      if (err instanceof FileTooLargeError) return replyBlocks(ctx, [ctx.m.admin.tooBig(shownName, mb(err.size), maxBytes / 1024 / 1024)]);
      deps.log.warn({ err, event: 'admin-download-failed', file: fileName }, 'could not download an uploaded bulletin');
      return replyBlocks(ctx, [ctx.m.admin.downloadFailed(shownName)]);
    }

    const preview = await previewBulletin(bytes, fileName, { agencies, store: deps.entries, year, force });
    if (!preview.ok) {
      const reason = `${preview.line ? `${ctx.m.admin.line(preview.line)}: ` : ''}${escapeHtml(preview.error)}`;
      deps.log.info(
        { event: 'admin-upload-refused', file: fileName, error: preview.error, line: preview.line, by: ctx.from.id },
        'uploaded bulletin refused',
      );
      return replyBlocks(ctx, [ctx.m.admin.invalid(shownName, reason)]);
    }
    const { parsed, plan } = preview;
    deps.log.info(
      {
        event: 'admin-upload-preview',
        file: fileName,
        added: plan.added,
        corrected: plan.corrected,
        unchanged: plan.unchanged,
        by: ctx.from.id,
      },
      'bulletin preview',
    );
    const blocks = renderPreview(parsed, plan, ctx.m, { year });
    if (plan.added + plan.corrected === 0) return replyBlocks(ctx, blocks);

    prune();
    const token = randomBytes(6).toString('base64url');
    pending.set(token, { parsed, force, expiresAt: deps.now() + PREVIEW_TTL_MS, state: { kind: 'pending' } });
    const keyboard = Markup.inlineKeyboard([
      [Markup.button.callback(ctx.m.admin.publish, `adm:p:${token}`), Markup.button.callback(ctx.m.admin.cancel, `adm:c:${token}`)],
    ]).reply_markup;
    return replyBlocks(ctx, blocks, keyboard);
  });

  c.action(/^adm:([pc]):([\w-]{1,16})$/, async (ctx) => {
    if (!isAdmin(ctx)) return ctx.answerCbQuery();
    prune();
    const p = pending.get(ctx.match[2]!);
    if (!p) return ctx.answerCbQuery(ctx.m.admin.expired, { show_alert: true });
    const title = titleOf(p.parsed, ctx.m);
    // State changes before any await: a double tap (two updates handled concurrently) publishes once.
    if (p.state.kind === 'published' || p.state.kind === 'publishing') return ctx.answerCbQuery(ctx.m.admin.alreadyPublished);
    if (p.state.kind === 'cancelled') return ctx.answerCbQuery(ctx.m.admin.alreadyCancelled);

    if (ctx.match[1] === 'c') {
      p.state = { kind: 'cancelled' };
      await ctx.answerCbQuery();
      return editOrReply(ctx, [ctx.m.admin.cancelled(title)]);
    }
    p.state = { kind: 'publishing' };
    let result: IngestResult;
    const file = p.parsed.bulletin.file;
    // A trace that outlives the process: a publish killed mid-way is reported as not completed (log, /stats).
    deps.log.info({ event: 'admin-publish-started', file, by: ctx.from.id }, 'bulletin publish started');
    const traced = await deps.publishLog
      ?.started(file, ctx.from.id)
      .catch((err: unknown) => void deps.log.warn({ err, event: 'publish-log-failed' }, 'publish log not written'));
    try {
      // apply() classifies against the store as it is now, so whatever was published meanwhile counts.
      result = await publishBulletin(p.parsed, deps.entries, new Date(deps.now()), { force: p.force });
    } catch (err) {
      // Not written out: let the editor try again from the same preview.
      p.state = { kind: 'pending' };
      deps.log.error(
        { err, event: 'admin-publish-failed', file, by: ctx.from.id },
        'bulletin publish did not complete (not on disk); the editor can press Publish again',
      );
      if (traced) await deps.publishLog?.failed(traced, err instanceof Error ? err.message : String(err)).catch(() => {});
      throw err;
    }
    p.state = { kind: 'published', result };
    if (traced) await deps.publishLog?.completed(traced, result).catch(() => {});
    deps.log.info(
      { event: 'admin-published', file, added: result.added, corrected: result.corrected, by: ctx.from.id },
      'bulletin published from chat: completed',
    );
    await ctx.answerCbQuery();
    return editOrReply(ctx, [ctx.m.admin.published(title, result.added, result.corrected)]);
  });

  c.command('stats', async (ctx, next) => {
    // For anyone else /stats is an unknown command, answered by the fallback like any other.
    if (ctx.chat.type !== 'private' || !isAdmin(ctx)) return next();
    const m = ctx.m;
    const agencies = deps.catalog.agencyStats();
    const lines = [m.admin.statsTitle];
    if (agencies.length)
      lines.push(m.admin.perAgency, ...agencies.map((a) => `• ${escapeHtml(a.name)} — ${m.common.agencyMeasures(a.count)}`));
    lines.push(m.admin.total(deps.entries.count()), m.admin.bulletins(deps.entries.bulletins().length));
    if (deps.entries.file) {
      const size = await stat(deps.entries.file).then(
        (s) => s.size,
        () => 0,
      );
      lines.push(m.admin.storeSize(formatBytes(size)));
    } else lines.push(m.admin.storeInMemory);
    if (deps.stats) {
      try {
        lines.push(...renderExtraStats(await deps.stats(), m));
      } catch (err) {
        deps.log.warn({ err, event: 'admin-stats-failed' }, 'stats hook failed');
        lines.push(m.admin.extraUnavailable);
      }
    }
    return replyBlocks(ctx, [lines.join('\n')]);
  });
  return c;
}
