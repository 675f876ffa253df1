import { cli } from '../model/runbook';
import { defineCheck } from './define';
import type { FindingDraft } from './types';

/** A reachable node reports `cluster_state:fail`: clients of that node get CLUSTERDOWN. */
export const clusterStateFail = defineCheck({
  id: 'cluster-state-fail',
  severity: 'critical',
  title: 'Cluster state is fail',
  check(view) {
    const failing = view.observers.filter(
      ({ observation }) => observation.clusterInfo?.cluster_state === 'fail',
    );
    if (failing.length === 0) return [];
    const first = failing[0]?.observation.address ?? '';
    const finding: FindingDraft = {
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
});
