/**
 * A durable trace of editors' Publish presses (DATA_DIR/publish.log, one JSON line each, fsynced): a line when a
 * publish starts and one when it ends (completed, with its counts, or failed, with the error). A publish killed
 * mid-way (kill -9, power cut) leaves a start without an end, which the next process reports as not completed —
 * in the log at start-up and in /stats — so an editor knows whether to publish again. (Publishing again is always
 * safe: measures already in the store count as unchanged.)
 */
import { mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { randomUUID } from 'node:crypto';

type Line =
  | { id: string; at: string; state: 'started'; file: string; by: number }
  | { id: string; at: string; state: 'completed'; added: number; corrected: number }
  | { id: string; at: string; state: 'failed'; error: string };

export interface PublishSummary {
  file: string;
  by: number;
  startedAt: string;
  /** 'publishing': under way in this process; 'not completed': started by a process that stopped before its end. */
  state: 'publishing' | 'completed' | 'failed' | 'not completed';
  endedAt?: string;
  added?: number;
  corrected?: number;
  error?: string;
}

export interface PublishLog {
  started(file: string, by: number): Promise<string>;
  completed(id: string, result: { added: number; corrected: number }): Promise<void>;
  failed(id: string, error: string): Promise<void>;
  /** The latest publish and how it ended, or null if none was ever started. */
  last(): Promise<PublishSummary | null>;
}

export function createPublishLog(path: string, now: () => number = Date.now): PublishLog {
  const mine = new Set<string>();
  let tailChecked = false;
  const append = async (line: Line) => {
    await mkdir(dirname(path), { recursive: true });
    const h = await open(path, 'a+');
    try {
      // A line torn by an earlier crash has no newline: start on a fresh line, so this one is whole.
      let lead = '';
      if (!tailChecked) {
        const { size } = await h.stat();
        const last = Buffer.alloc(1);
        if (size > 0 && (await h.read(last, 0, 1, size - 1)).bytesRead === 1 && last[0] !== 0x0a) lead = '\n';
        tailChecked = true;
      }
      await h.write(`${lead}${JSON.stringify(line)}\n`);
      await h.sync();
    } finally {
      await h.close();
    }
  };
  const at = () => new Date(now()).toISOString();
  return {
    async started(file, by) {
      const id = randomUUID();
      mine.add(id);
      await append({ id, at: at(), state: 'started', file, by });
      return id;
    },
    async completed(id, r) {
      mine.delete(id);
      await append({ id, at: at(), state: 'completed', added: r.added, corrected: r.corrected });
    },
    async failed(id, error) {
      mine.delete(id);
      await append({ id, at: at(), state: 'failed', error });
    },
    async last() {
      const text = await readFile(path, 'utf8').catch(() => '');
      const lines: Line[] = [];
      for (const l of text.split('\n')) {
        try {
          if (l) lines.push(JSON.parse(l) as Line);
        } catch {
          // a line torn by a crash: the start before it stays without an end, which is the truth
        }
      }
      const start = lines.findLast((l): l is Extract<Line, { state: 'started' }> => l.state === 'started');
      if (!start) return null;
      const end = lines.find((l) => l.id === start.id && l.state !== 'started');
      const base = { file: start.file, by: start.by, startedAt: start.at };
      if (!end) return { ...base, state: mine.has(start.id) ? 'publishing' : 'not completed' };
      if (end.state === 'completed') return { ...base, state: 'completed', endedAt: end.at, added: end.added, corrected: end.corrected };
      return { ...base, state: 'failed', endedAt: end.at, error: (end as Extract<Line, { state: 'failed' }>).error };
    },
  };
}
