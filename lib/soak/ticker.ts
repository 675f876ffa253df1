import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface TickerConfig {
  seeds: string[];
  stateDir: string;
  tickMs: number;
  settleMs: number;
  timeoutMs: number;
}

export const SOAK_CLUSTER = 'soak';
/** The remedies that are not opt-in: the allow-list `fix --yes` uses when none is given. */
export const DEFAULT_ALLOW = ['stabilize-open-slot', 'assign-uncovered-slots'] as const;

export interface TickerEvent {
  type: 'tick' | 'tick-error' | 'message' | 'remediation';
  at: number;
  [field: string]: unknown;
}

const MAIN = join(__dirname, 'ticker-main.ts');

/**
 * The scheduled check as a process of its own (lib/soak/ticker-main.ts), started again at once when
 * the nemesis kills it, as Lambda starts a new container for the next invocation.
 */
export class Ticker {
  readonly events: TickerEvent[] = [];
  kills = 0;
  /** The end of what the process printed on stderr (a crash at start-up, say). */
  stderrTail = '';
  private child?: ChildProcess;
  private exited?: Promise<void>;
  private stopping = false;

  constructor(
    private readonly config: TickerConfig,
    private readonly onEvent: (event: TickerEvent) => void = () => {},
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Whether a remediation run holds the cluster's lock (the file lock of lib/service/local.ts). */
  lockHeld(): boolean {
    return existsSync(join(this.config.stateDir, `${SOAK_CLUSTER}.lock`));
  }

  start(): void {
    // One process (tsx as a loader, not its CLI, which would run the file in a grandchild that a
    // SIGKILL would not reach); its stdin is the soak's, so it exits if the soak dies first.
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
      env: { ...process.env, SOAK_TICKER: JSON.stringify(this.config) },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stderr?.on('data', (chunk) => {
      this.stderrTail = (this.stderrTail + String(chunk)).slice(-2000);
    });
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      try {
        const event = JSON.parse(line) as TickerEvent;
        this.events.push(event);
        this.onEvent(event);
      } catch {
        // not ours (a library's stray line)
      }
    });
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  /** SIGKILL, as a Lambda container dies mid-run; the next tick is a new process. */
  async kill(): Promise<void> {
    this.kills++;
    this.child?.kill('SIGKILL');
    await this.exited;
    if (!this.stopping) this.start();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.child?.kill('SIGKILL');
    await this.exited;
  }
}
