import { cli } from '../model/runbook';
import type { ClusterView } from '../model/view';
import { compareText } from '../topology/compare';
import { infoNumber } from '../topology/info';
import { mergeRanges } from '../topology/slots';
import type { Escalation, Remedy, Step } from './types';

/** CLUSTER FAILOVER FORCE (or TAKEOVER, when allowed) on the best replica of the failed master. */
export type PromoteStep = Step<
  'promote-replica',
  'force' | 'takeover',
  { failed: string; replica: string; replicaId: string; verb: 'FORCE' | 'TAKEOVER' }
>;

/**
 * Opt-in. A master the cluster flags `fail` for longer than `failedMasterMinAgeMs`, whose slots no
 * one else serves, and that has a reachable replica: `CLUSTER FAILOVER FORCE` on the replica with the
 * highest replication offset (`TAKEOVER` only when explicitly allowed). No replica: a lost shard,
 * escalated; its slots are never handed to another master.
 */
export const promoteReplica: Remedy<PromoteStep> = {
  id: 'promote-replica',
  title: 'Promote the best replica of a failed master',
  optIn: true,
  plan(view, settings) {
    const actions: (PromoteStep | Escalation)[] = [];
    for (const facts of view.nodes.values()) {
      if (facts.observation?.reachable || facts.role !== 'master') continue;
      const lines = [...facts.seenBy.values()];
      if (lines.filter((e) => e.fail).length * 2 <= lines.length) continue;
      const slots = mergeRanges(lines.flatMap((e) => e.slots));
      if (slots.length === 0) continue;
      const servedElsewhere = slots.some(([a]) => [...view.claimants(a)].some((id) => id !== facts.id));
      if (servedElsewhere) continue;
      const lastPong = Math.max(0, ...lines.map((e) => e.pongRecv));
      const ageMs = lastPong === 0 ? Number.POSITIVE_INFINITY : settings.now - lastPong;
      const replicas = bestReplicas(view, facts.id);
      const best = replicas[0];
      const verb = settings.allowTakeover ? 'TAKEOVER' : 'FORCE';
      const common: Pick<PromoteStep, 'remedy' | 'key' | 'slots' | 'slotsReassigned' | 'fingerprint'> = {
        remedy: 'promote-replica',
        key: `promote-replica:${facts.id}`,
        slots,
        slotsReassigned: 0,
        fingerprint: JSON.stringify({
          id: facts.id,
          replicas: replicas.map((r) => `${r.address}:${r.offset}`),
        }),
      };
      if (!best) {
        const reason = `no reachable replica of ${facts.address}: the shard is lost; restore the node or its data, do not reassign its slots`;
        actions.push({
          ...common,
          subCase: 'escalate',
          escalate: reason,
          summary: `${facts.address}: ${reason}`,
          nodes: [],
          commands: [],
          runbook: [
            `Bring ${facts.address} (or one of its replicas) back with its data; its slots stay with it.`,
            `Check from any node: redis-cli --cluster check ${view.observers[0]?.observation.address ?? 'HOST:PORT'}`,
          ],
        });
        continue;
      }
      const commands = [cli(best.address, 'CLUSTER', 'FAILOVER', verb)];
      if (ageMs < settings.failedMasterMinAgeMs) {
        const reason = `failed ${Math.round(ageMs / 1000)} s ago only (threshold ${Math.round(settings.failedMasterMinAgeMs / 1000)} s): the cluster may still fail over by itself`;
        actions.push({
          ...common,
          subCase: 'escalate',
          escalate: reason,
          summary: `${facts.address}: ${reason}`,
          nodes: [best.address],
          commands: [],
          runbook: [`If ${facts.address} does not come back:`, ...commands],
        });
        continue;
      }
      actions.push({
        ...common,
        subCase: verb === 'TAKEOVER' ? 'takeover' : 'force',
        summary: `promote ${best.address} in place of failed master ${facts.address}`,
        nodes: [best.address],
        commands,
        params: { failed: facts.id, replica: best.address, replicaId: best.id, verb },
      });
    }
    return actions;
  },
  async apply(step, exec) {
    const { replica, verb } = step.params;
    await exec.run(replica, 'CLUSTER', 'FAILOVER', verb);
    return { executed: [`${replica} CLUSTER FAILOVER ${verb}`], keysMoved: 0 };
  },
  verify(step, view) {
    const { replica, replicaId: id } = step.params;
    const self = view.nodes.get(id)?.self;
    if (self?.role !== 'master') return `${replica} is not a master yet`;
    const [first] = step.slots[0] ?? [0];
    const stale = view.observers.filter((o) => view.ownerIn(o.observation, first) !== id);
    return stale.length > 0
      ? `${stale.map((o) => o.observation.address).join(', ')} do not yet see it as owner`
      : undefined;
  },
};

function bestReplicas(view: ClusterView, masterId: string) {
  return [...view.nodes.values()]
    .filter(
      (n) => n.role === 'replica' && n.masterId === masterId && n.observation?.reachable && !n.self?.fail,
    )
    .map((n) => ({
      id: n.id,
      address: n.address,
      offset: infoNumber(n.observation?.info ?? {}, 'replication', 'slave_repl_offset') ?? -1,
    }))
    .sort((a, b) => b.offset - a.offset || compareText(a.address, b.address));
}
