import { cli } from '../model/runbook';
import { defineCheck } from './define';

/** Settings every node of a cluster should share. */
export const CLUSTER_WIDE_SETTINGS = [
  'cluster-require-full-coverage',
  'cluster-node-timeout',
  'cluster-allow-reads-when-down',
  'cluster-replica-validity-factor',
  'cluster-migration-barrier',
  'cluster-allow-replica-migration',
  'maxmemory-policy',
] as const;
/** Settings the masters should share (replicas may legitimately differ). */
export const MASTER_WIDE_SETTINGS = ['maxmemory'] as const;

/**
 * A cluster-wide setting differs across the reachable nodes that answered `CONFIG GET` (and
 * `maxmemory` across the masters): failure detection, failover and eviction then behave differently
 * depending on which node is asked or fails. Nodes whose value differs from the most common one
 * are the ones named.
 */
export const configDrift = defineCheck({
  id: 'config-drift',
  severity: 'warning',
  title: 'Cluster settings differ across nodes',
  check(view) {
    const drifts: { setting: string; byValue: Map<string, string[]>; usual: string; unit: string }[] = [];
    const compare = (setting: string, mastersOnly: boolean) => {
      const byValue = new Map<string, string[]>();
      for (const { observation, self } of view.observers) {
        if (mastersOnly && self.role !== 'master') continue;
        const value = observation.config?.[setting];
        if (value === undefined) continue;
        const nodes = byValue.get(value);
        if (nodes) nodes.push(observation.address);
        else byValue.set(value, [observation.address]);
      }
      if (byValue.size < 2) return;
      const usual = [...byValue].sort((a, b) => b[1].length - a[1].length)[0]?.[0] ?? '';
      // Say what was counted: a replica with the odd maxmemory is not in a masters-only count.
      drifts.push({ setting, byValue, usual, unit: mastersOnly ? 'master' : 'node' });
    };
    for (const setting of CLUSTER_WIDE_SETTINGS) compare(setting, false);
    for (const setting of MASTER_WIDE_SETTINGS) compare(setting, true);
    if (drifts.length === 0) return [];
    const odd = new Set<string>();
    const runbook: string[] = [];
    for (const { setting, byValue, usual } of drifts) {
      for (const [value, nodes] of byValue) {
        if (value === usual) continue;
        for (const node of nodes) {
          odd.add(node);
          runbook.push(`${cli(node, 'CONFIG', 'SET', setting, usual)} && ${cli(node, 'CONFIG', 'REWRITE')}`);
        }
      }
    }
    return [
      {
        summary: `settings differ across nodes: ${drifts
          .map(
            ({ setting, byValue, unit }) =>
              `${setting} (${[...byValue]
                .map(
                  ([v, nodes]) => `${v || '""'} on ${nodes.length} ${unit}${nodes.length === 1 ? '' : 's'}`,
                )
                .join(', ')})`,
          )
          .join('; ')}`,
        nodes: [...odd],
        evidence: {
          settings: Object.fromEntries(
            drifts.map(({ setting, byValue }) => [setting, Object.fromEntries(byValue)]),
          ),
        },
        runbook: [
          'Decide the intended value (the most common one is assumed below), set it on the odd nodes and persist it:',
          ...runbook.slice(0, 20),
        ],
      },
    ];
  },
});
