import { defineCheck } from './define';

/**
 * Nodes refused commands a self-managed Redis accepts (`CONFIG` renamed or forbidden), as
 * ElastiCache and MemoryDB do: the settings checks have nothing to compare and remedies are
 * unavailable. Info: it is how the service is run, not a fault.
 */
export const managedService = defineCheck({
  id: 'managed-service',
  severity: 'info',
  title: 'Restricted commands (managed service)',
  check(view) {
    const restricted = view.snapshot.nodes.filter((o) => (o.restrictedCommands?.length ?? 0) > 0);
    if (restricted.length === 0) return [];
    const commands = [...new Set(restricted.flatMap((o) => o.restrictedCommands ?? []))].sort();
    return [
      {
        summary: `${commands.join(', ')} refused by ${restricted.length} node(s): a managed service (ElastiCache/MemoryDB) or a hardened setup; remedies are unavailable and settings are not compared`,
        nodes: restricted.map((o) => o.address),
        evidence: {
          restrictedCommands: Object.fromEntries(
            restricted.map((o) => [o.address, o.restrictedCommands ?? []]),
          ),
        },
        runbook: [
          "Change settings through the provider's parameter groups and console/API, not CONFIG SET.",
          'Failovers and resharding go through the provider too (e.g. aws elasticache test-failover / modify-replication-group-shard-configuration).',
        ],
      },
    ];
  },
});
