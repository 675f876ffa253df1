import { cli, clusterTool } from '../model/runbook';
import type { ClusterView, NodeFacts } from '../model/view';
import { infoNumber } from '../topology/info';
import { countSlots, formatRanges } from '../topology/slots';
import { defineCheck } from './define';
import type { FindingDraft } from './types';

/**
 * Slots whose owner (by the majority of the reachable masters' views) is a master that a majority of
 * the observers listing it flag `fail`, and that no replica has taken over: every key in them is
 * refused. One finding per failed master; remedy `promote-replica` when it has a replica that is
 * reachable and not itself flagged `fail`.
 */
export const slotsOwnerFailed = defineCheck({
  id: 'slots-owner-failed',
  severity: 'critical',
  title: 'Slots owned by a failed master',
  check(view) {
    const findings: FindingDraft[] = [];
    for (const [id, ranges] of view.agreedRangesByOwner()) {
      if (!view.failedByMajority(id)) continue;
      const address = view.addressOf(id);
      const votes = view.failVotes(id);
      const replicas = view.replicasOf(id);
      // Reachable first, then the most data: what promote-replica would pick.
      const best = replicas
        .filter((r) => view.failVotes(r.id).fail.length === 0)
        .sort(
          (a, b) =>
            Number(b.observation?.reachable ?? false) - Number(a.observation?.reachable ?? false) ||
            offsetOf(b) - offsetOf(a),
        )[0];
      const seed = view.observers[0]?.observation.address ?? address;
      const blockers = replicas.filter((r) => view.lineOf(r.id)?.nofailover);
      findings.push({
        summary:
          `${countSlots(ranges)} slot(s) (${formatRanges(ranges)}) belong to failed master ${view.label(id)} and ` +
          (replicas.length === 0
            ? 'it has no replica: their keys are unavailable'
            : `none of its ${replicas.length} replica(s) took over: their keys are unavailable` +
              (blockers.length > 0 ? ` (nofailover on ${blockers.map((r) => r.address).join(', ')})` : '')),
        slots: ranges,
        nodes: [address, ...replicas.map((r) => r.address)],
        evidence: {
          master: { id, address },
          flaggedFailBy: votes.fail,
          observersListingIt: votes.listing,
          replicas: replicas.map((r) => describeReplica(view, r, view.failVotes(r.id).fail)),
        },
        runbook: best
          ? [
              `Promote its replica ${best.address}: ${cli(best.address, 'CLUSTER', 'FAILOVER', 'FORCE')}`,
              `Only if a majority of masters cannot vote (and ${address} is gone for good): ${cli(best.address, 'CLUSTER', 'FAILOVER', 'TAKEOVER')}`,
              clusterTool('check', best.address),
            ]
          : [
              cli(address, 'PING'),
              `Restart ${address} with its data directory (nodes.conf, RDB/AOF): it serves its slots again.`,
              'If it is lost for good, so are the keys of these slots: forget it on every node within 60 s, then assign the slots:',
              ...votes.listing.slice(0, 12).map((o) => cli(o, 'CLUSTER', 'FORGET', id)),
              `${clusterTool('fix', seed)}   # review its plan first`,
            ],
        ...(best?.observation?.reachable ? { remedy: 'promote-replica' } : {}),
      });
    }
    return findings;
  },
});

function offsetOf(replica: NodeFacts): number {
  return replica.observation?.info
    ? (infoNumber(replica.observation.info, 'replication', 'slave_repl_offset') ?? -1)
    : -1;
}

function describeReplica(view: ClusterView, replica: NodeFacts, flaggedFailBy: string[]) {
  const replication = replica.observation?.info?.replication;
  return {
    id: replica.id,
    address: replica.address,
    reachable: replica.observation?.reachable ?? false,
    flags: view.lineOf(replica.id)?.flags ?? [],
    flaggedFailBy,
    master_link_status: replication?.master_link_status ?? null,
    slave_repl_offset: replication?.slave_repl_offset ?? null,
  };
}
