import { cli } from './runbook';
import type { Check, Finding } from './types';
import { viewOf } from './view';

/** A reachable node reports `cluster_state:fail`: clients of that node get CLUSTERDOWN. */
export const clusterStateFail: Check = {
  id: 'cluster-state-fail',
  severity: 'critical',
  title: 'Cluster state is fail',
  run(snapshot) {
    const failing = viewOf(snapshot).observers.filter(
      ({ observation }) => observation.clusterInfo?.cluster_state === 'fail',
    );
    if (failing.length === 0) return [];
    const first = failing[0]?.observation.address ?? '';
    const finding: Finding = {
      id: 'cluster-state-fail',
      severity: 'critical',
      summary: `${failing.length} node(s) report cluster_state:fail: clients see "CLUSTERDOWN"`,
      nodes: failing.map((f) => f.observation.address),
      evidence: Object.fromEntries(
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
      runbook: [
        cli(first, 'CLUSTER', 'INFO'),
        `redis-cli --cluster check ${first}`,
        'Read the other findings: uncovered slots or failed owners are the usual cause.',
      ],
    };
    return [finding];
  },
};
