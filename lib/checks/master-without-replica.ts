import { cli, clusterTool } from '../model/runbook';
import type { ClusterView, NodeFacts } from '../model/view';
import { formatRanges, rangesFromSlots } from '../topology/slots';
import { defineCheck } from './define';
import type { FindingDraft } from './types';

/**
 * A master serving slots (by the majority of the masters' views) that has no healthy replica: none
 * at all, or each one flagged `fail`/`fail?`, marked `nofailover`, unreachable from the checker, or
 * with its replication link down. One more failure and its slots are down. A master agreed failed
 * is slots-owner-failed's.
 */
export const masterWithoutReplica = defineCheck({
  id: 'master-without-replica',
  severity: 'warning',
  title: 'Master without a healthy replica',
  check(view) {
    const findings: FindingDraft[] = [];
    for (const [id, slots] of view.slotsByAgreedOwner()) {
      if (view.failedByMajority(id)) continue;
      const checked = view.replicasOf(id).map((replica) => ({ replica, why: problemOf(view, replica) }));
      if (checked.some((r) => r.why === undefined)) continue;
      const replicas = checked.map(({ replica, why }) => ({
        replica,
        problem: why?.problem ?? '',
        next: why?.next ?? '',
      }));
      const address = view.addressOf(id);
      const ranges = rangesFromSlots(slots);
      findings.push({
        summary:
          `master ${view.label(id)} serves ${slots.length} slot(s) with no healthy replica` +
          (replicas.length === 0
            ? ' (it has none)'
            : `: ${replicas.map((r) => `${r.replica.address} ${r.problem}`).join('; ')}`),
        slots: ranges,
        nodes: [address, ...replicas.map((r) => r.replica.address)],
        evidence: {
          master: { id, address, slots: formatRanges(ranges) },
          replicas: replicas.map(({ replica, problem }) => ({
            id: replica.id,
            address: replica.address,
            problem,
          })),
        },
        runbook: [
          ...replicas.map(({ replica, problem, next }) => `${replica.address} ${problem}: ${next}`),
          `Add a replica: ${clusterTool('add-node', '<new-host:port>', address, '--cluster-slave', '--cluster-master-id', id)}`,
          'Or let a master with two replicas give one away: cluster-allow-replica-migration yes and cluster-migration-barrier 1.',
        ],
      });
    }
    return findings;
  },
});

/** Why a replica cannot take over (and where to look next), or undefined when it is healthy. */
function problemOf(view: ClusterView, replica: NodeFacts): { problem: string; next: string } | undefined {
  const votes = view.failVotes(replica.id);
  if (votes.fail.length > 0)
    return { problem: `is flagged fail by ${votes.fail.join(', ')}`, next: 'see node-failed' };
  if (votes.pfail.length > 0)
    return { problem: `is flagged fail? by ${votes.pfail.join(', ')}`, next: 'see node-pfail' };
  if (view.lineOf(replica.id)?.nofailover) {
    return {
      problem: 'has nofailover set',
      next: `if that is not deliberate: ${cli(replica.address, 'CONFIG', 'SET', 'cluster-replica-no-failover', 'no')}`,
    };
  }
  if (!replica.observation?.reachable)
    return { problem: 'is not reachable from the checker', next: 'see node-unreachable' };
  const link = replica.observation.info?.replication?.master_link_status;
  if (link !== undefined && link !== 'up')
    return { problem: `has its replication link ${link}`, next: 'see replica-link-down' };
  return undefined;
}
