import type { ClusterView } from '../model/view';
import { defineCheck } from './define';
import type { FindingDraft } from './types';

/**
 * A master whose every replica runs on its host (same IP, or same announced hostname): one host
 * failure takes the shard down with its copies. When every node of the cluster shares one host (a
 * test or development cluster) that is a deliberate layout and one `info` finding says so.
 */
export const replicaColocated = defineCheck({
  id: 'replica-colocated',
  severity: 'warning',
  title: 'Replicas on the same host as their master',
  check(view) {
    const colocated: { master: string; replicas: string[]; host: string }[] = [];
    for (const master of view.list()) {
      if (master.role !== 'master' || view.failedByMajority(master.id)) continue;
      const replicas = view.replicasOf(master.id).filter((r) => !view.failedByMajority(r.id));
      if (replicas.length === 0) continue;
      if (replicas.every((r) => sameHost(view, master.id, r.id)))
        colocated.push({
          master: master.id,
          replicas: replicas.map((r) => r.id),
          host: hostOf(view, master.id),
        });
    }
    if (colocated.length === 0) return [];
    const hosts = new Set(
      view
        .list()
        .filter((n) => !view.lineOf(n.id)?.handshake)
        .map((n) => hostOf(view, n.id)),
    );
    if (hosts.size === 1) {
      return [
        {
          severity: 'info',
          summary: `every node runs on one host (${[...hosts][0]}): fine for a test cluster, one host failure takes it all down`,
          nodes: colocated.map((c) => view.addressOf(c.master)),
          evidence: { host: [...hosts][0], masters: colocated.map((c) => describe(view, c)) },
        },
      ];
    }
    return colocated.map(
      (c): FindingDraft => ({
        summary: `master ${view.label(c.master)} and all its replicas (${c.replicas.map((r) => view.addressOf(r)).join(', ')}) run on host ${c.host}: one host failure loses the shard`,
        nodes: [view.addressOf(c.master), ...c.replicas.map((r) => view.addressOf(r))],
        evidence: describe(view, c),
        runbook: [
          'Move a replica to another host: add a replica there, then remove this one:',
          `redis-cli --cluster add-node <other-host:port> ${view.addressOf(c.master)} --cluster-slave --cluster-master-id ${c.master}`,
          `redis-cli --cluster del-node ${view.addressOf(c.master)} ${c.replicas[0] ?? '<replica-id>'}`,
        ],
      }),
    );
  },
});

function hostOf(view: ClusterView, id: string): string {
  const line = view.lineOf(id);
  return line?.ip || line?.hostname || view.addressOf(id);
}

function sameHost(view: ClusterView, a: string, b: string): boolean {
  const x = view.lineOf(a);
  const y = view.lineOf(b);
  if (!x || !y) return false;
  return (x.ip !== '' && x.ip === y.ip) || (x.hostname !== undefined && x.hostname === y.hostname);
}

function describe(view: ClusterView, c: { master: string; replicas: string[]; host: string }) {
  return {
    host: c.host,
    master: { id: c.master, address: view.addressOf(c.master) },
    replicas: c.replicas.map((id) => ({ id, address: view.addressOf(id) })),
  };
}
