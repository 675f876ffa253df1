import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type ClusterState,
  clusterStateSchema,
  emptyState,
  type FailureRecord,
  type FunctionRole,
  failureRecordSchema,
  laterReminder,
  noticesSchema,
  parseStored,
  type StateStore,
} from './types';

/** Local state: one JSON file per cluster (and one per failing function), written atomically. */
export class FileStateStore implements StateStore {
  constructor(private readonly dir: string) {}

  private path(cluster: string, suffix = 'state'): string {
    return join(this.dir, `${cluster.replace(/[^a-zA-Z0-9_.-]/g, '_')}.${suffix}.json`);
  }

  async load(cluster: string): Promise<ClusterState> {
    const value = this.read(this.path(cluster));
    return value === undefined ? emptyState() : parseStored(clusterStateSchema, value, this.path(cluster));
  }

  async save(cluster: string, state: ClusterState): Promise<void> {
    this.write(this.path(cluster), state);
  }

  async loadFailure(cluster: string, role: FunctionRole): Promise<FailureRecord | undefined> {
    const path = this.path(cluster, `${role}-failure`);
    const value = this.read(path);
    return value === undefined ? undefined : parseStored(failureRecordSchema, value, path);
  }

  async saveFailure(cluster: string, role: FunctionRole, record: FailureRecord | undefined): Promise<void> {
    const path = this.path(cluster, `${role}-failure`);
    if (!record) {
      rmSync(path, { force: true });
      return;
    }
    const stored = await this.loadFailure(cluster, role).catch(() => undefined);
    const lastReminderAt = laterReminder(stored?.lastReminderAt, record.lastReminderAt);
    this.write(path, lastReminderAt === undefined ? record : { ...record, lastReminderAt });
  }

  /** A link to a complete temporary file: it fails when the record exists, and is never half-written. */
  async claimFailure(cluster: string, role: FunctionRole, record: FailureRecord): Promise<boolean> {
    const path = this.path(cluster, `${role}-failure`);
    mkdirSync(this.dir, { recursive: true });
    const claim = `${path}.${process.pid}.${Date.now()}.claim`;
    writeFileSync(claim, JSON.stringify(record, null, 2));
    try {
      linkSync(claim, path);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    } finally {
      rmSync(claim, { force: true });
    }
  }

  async loadNotices(cluster: string): Promise<Record<string, string>> {
    const path = this.path(cluster, 'notices');
    const value = this.read(path);
    return value === undefined ? {} : parseStored(noticesSchema, value, path);
  }

  async saveNotices(cluster: string, notices: Record<string, string>): Promise<void> {
    this.write(this.path(cluster, 'notices'), notices);
  }

  /** The parsed JSON of a file, undefined when there is none. */
  private read(path: string): unknown {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    return JSON.parse(text);
  }

  private write(path: string, value: unknown): void {
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(`${path}.tmp`, JSON.stringify(value, null, 2));
    renameSync(`${path}.tmp`, path);
  }
}
