import { cli } from '../model/runbook';
import { infoNumber } from '../topology/info';
import { defineCheck } from './define';
import type { FindingDraft, Severity } from './types';

/** A sync that has not moved a byte for this long is stuck, not slow. */
export const STUCK_SYNC_SECONDS = 10;

/**
 * A reachable replica whose `INFO replication` says `master_link_status:down`: it receives no writes
 * and cannot take over. A full sync still moving data (`master_sync_in_progress:1`, last I/O within
 * {@link STUCK_SYNC_SECONDS} s) is only `info`: it will be a failover candidate when it finishes.
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
      const syncing = replication.master_sync_in_progress === '1';
      const lastIo = infoNumber(observation.info, 'replication', 'master_sync_last_io_seconds_ago');
      const downFor = infoNumber(observation.info, 'replication', 'master_link_down_since_seconds');
      const progressing = syncing && lastIo !== undefined && lastIo <= STUCK_SYNC_SECONDS;
      const severity: Severity = progressing ? 'info' : 'warning';
      const masterAddress = self.masterId
        ? view.addressOf(self.masterId)
        : `${replication.master_host}:${replication.master_port}`;
      const state = progressing
        ? `is in a full sync from ${masterAddress} (${replication.master_sync_perc ?? '?'}% done)`
        : syncing
          ? `has a full sync from ${masterAddress} stuck (no data for ${lastIo ?? '?'} s)`
          : `has its link to master ${masterAddress} down${downFor !== undefined ? ` for ${downFor} s` : ''}`;
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
