import { cli } from '../model/runbook';
import type { ClusterView } from '../model/view';
import { infoNumber, parseReplicaLines } from '../topology/info';
import { defineCheck } from './define';
import type { FindingDraft, Severity } from './types';

/** A sync that has not moved a byte for this long is stuck, not slow. */
export const STUCK_SYNC_SECONDS = 10;
/**
 * A replica that never had its link up since it started (`master_link_down_since_seconds:-1`, no
 * transfer yet) is waiting for its first sync: the master's `repl-diskless-sync-delay` (5 s by
 * default) and the start of its fork. Longer than this, it is stuck.
 */
export const FIRST_SYNC_BOUND_SECONDS = 120;
/** A full sync still moving data is progress; one lasting longer than this deserves a look. */
export const FULL_SYNC_BOUND_SECONDS = 3600;

export type SyncState = 'first-sync' | 'full-sync' | 'stuck-sync' | 'down' | undefined;

/** How a replica's link stands, from its own `INFO replication`: undefined when up. */
export function syncStateOf(replication: Record<string, string> | undefined): SyncState {
  const link = replication?.master_link_status;
  if (link === undefined || link === 'up') return undefined;
  const syncing = replication?.master_sync_in_progress === '1';
  const lastIo = Number(replication?.master_sync_last_io_seconds_ago);
  if (syncing) return Number.isFinite(lastIo) && lastIo <= STUCK_SYNC_SECONDS ? 'full-sync' : 'stuck-sync';
  return Number(replication?.master_link_down_since_seconds) < 0 ? 'first-sync' : 'down';
}

/**
 * A reachable replica whose `INFO replication` says `master_link_status:down`: it receives no writes
 * and cannot take over. Two states are transitions, `info` with their bound in
 * `evidence.transition` (the scheduled runs make them a warning once they outlast it): a replica
 * waiting for its first sync (link never up since it started, `master_link_down_since_seconds:-1`,
 * the master listing it `wait_bgsave`), and a full sync still moving data (`master_sync_in_progress:1`,
 * last I/O within {@link STUCK_SYNC_SECONDS} s).
 */
export const replicaLinkDown = defineCheck({
  id: 'replica-link-down',
  severity: 'warning',
  title: 'Replica replication link down',
  check(view) {
    const findings: FindingDraft[] = [];
    for (const { observation, self } of view.observers) {
      if (self.role !== 'replica' || !observation.info) continue;
      const replication = observation.info.replication ?? {};
      const link = replication.master_link_status;
      if (link === undefined || link === 'up') continue;
      const sync = syncStateOf(replication);
      const lastIo = infoNumber(observation.info, 'replication', 'master_sync_last_io_seconds_ago');
      const downFor = infoNumber(observation.info, 'replication', 'master_link_down_since_seconds');
      const severity: Severity = sync === 'first-sync' || sync === 'full-sync' ? 'info' : 'warning';
      const masterAddress = self.masterId
        ? view.addressOf(self.masterId)
        : `${replication.master_host}:${replication.master_port}`;
      const masterSide = self.masterId
        ? replicaLineOnMaster(view, self.masterId, observation.address)
        : undefined;
      const state =
        sync === 'first-sync'
          ? `is waiting for its first sync from ${masterAddress}${masterSide ? ` (master says ${masterSide})` : ''}`
          : sync === 'full-sync'
            ? `is in a full sync from ${masterAddress} (${replication.master_sync_perc ?? '?'}% done)`
            : sync === 'stuck-sync'
              ? `has a full sync from ${masterAddress} stuck (no data for ${lastIo ?? '?'} s)`
              : `has its link to master ${masterAddress} down${downFor !== undefined && downFor >= 0 ? ` for ${downFor} s` : ''}`;
      const transition =
        sync === 'first-sync'
          ? { state: 'first sync', boundSeconds: FIRST_SYNC_BOUND_SECONDS }
          : sync === 'full-sync'
            ? { state: 'full sync', boundSeconds: FULL_SYNC_BOUND_SECONDS }
            : undefined;
      findings.push({
        severity,
        summary: `replica ${view.label(self.id)} ${state}`,
        nodes: [observation.address, masterAddress],
        evidence: {
          replica: { id: self.id, address: observation.address },
          master: { id: self.masterId, address: masterAddress },
          master_host: replication.master_host ?? null,
          master_port: replication.master_port ?? null,
          master_link_status: link,
          master_link_down_since_seconds: replication.master_link_down_since_seconds ?? null,
          master_sync_in_progress: replication.master_sync_in_progress ?? null,
          master_sync_last_io_seconds_ago: replication.master_sync_last_io_seconds_ago ?? null,
          master_sync_perc: replication.master_sync_perc ?? null,
          ...(masterSide ? { stateOnMaster: masterSide } : {}),
          ...(transition ? { transition } : {}),
        },
        runbook: [
          cli(observation.address, 'INFO', 'replication'),
          cli(masterAddress, 'INFO', 'replication'),
          'The replica log says why (authentication: masterauth/masteruser; network; the master refusing a sync for lack of memory or disk).',
          `Once fixed it reconnects by itself; to force it: ${cli(observation.address, 'CLUSTER', 'REPLICATE', self.masterId ?? '<master-id>')}`,
        ],
      });
    }
    return findings;
  },
});

/** `state=wait_bgsave` and the like: how the master lists this replica, when it lists it. */
function replicaLineOnMaster(
  view: ClusterView,
  masterId: string,
  replicaAddress: string,
): string | undefined {
  const master = view.observers.find((o) => o.self.id === masterId)?.observation;
  const [host, port] = [
    replicaAddress.slice(0, replicaAddress.lastIndexOf(':')),
    replicaAddress.slice(replicaAddress.lastIndexOf(':') + 1),
  ];
  const line = parseReplicaLines(master?.info?.replication).find(
    (r) => r.ip === host && String(r.port) === port,
  );
  return line?.state ? `state=${line.state}` : undefined;
}
