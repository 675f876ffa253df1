import { cli } from '../model/runbook';
import type { ClusterView } from '../model/view';
import { infoNumber, parseReplicaLines } from '../topology/info';
import { defineCheck } from './define';
import type { FindingDraft } from './types';

/** More than this many bytes of replication stream not yet applied by a replica. */
export const LAG_BYTES = 1024 * 1024;
/** No acknowledgement from the replica for more than this many seconds (it acks every second). */
export const LAG_SECONDS = 10;

/**
 * A replica far behind its master, from the master's own `slaveN` lines: its acknowledged offset is
 * more than {@link LAG_BYTES} behind `master_repl_offset`, or its last acknowledgement is more than
 * {@link LAG_SECONDS} s old. A replica acks once a second, so under heavy writes the acked offset
 * trails by a second of traffic: when the replica was observed too and its own `slave_repl_offset`
 * is within {@link LAG_BYTES} of the master's, it is not lagging. Replicas still syncing are
 * replica-link-down's.
 */
export const replicaLagging = defineCheck({
  id: 'replica-lagging',
  severity: 'warning',
  title: 'Replica lagging behind its master',
  check(view) {
    const findings: FindingDraft[] = [];
    for (const { observation, self } of view.observers) {
      if (self.role !== 'master' || !observation.info) continue;
      const masterOffset = infoNumber(observation.info, 'replication', 'master_repl_offset');
      if (masterOffset === undefined) continue;
      for (const line of parseReplicaLines(observation.info.replication)) {
        if (line.state !== 'online' || line.offset === undefined) continue;
        const behind = masterOffset - line.offset;
        const lag = line.lag ?? 0;
        const replicaId = findReplica(view, self.id, line.ip, line.port);
        const replica = replicaId ? view.nodes.get(replicaId) : undefined;
        const ownOffset = replica?.observation?.info
          ? infoNumber(replica.observation.info, 'replication', 'slave_repl_offset')
          : undefined;
        const ownBehind = ownOffset === undefined ? undefined : masterOffset - ownOffset;
        const bytesLagging = behind > LAG_BYTES && (ownBehind === undefined || ownBehind > LAG_BYTES);
        if (!bytesLagging && lag <= LAG_SECONDS) continue;
        const address = replica?.address ?? `${line.ip}:${line.port}`;
        findings.push({
          summary:
            `replica ${replicaId ? view.label(replicaId) : address} is ${mib(behind)} behind master ${view.label(self.id)}` +
            (lag > LAG_SECONDS ? `, no acknowledgement for ${lag} s` : ''),
          nodes: [address, observation.address],
          evidence: {
            master: { id: self.id, address: observation.address, master_repl_offset: masterOffset },
            replica: {
              id: replicaId ?? null,
              address,
              ackedOffset: line.offset,
              lagSeconds: lag,
              state: line.state,
            },
            bytesBehind: behind,
            replicaOwnOffset: ownOffset ?? null,
            thresholds: { bytes: LAG_BYTES, seconds: LAG_SECONDS },
          },
          runbook: [
            cli(observation.address, 'INFO', 'replication'),
            cli(address, 'INFO', 'replication'),
            'A replica that cannot keep up: is it paused or swapping, its disk slow (AOF fsync), the network saturated, or the master writing faster than it can apply?',
            'If it stays behind, a failover to it loses the writes it has not applied.',
          ],
        });
      }
    }
    return findings;
  },
});

/**
 * The replica of `masterId` behind a `slaveN` line. The master prints the address the replica
 * connected from (or its replica-announce-ip), which may not be the one the cluster announces: match
 * ip and port first, then the port alone when only one of its replicas uses it.
 */
function findReplica(view: ClusterView, masterId: string, ip: string, port: number): string | undefined {
  const replicas = view.replicasOf(masterId);
  const exact = replicas.find((r) => {
    const line = view.lineOf(r.id);
    return r.address === `${ip}:${port}` || (line?.port === port && (line.ip === ip || line.hostname === ip));
  });
  const samePort = replicas.filter((r) => view.lineOf(r.id)?.port === port);
  return exact?.id ?? (samePort.length === 1 ? samePort[0]?.id : undefined);
}

function mib(bytes: number): string {
  return bytes >= LAG_BYTES ? `${(bytes / LAG_BYTES).toFixed(1)} MiB` : `${bytes} bytes`;
}
