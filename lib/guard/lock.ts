import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

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
 * is taken over, so a run killed with SIGKILL does not block the next one for ever. A lock file that
 * cannot be read (another run between creating and writing it) counts as held until it is older
 * than the lease. Release removes the file only while it still holds this run's record.
 */
export class FileLock implements RemediationLock {
  private held = false;
  private mine?: string;

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
        this.mine = JSON.stringify(record);
        writeSync(fd, this.mine);
        closeSync(fd);
        this.held = true;
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const current = this.read();
        if (current ? !isStale(current) : !this.unreadableIsStale()) return false;
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
    // After our lease expired another run may have taken the lock over: its file is not ours to remove.
    if (this.readRaw() !== this.mine) return;
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
      return JSON.parse(this.readRaw() ?? '') as LockRecord;
    } catch {
      return undefined;
    }
  }

  private readRaw(): string | undefined {
    try {
      return readFileSync(this.path, 'utf8');
    } catch {
      return undefined;
    }
  }

  /** An empty or corrupt lock file: stale once older than the lease (or already gone). */
  private unreadableIsStale(): boolean {
    try {
      return statSync(this.path).mtimeMs + this.leaseMs < Date.now();
    } catch {
      return true;
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

/** One lock file per cluster in the temp dir: single flight for the runs of one host (the CLI's choice). */
export const tempFileLock = (clusterKey: string): FileLock =>
  new FileLock(join(tmpdir(), `cluster-doctor-fix-${clusterKey}.lock`));
