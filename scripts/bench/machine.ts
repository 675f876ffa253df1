import { execFile, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';

/** What the numbers were measured on. */
export interface Machine {
  cpu: string;
  cores: number;
  ramGiB: number;
  kernel: string;
  node: string;
  redisServer: string;
  redisCli: string;
}

const versionOf = (command: string, pattern: RegExp): string => {
  const result = spawnSync(command, ['--version'], { encoding: 'utf8' });
  return result.stdout?.match(pattern)?.[1] ?? 'not found';
};

export function describeMachine(): Machine {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    cpu = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.+)$/m)?.[1] ?? cpu;
  } catch {
    // not Linux: the model os.cpus() reports will do
  }
  return {
    cpu,
    cores: cpus().length,
    ramGiB: totalmem() / 1024 ** 3,
    kernel: `Linux ${release()}`,
    node: process.version,
    redisServer: versionOf('redis-server', /v=(\S+)/),
    redisCli: versionOf('redis-cli', /redis-cli (\S+)/),
  };
}

/** What else ran on the machine during the bench: load average and redis-servers the bench did not start. */
export interface LoadSummary {
  loadStart: number;
  loadMax: number;
  loadEnd: number;
  foreignStart: number;
  foreignMax: number;
  foreignEnd: number;
}

/**
 * Samples the 1-minute load average and the redis-server processes not listed in the harness's PID
 * registry (`pidDir`) every `everyMs`, so a report can say honestly what else was running.
 */
export class LoadMonitor {
  private readonly loads: number[] = [];
  private readonly foreign: number[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pidDir: string,
    everyMs = 5000,
  ) {
    void this.sample();
    this.timer = setInterval(() => void this.sample(), everyMs);
    this.timer.unref();
  }

  async stop(): Promise<LoadSummary> {
    clearInterval(this.timer);
    await this.sample();
    const first = (xs: number[]) => xs[0] ?? 0;
    const last = (xs: number[]) => xs[xs.length - 1] ?? 0;
    return {
      loadStart: first(this.loads),
      loadMax: Math.max(...this.loads),
      loadEnd: last(this.loads),
      foreignStart: first(this.foreign),
      foreignMax: Math.max(0, ...this.foreign),
      foreignEnd: last(this.foreign),
    };
  }

  /** Asynchronous, so sampling never blocks the event loop of an in-process measurement. */
  private async sample(): Promise<void> {
    this.loads.push(loadavg()[0] ?? 0);
    const pids = await new Promise<number[]>((resolve) =>
      execFile('pgrep', ['redis-server'], (_error, stdout) =>
        resolve(stdout.split('\n').filter(Boolean).map(Number)),
      ),
    );
    // Read after pgrep, so a server started in between is already registered as ours.
    const ours = new Set<number>();
    try {
      for (const file of readdirSync(this.pidDir))
        for (const line of readFileSync(join(this.pidDir, file), 'utf8').split('\n'))
          ours.add(Number(line.split(' ')[0]));
    } catch {
      // no registry yet: nothing started
    }
    this.foreign.push(pids.filter((pid) => !ours.has(pid)).length);
  }
}
