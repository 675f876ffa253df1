import { readFileSync, statSync } from 'node:fs';
import { buildReport } from '../checks/run';
import type { ReportStatus } from '../checks/types';
import { clusterOverview } from '../notify/overview';
import { renderReportText } from '../notify/text';
import { observeCluster, type Snapshot } from '../observe';
import { writeSnapshotFile } from '../observe/snapshot-file';
import { type ConnectionFlags, connectionFrom } from './connection-options';
import type { CliIo } from './io';
import { label, parseSeeds, SnapshotWriteError, UsageError, writablePath } from './options';

export { SnapshotWriteError } from './options';

export interface CheckFlags extends ConnectionFlags {
  json?: boolean;
  snapshotOut?: string;
  fromSnapshot?: string;
  quick?: boolean;
  name?: string;
}

/** DESIGN §4 exit codes. */
export const EXIT: Record<ReportStatus, number> = { ok: 0, warning: 1, critical: 2, unknown: 3 };

/** A snapshot file larger than this is refused unread: far above a 1 000-node cluster's (about 25 MB). */
const MAX_SNAPSHOT_BYTES = 256 * 1024 * 1024;

/** Loads a saved snapshot, refusing anything that is not one with a one-line reason. */
export async function readSnapshot(path: string): Promise<Snapshot> {
  let parsed: unknown;
  try {
    if (statSync(path).size > MAX_SNAPSHOT_BYTES)
      throw new UsageError(`--from-snapshot ${path}: larger than ${MAX_SNAPSHOT_BYTES} bytes`);
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`--from-snapshot ${path}: ${code ?? `not JSON (${(error as Error).message})`}`);
  }
  const version = (parsed as { version?: unknown } | null)?.version;
  if (version !== 1 && version !== 2)
    throw new UsageError(`--from-snapshot ${path}: not a cluster-doctor snapshot (version 1 or 2)`);
  // The schema (and zod) load only on this path: `check` against a live cluster does not need them.
  const { parseSnapshot } = await import('../observe/snapshot-schema');
  const result = parseSnapshot(parsed);
  if (!result.ok) throw new UsageError(`--from-snapshot ${path}: not a valid snapshot: ${result.problem}`);
  return result.snapshot;
}

export async function checkCommand(seeds: string[], flags: CheckFlags, io: CliIo): Promise<number> {
  const name = flags.name === undefined ? undefined : label('--name', flags.name, 100);
  // Before observing: a path that cannot be written would otherwise waste the whole observation.
  if (flags.snapshotOut !== undefined) writablePath('--snapshot-out', flags.snapshotOut);
  let snapshot: Snapshot;
  if (flags.fromSnapshot !== undefined) {
    if (seeds.length > 0)
      throw new UsageError('give either HOST:PORT seeds or --from-snapshot FILE, not both');
    snapshot = await readSnapshot(flags.fromSnapshot);
  } else {
    if (seeds.length === 0) throw new UsageError('give at least one HOST:PORT (or --from-snapshot FILE)');
    const checked = parseSeeds(seeds);
    const options = connectionFrom(flags, io.env, io.warn);
    snapshot = await observeCluster(checked, { ...options, cluster: name, deepKeyScan: !flags.quick });
  }
  const report = buildReport(snapshot);
  if (flags.json) io.out(`${JSON.stringify(report, null, 2)}\n`);
  else io.out(renderReportText(report, { color: io.color, overview: clusterOverview(snapshot) }));
  if (flags.snapshotOut !== undefined) {
    try {
      writeSnapshotFile(flags.snapshotOut, snapshot);
    } catch (error) {
      throw new SnapshotWriteError(
        `--snapshot-out ${flags.snapshotOut}: ${(error as NodeJS.ErrnoException).code ?? 'write failed'}`,
        { cause: error },
      );
    }
  }
  return EXIT[report.status];
}
