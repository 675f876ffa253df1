import { cli } from '../model/runbook';
import { defineCheck } from './define';
import type { FindingDraft } from './types';

/** How long a node that serves no slot may take to learn the slot map after joining. */
const LEARNING_BOUND_S = 60;

/**
 * A reachable node reports `cluster_state:fail`: clients of that node get CLUSTERDOWN. Lowered to
 * `info`, a transition bounded by {@link LEARNING_BOUND_S}, when only nodes that serve no slot say so
 * while every node that serves slots says `ok`: a node that just joined (a new replica) reports
 * `fail` until gossip has taught it the slot map, and nobody is woken for that.
 */
export const clusterStateFail = defineCheck({
  id: 'cluster-state-fail',
  severity: 'critical',
  title: 'Cluster state is fail',
  check(view) {
    const failing = view.observers.filter(
      ({ observation }) => observation.clusterInfo?.cluster_state === 'fail',
    );
    if (failing.length === 0) return [];
    const serving = (o: (typeof view.observers)[number]) => o.self.slots.length > 0;
    const learning =
      !failing.some(serving) &&
      view.observers.filter(serving).every((o) => o.observation.clusterInfo?.cluster_state === 'ok');
    const first = failing[0]?.observation.address ?? '';
    const finding: FindingDraft = {
      summary: learning
        ? `${failing.length} node(s) serving no slot report cluster_state:fail (learning the slot map after joining?)`
        : `${failing.length} node(s) report cluster_state:fail: clients see "CLUSTERDOWN"`,
      ...(learning ? { severity: 'info' as const } : {}),
      nodes: failing.map((f) => f.observation.address),
      evidence: {
        ...Object.fromEntries(
          failing.map(({ observation: o }) => [
            o.address,
            {
              cluster_state: o.clusterInfo?.cluster_state,
              cluster_slots_assigned: o.clusterInfo?.cluster_slots_assigned,
              cluster_slots_fail: o.clusterInfo?.cluster_slots_fail,
              cluster_slots_pfail: o.clusterInfo?.cluster_slots_pfail,
            },
          ]),
        ),
        ...(learning
          ? { transition: { state: 'learning the slot map', boundSeconds: LEARNING_BOUND_S } }
          : {}),
      },
      runbook: [
        cli(first, 'CLUSTER', 'INFO'),
        `redis-cli --cluster check ${first}`,
        'Read the other findings: uncovered slots or failed owners are the usual cause.',
      ],
    };
    return [finding];
  },
});
