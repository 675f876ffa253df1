import { cli } from '../model/runbook';
import type { ClusterView } from '../model/view';
import { infoNumber } from '../topology/info';
import { defineCheck } from './define';
import type { FindingDraft } from './types';

/** Failure detection takes a node timeout or two; `fail?` longer than this many is not being agreed. */
export const PFAIL_BOUND_NODE_TIMEOUTS = 4;
const DEFAULT_NODE_TIMEOUT_MS = 15_000;

/**
 * A node some observer cannot reach (`fail?`, PFAIL) while no observer flags it `fail` yet: either
 * the failure is being agreed right now, or too few masters can see it to agree (then no failover
 * will ever start). A node already flagged `fail` is node-failed's. A transition: `info` while the
 * oldest unanswered ping is younger than {@link PFAIL_BOUND_NODE_TIMEOUTS} node timeouts, `warning`
 * after (and the scheduled runs age it across runs too, from `evidence.transition`).
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
      const boundSeconds = Math.ceil((PFAIL_BOUND_NODE_TIMEOUTS * nodeTimeoutMs(view)) / 1000);
      const elapsedSeconds = unansweredForSeconds(view, node.id);
      const transitional = elapsedSeconds !== undefined && elapsedSeconds <= boundSeconds;
      findings.push({
        ...(transitional ? { severity: 'info' as const } : {}),
        summary:
          `${node.role === 'unknown' ? 'node' : node.role} ${view.label(node.id)} is unreachable (fail?) from ${votes.pfail.length} of ${votes.listingCount} observer(s), not yet agreed failed` +
          (elapsedSeconds !== undefined ? ` (no answer for ${elapsedSeconds} s)` : ''),
        nodes: [node.address],
        evidence: {
          id: node.id,
          address: node.address,
          role: node.role,
          flaggedPfailBy: votes.pfail,
          observersListingIt: votes.listing,
          reachableFromChecker: node.observation?.reachable ?? false,
          transition: {
            state: 'failure detection',
            boundSeconds,
            ...(elapsedSeconds !== undefined ? { elapsedSeconds } : {}),
          },
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

/** Longest an observer flagging it `fail?` has waited for a pong to its ping, by its own clock. */
function unansweredForSeconds(view: ClusterView, id: string): number | undefined {
  let longest: number | undefined;
  for (const { observer, line, pingSent } of view.sightings(id)) {
    if (!line.pfail || pingSent <= 0) continue;
    const info = observer.info;
    const usec = info ? infoNumber(info, 'server', 'server_time_usec') : undefined;
    if (usec === undefined) continue;
    const seconds = Math.max(0, Math.round((usec / 1000 - pingSent) / 1000));
    longest = Math.max(longest ?? 0, seconds);
  }
  return longest;
}

function nodeTimeoutMs(view: ClusterView): number {
  const values = view.observers
    .map((o) => Number(o.observation.config?.['cluster-node-timeout']))
    .filter((n) => Number.isFinite(n) && n > 0);
  return values.length > 0 ? Math.max(...values) : DEFAULT_NODE_TIMEOUT_MS;
}
