import { spawn } from 'node:child_process';

/** One finished child process, timed from `spawn` until its exit with stdio closed. */
export interface ProcessRun {
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Median and range of repeated measurements, ms (or any unit). */
export interface Sample {
  median: number;
  min: number;
  max: number;
  n: number;
}

/** Thrown when a measured command did not do what the bench relies on. */
export class BenchError extends Error {
  override name = 'BenchError';
}

export function summarize(values: number[]): Sample {
  if (values.length === 0) throw new BenchError('no measurements to summarize');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1
      ? (sorted[mid] as number)
      : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { median, min: sorted[0] as number, max: sorted[sorted.length - 1] as number, n: sorted.length };
}

/** Runs a command to completion and returns its wall time and output. Never rejects for a non-zero exit. */
export function timeProcess(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({
        ms: performance.now() - started,
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

/** Wall time of an in-process async function, ms. */
export async function timeAsync<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

/**
 * Measures several named contenders `runs` times each after one warm-up run of each, interleaved
 * (a, b, c, a, b, c, ...) so drift in machine load spreads over all of them alike.
 */
export async function interleaved<K extends string>(
  runs: number,
  contenders: Record<K, () => Promise<number>>,
): Promise<Record<K, Sample>> {
  const names = Object.keys(contenders) as K[];
  for (const name of names) await contenders[name]();
  const times = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  for (let i = 0; i < runs; i++) {
    for (const name of names) times[name].push(await contenders[name]());
  }
  return Object.fromEntries(names.map((n) => [n, summarize(times[n])])) as Record<K, Sample>;
}

const TIME = '/usr/bin/time';

/**
 * Peak resident set size of a whole process, KiB, from GNU time's "Maximum resident set size".
 * Undefined when /usr/bin/time is missing.
 */
export async function peakRssKiB(
  command: string,
  args: string[],
): Promise<{ kib: number; run: ProcessRun } | undefined> {
  const run = await timeProcess(TIME, ['-v', command, ...args]).catch(() => undefined);
  const match = run?.stderr.match(/Maximum resident set size \(kbytes\): (\d+)/);
  if (!run || !match) return undefined;
  return { kib: Number(match[1]), run };
}
