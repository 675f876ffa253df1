import { readFileSync, writeFileSync } from 'node:fs';
import { buildReport } from '../checks/run';
import type { ReportStatus } from '../checks/types';
import { clusterOverview } from '../notify/overview';
import { renderReportText } from '../notify/text';
import { observeCluster, type Snapshot } from '../observe';
import { type ConnectionFlags, connectionFrom, parseSeeds, UsageError } from './connection-options';
import type { CliIo } from './io';

export interface CheckFlags extends ConnectionFlags {
  json?: boolean;
  snapshotOut?: string;
  fromSnapshot?: string;
  quick?: boolean;
  name?: string;
}

/** DESIGN §4 exit codes. */
export const EXIT: Record<ReportStatus, number> = { ok: 0, warning: 1, critical: 2, unknown: 3 };

/** Loads a saved snapshot, refusing anything that is not one. */
export function readSnapshot(path: string): Snapshot {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`--from-snapshot ${path}: ${(error as Error).message}`);
  }
  const snapshot = parsed as Snapshot;
  if (snapshot?.version !== 1 || !Array.isArray(snapshot.nodes)) {
    throw new UsageError(`--from-snapshot ${path}: not a cluster-doctor snapshot (version 1)`);
  }
  return snapshot;
}

export async function checkCommand(seeds: string[], flags: CheckFlags, io: CliIo): Promise<number> {
  let snapshot: Snapshot;
  if (flags.fromSnapshot) {
    snapshot = readSnapshot(flags.fromSnapshot);
  } else {
    if (seeds.length === 0) throw new UsageError('give at least one HOST:PORT (or --from-snapshot FILE)');
    const options = connectionFrom(flags, io.env, io.warn);
    snapshot = await observeCluster(parseSeeds(seeds), {
      ...options,
      cluster: flags.name,
      deepKeyScan: !flags.quick,
    });
  }
  if (flags.snapshotOut) writeFileSync(flags.snapshotOut, `${JSON.stringify(snapshot, null, 2)}\n`);
  const report = buildReport(snapshot);
  if (flags.json) io.out(`${JSON.stringify(report, null, 2)}\n`);
  else io.out(renderReportText(report, { color: io.color, overview: clusterOverview(snapshot) }));
  return EXIT[report.status];
}
