import { cli } from '../model/runbook';
import { compareText } from '../topology/compare';
import { compareVersions, type ServerIdentity } from '../topology/info';
import { defineCheck } from './define';
import type { FindingDraft } from './types';

const label = (s: ServerIdentity) => `${s.name} ${s.version}`;

/**
 * Nodes run different servers or versions. A rolling upgrade does that for a while, replicas first,
 * so on its own it is `info`. It is a `warning` when a replica runs an older version (or another
 * server) than its master: a full resync then ships an RDB the replica may not load (Redis 7.4
 * writes RDB version 12; 7.0 reads up to 10 and logs "Can't handle RDB format version 12"), so that
 * replica cannot be relied on to take over. And when Redis and Valkey are mixed: Valkey 8 replicates
 * migration marks to replicas and Redis 7 does not, so a failover mid-move leaves different states
 * on different shards.
 */
export const mixedVersions = defineCheck({
  id: 'mixed-versions',
  severity: 'warning',
  title: 'Nodes run different server versions',
  check(view) {
    const running = new Map<string, { address: string; server: ServerIdentity }[]>();
    for (const { observation } of view.observers) {
      if (!observation.server) continue;
      const key = label(observation.server);
      const nodes = running.get(key);
      const node = { address: observation.address, server: observation.server };
      if (nodes) nodes.push(node);
      else running.set(key, [node]);
    }
    if (running.size < 2) return [];
    const sorted = [...running].sort(
      ([, [x]], [, [y]]) =>
        compareText(x?.server.name ?? '', y?.server.name ?? '') ||
        compareVersions(x?.server.version ?? '', y?.server.version ?? ''),
    );
    const families = new Set([...running.values()].map((list) => list[0]?.server.name));
    const olderReplicas: string[] = [];
    for (const { observation, self } of view.observers) {
      if (self.role !== 'replica' || !self.masterId || !observation.server) continue;
      const master = view.nodes.get(self.masterId)?.observation?.server;
      if (!master) continue;
      if (
        master.name !== observation.server.name ||
        compareVersions(observation.server.version, master.version) < 0
      )
        olderReplicas.push(
          `${observation.address} runs ${label(observation.server)} under master ${view.addressOf(self.masterId)} on ${label(master)}`,
        );
    }
    const benign = families.size === 1 && olderReplicas.length === 0;
    const counts = sorted.map(([name, list]) => `${name} on ${list.length}`);
    const why =
      families.size > 1
        ? ': Redis and Valkey mixed'
        : olderReplicas.length > 0
          ? `: ${olderReplicas.length} replica(s) older than their master`
          : ' (a rolling upgrade in progress?)';
    const finding: FindingDraft = {
      ...(benign ? { severity: 'info' as const } : {}),
      summary: `nodes run ${running.size} different servers/versions (${counts.join(', ')})${why}`,
      nodes: [...running.values()].flat().map((n) => n.address),
      evidence: {
        versions: Object.fromEntries(sorted.map(([name, list]) => [name, list.map((n) => n.address)])),
        ...(olderReplicas.length > 0 ? { replicasOlderThanMaster: olderReplicas } : {}),
      },
      runbook: [
        ...sorted.map(([, list]) => cli(list[0]?.address ?? '', 'INFO', 'server')),
        'Finish the upgrade: replicas first, then fail each master over to an upgraded replica (CLUSTER FAILOVER on the replica), then upgrade the old master.',
        ...(olderReplicas.length > 0
          ? ['A replica older than its master: upgrade it before it has to resync or take over.']
          : []),
      ],
    };
    return [finding];
  },
});
