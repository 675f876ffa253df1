import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';

/** Rule 5 (second half): one remediation run per cluster at a time. */
export interface RemediationLock {
  /** True when this run now holds the lock; false when another live run holds it. */
  acquire(): Promise<boolean>;
  release(): Promise<void>;
  /** Who holds it, for the refusal message. */
  holder(): Promise<string | undefined>;
}

interface LockRecord {
  pid: number;
  host: string;
  expiresAt: number;
}

/**
 * A lock file created with O_EXCL. A lock whose process is gone (same host) or whose lease expired
 * is taken over, so a run killed with SIGKILL does not block the next one for ever.
 */
export class FileLock implements RemediationLock {
  private held = false;

  constructor(
    readonly path: string,
    private readonly leaseMs = 15 * 60_000,
  ) {}

  async acquire(): Promise<boolean> {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(this.path, 'wx');
        const record: LockRecord = {
          pid: process.pid,
          host: hostname(),
          expiresAt: Date.now() + this.leaseMs,
        };
        writeSync(fd, JSON.stringify(record));
        closeSync(fd);
        this.held = true;
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const current = this.read();
        if (current && !isStale(current)) return false;
        try {
          unlinkSync(this.path);
        } catch {
          // another run removed it first: try again
        }
      }
    }
    return false;
  }

  async release(): Promise<void> {
    if (!this.held) return;
    this.held = false;
    try {
      unlinkSync(this.path);
    } catch {
      // already gone
    }
  }

  async holder(): Promise<string | undefined> {
    const r = this.read();
    return r ? `pid ${r.pid} on ${r.host} until ${new Date(r.expiresAt).toISOString()}` : undefined;
  }

  private read(): LockRecord | undefined {
    try {
      return JSON.parse(readFileSync(this.path, 'utf8')) as LockRecord;
    } catch {
      return undefined;
    }
  }
}

function isStale(record: LockRecord): boolean {
  if (record.expiresAt < Date.now()) return true;
  if (record.host !== hostname()) return false;
  try {
    process.kill(record.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
