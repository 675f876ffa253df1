import type { MigrateProgress } from '../remedies/executor';

/** How often a progress line is written when stderr is not a terminal (a log file, CI), ms. */
export const PROGRESS_EVERY_MS = 5000;

export interface ProgressSink {
  /** Writes raw text (no newline added). */
  write: (text: string) => void;
  /** A terminal: one line rewritten in place (\r); otherwise a line every few seconds. */
  tty: boolean;
  now?: () => number;
}

/** `slot 4242: 52 000 of 100 000 keys moved (52%), 61 000 keys/s, about 1 s left` */
export function progressLine(p: MigrateProgress): string {
  const total = Math.max(p.total, p.moved);
  const rate = p.elapsedMs > 0 ? (p.moved * 1000) / p.elapsedMs : 0;
  const left = rate > 0 ? Math.ceil((total - p.moved) / rate) : undefined;
  const percent = total > 0 ? Math.floor((p.moved * 100) / total) : 100;
  return (
    `slot ${p.slot}: ${p.moved} of ${total} keys moved (${percent}%), ${Math.round(rate)} keys/s` +
    (left === undefined ? '' : `, about ${formatSeconds(left)} left`)
  );
}

function formatSeconds(s: number): string {
  return s < 120 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/**
 * The progress callback of `fix`: on a terminal, a live line rewritten after every round of MIGRATE
 * batches (throttled to ten a second) and ended by a newline when the move is done; elsewhere a
 * plain line every {@link PROGRESS_EVERY_MS} and one at the end, so a log shows a long move is alive.
 */
export function progressReporter(sink: ProgressSink): (p: MigrateProgress) => void {
  const now = sink.now ?? Date.now;
  let last = Number.NEGATIVE_INFINITY;
  return (p) => {
    const done = p.moved >= p.total;
    const t = now();
    if (!done && t - last < (sink.tty ? 100 : PROGRESS_EVERY_MS)) return;
    last = t;
    const line = progressLine(p);
    if (sink.tty) sink.write(`\r\x1b[2K${line}${done ? '\n' : ''}`);
    else sink.write(`${line}\n`);
  };
}
