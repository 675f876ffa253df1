import { cli } from '../model/runbook';
import { defineCheck } from './define';
import type { FindingDraft } from './types';

/**
 * A node some observer cannot reach (`fail?`, PFAIL) while no observer flags it `fail` yet: either
 * the failure is being agreed right now, or too few masters can see it to agree (then no failover
 * will ever start). A node already flagged `fail` is node-failed's.
 */
export const nodePfail = defineCheck({
  id: 'node-pfail',
  severity: 'warning',
  title: 'Node suspected down (PFAIL)',
  check(view) {
    const findings: FindingDraft[] = [];
    for (const node of view.list()) {
      const votes = view.failVotes(node.id);
      if (votes.pfail.length === 0 || votes.fail.length > 0) continue;
      findings.push({
        summary: `${node.role === 'unknown' ? 'node' : node.role} ${view.label(node.id)} is unreachable (fail?) from ${votes.pfail.length} of ${votes.listing.length} observer(s), not yet agreed failed`,
        nodes: [node.address],
        evidence: {
          id: node.id,
          address: node.address,
          role: node.role,
          flaggedPfailBy: votes.pfail,
          observersListingIt: votes.listing,
          reachableFromChecker: node.observation?.reachable ?? false,
        },
        runbook: [
          cli(node.address, 'PING'),
          ...votes.pfail.slice(0, 3).map((o) => cli(o, 'CLUSTER', 'NODES')),
          'Is the node paused (swap, long fork, GC), overloaded, or is its cluster bus port blocked between these observers and it?',
        ],
      });
    }
    return findings;
  },
});
