import { cli } from '../model/runbook';
import type { NodeFacts } from '../model/view';
import type { Escalation, Remedy, Step } from './types';

/** Every reachable node forgets the ghost `id` at once. */
export type ForgetStep = Step<'forget-ghost-node', 'ghost', { id: string; forgetters: string[] }>;

/**
 * Opt-in. A node the cluster flags `fail`/`noaddr`, that owns no slots, is no one's master, and has
 * not answered a ping for `ghostMinAgeMs`: every other node forgets it, all at once (CLUSTER FORGET
 * bans a node id for 60 s per node, so the whole cluster must forget it inside that window or
 * gossip brings it back). Handshake entries expire by themselves and are left alone.
 */
export const forgetGhostNode: Remedy<ForgetStep> = {
  id: 'forget-ghost-node',
  title: 'Forget a failed node that owns nothing',
  optIn: true,
  plan(view, settings) {
    const actions: (ForgetStep | Escalation)[] = [];
    for (const facts of view.nodes.values()) {
      if (facts.observation?.reachable) continue;
      const lines = [...facts.seenBy.values()];
      const ghostly = lines.filter((e) => e.fail || e.noaddr).length;
      if (lines.length === 0 || ghostly * 2 <= lines.length) continue;
      // A failed master that still owns slots is not a ghost: promote-replica (or a person) handles it.
      if (lines.some((e) => e.slots.length > 0)) continue;
      const lastPong = Math.max(0, ...lines.map((e) => e.pongRecv));
      const ageMs = lastPong === 0 ? Number.POSITIVE_INFINITY : settings.now - lastPong;
      const forgetters = view.observers.map((o) => o.observation.address).sort();
      const common: Pick<ForgetStep, 'remedy' | 'key' | 'slots' | 'nodes' | 'fingerprint'> = {
        remedy: 'forget-ghost-node',
        key: `forget-ghost-node:${facts.id}`,
        slots: [],
        nodes: forgetters,
        fingerprint: JSON.stringify({ id: facts.id, flags: lines.map((e) => e.flags.join(',')).sort() }),
      };
      const commands = forgetters.map((a) => cli(a, 'CLUSTER', 'FORGET', facts.id));
      const isMaster = [...view.nodes.values()].some(
        (n) => n.masterId === facts.id && n.observation?.reachable,
      );
      // A dead replica of a master that is itself gone may hold the only copy of that shard's data:
      // it is to be brought back, not forgotten.
      const master = facts.masterId ? view.nodes.get(facts.masterId) : undefined;
      const lastCopy =
        master !== undefined &&
        !master.observation?.reachable &&
        [...master.seenBy.values()].some((e) => e.slots.length > 0);
      // CLUSTER FORGET clears every mark naming the node: a source would drop its MIGRATING mark and
      // stop sending ASK for the keys already moved (they would read as missing), an importer its
      // IMPORTING mark. The move is re-targeted or held first (stabilize-open-slot); then it is a ghost.
      const marks = [...view.openSlots, ...view.replicaMarks].filter((m) => m.peer === facts.id);
      const reason = isMaster
        ? 'reachable replicas still follow it'
        : marks.length > 0
          ? `${marks.map((m) => `${m.node} ${m.kind === 'migrating' ? 'migrates' : 'imports'} slot ${m.slot} ${m.kind === 'migrating' ? 'to' : 'from'} it`).join('; ')}: forgetting it would clear ${marks.length === 1 ? 'that mark' : 'those marks'} and strand the moved keys; close the move first (stabilize-open-slot)`
          : lastCopy
            ? `it replicates ${master.address}, which is down with its slots: it may hold the only copy of their data; bring it back instead`
            : ageMs < settings.ghostMinAgeMs
              ? `silent for ${Math.round(ageMs / 1000)} s only (threshold ${Math.round(settings.ghostMinAgeMs / 1000)} s)`
              : undefined;
      actions.push(
        reason
          ? {
              ...common,
              subCase: 'escalate',
              escalate: reason,
              summary: `${describe(facts)}: ${reason}`,
              commands: [],
              runbook: [
                `Once ${describe(facts)} is known to be gone for good, on every node within 60 s:`,
                ...commands,
              ],
            }
          : {
              ...common,
              subCase: 'ghost',
              summary: `forget ${describe(facts)} on ${forgetters.length} node(s)`,
              commands,
              params: { id: facts.id, forgetters },
            },
      );
    }
    return actions;
  },
  async apply(step, exec) {
    const { id, forgetters } = step.params;
    await Promise.all(forgetters.map((a) => exec.run(a, 'CLUSTER', 'FORGET', id)));
    return { executed: forgetters.map((a) => `${a} CLUSTER FORGET ${id}`), keysMoved: 0 };
  },
  verify(step, view) {
    const { id } = step.params;
    const still = view.observers.filter((o) => o.observation.clusterNodes?.some((e) => e.id === id));
    return still.length > 0
      ? `${still.map((o) => o.observation.address).join(', ')} still list ${id}`
      : undefined;
  },
};

const describe = (facts: NodeFacts) => `${facts.address} (${facts.id.slice(0, 8)})`;
