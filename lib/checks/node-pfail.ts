import { cli } from './runbook';
import type { Check, Finding } from './types';
import { viewOf } from './view';

/**
 * A node some observer cannot reach (`fail?`, PFAIL) while no observer flags it `fail` yet: either
 * the failure is being agreed right now, or too few masters can see it to agree (then no failover
 * will ever start). A node already flagged `fail` is node-failed's.
 */
export const nodePfail: Check = {
  id: 'node-pfail',
  severity: 'warning',
  title: 'Node suspected down (PFAIL)',
  run(snapshot) {
    const view = viewOf(snapshot);
    const findings: Finding[] = [];
    for (const node of view.list()) {
      const votes = view.failVotes(node.id);
      if (votes.pfail.length === 0 || votes.fail.length > 0) continue;
      findings.push({
        id: 'node-pfail',
        severity: 'warning',
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
};
