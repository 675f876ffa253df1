import { cli, clusterTool } from '../model/runbook';
import type { ClusterView, NodeFacts } from '../model/view';
import { countSlots, formatRanges } from '../topology/slots';
import { defineCheck } from './define';
import { FIRST_SYNC_BOUND_SECONDS, FULL_SYNC_BOUND_SECONDS, syncStateOf } from './replica-link-down';
import type { FindingDraft, Severity } from './types';

/**
 * A master serving slots (by the majority of the masters' views) that has no healthy replica: none
 * at all, or each one flagged `fail`/`fail?`, marked `nofailover`, unreachable from the checker, or
 * with its replication link down. One more failure and its slots are down. A master agreed failed
 * is slots-owner-failed's. While every such replica is only syncing (its first sync, or a full sync
 * moving data) the finding is `info` with the sync's bound in `evidence.transition`: a replica on
 * its way, not a missing one.
 */
export const masterWithoutReplica = defineCheck({
  id: 'master-without-replica',
  severity: 'warning',
  title: 'Master without a healthy replica',
  check(view) {
    const findings: FindingDraft[] = [];
    for (const [id, ranges] of view.agreedRangesByOwner()) {
      if (view.failedByMajority(id)) continue;
      const checked = view.replicasOf(id).map((replica) => ({ replica, why: problemOf(view, replica) }));
      if (checked.some((r) => r.why === undefined)) continue;
      const replicas = checked.map(({ replica, why }) => ({
        replica,
        problem: why?.problem ?? '',
        next: why?.next ?? '',
        syncing: why?.syncing,
      }));
      const syncing = replicas.length > 0 && replicas.every((r) => r.syncing);
      const severity: Severity = syncing ? 'info' : 'warning';
      const bound = replicas.some((r) => r.syncing === 'full-sync')
        ? FULL_SYNC_BOUND_SECONDS
        : FIRST_SYNC_BOUND_SECONDS;
      const address = view.addressOf(id);
      findings.push({
        severity,
        summary:
          `master ${view.label(id)} serves ${countSlots(ranges)} slot(s) with no healthy replica` +
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
          ...(syncing ? { transition: { state: 'replica sync', boundSeconds: bound } } : {}),
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
function problemOf(
  view: ClusterView,
  replica: NodeFacts,
): { problem: string; next: string; syncing?: 'first-sync' | 'full-sync' } | undefined {
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
  const replication = replica.observation.info?.replication;
  const sync = syncStateOf(replication);
  if (sync === 'first-sync' || sync === 'full-sync')
    return {
      problem: sync === 'first-sync' ? 'is waiting for its first sync' : 'is in a full sync',
      next: 'see replica-link-down',
      syncing: sync,
    };
  if (sync)
    return {
      problem: `has its replication link ${replication?.master_link_status}`,
      next: 'see replica-link-down',
    };
  return undefined;
}
