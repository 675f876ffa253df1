import { cli } from '../model/runbook';
import { runbookMigrateAuth } from '../model/runbook-auth';
import type { ClusterView, OpenSlotMarker } from '../model/view';
import { describeCommand } from './executor';
import { migrateKeys } from './migrate-keys';
import {
  internalAddress,
  mastersDisagreeing,
  mastersWithoutCounts,
  reachable,
  reachableMasters,
} from './support';
import type { ApplyOutcome, Escalation, Remedy, Step } from './types';

/** A node by id and by the address the checker dials. */
interface Side {
  id: string;
  address: string;
}

/** Every sub-case names the slot and where it must end up. */
interface SlotParams {
  slot: number;
  /** The id that owns the slot once the step is done. */
  finalOwner: string;
}

type Stabilize<S extends string, P> = Step<'stabilize-open-slot', S, SlotParams & P>;

/**
 * The known-safe sub-cases, one variant each (DESIGN §5 rule 4). `source` is the migrating side /
 * current owner, `target` the importing side, `others` the other masters to tell the final owner.
 * A new sub-case is one variant here, one branch in `planSlot` and one case in `apply`.
 */
export type StabilizeStep =
  /** Only an importing marker, no keys on the importer: close it. */
  | Stabilize<'importing-only', { importer: Side }>
  /** Only a migrating marker on the owner, its target holds nothing: close it. */
  | Stabilize<'migrating-only', { source: Side }>
  /** Both markers, no key reached the target: close both, importing side first. */
  | Stabilize<'rollback', { source: Side; target: Side }>
  /** Both markers, every key on the target (or the majority already says so): SETSLOT NODE everywhere. */
  | Stabilize<'finalise', { source: Side; target: Side; others: string[] }>
  /** The peer already owns it by majority; the old owner still migrating and empty: SETSLOT NODE. */
  | Stabilize<'owner-finalise', { source: Side; others: string[] }>
  /** Keys on both sides: MIGRATE the rest (never REPLACE), then finalise. */
  | Stabilize<
      'complete',
      {
        source: Side;
        target: Side;
        others: string[];
        migrateTo: { host: string; port: number };
        batch: number;
      }
    >;

type Send = (address: string, ...args: (string | number)[]) => Promise<unknown>;

const ref = (view: ClusterView, id: string): Side => ({ id, address: view.addressOf(id) });

/**
 * Closes a slot left `migrating`/`importing`, for exactly the observed sub-case (DESIGN §5 rule 4).
 * Owner O is the masters' majority view; T is the importing side. Anything unlisted is escalated.
 */
export const stabilizeOpenSlot: Remedy<StabilizeStep> = {
  id: 'stabilize-open-slot',
  title: 'Close a slot stuck migrating/importing',
  optIn: false,
  plan(view, settings) {
    const bySlot = new Map<number, OpenSlotMarker[]>();
    for (const m of view.openSlots) bySlot.set(m.slot, [...(bySlot.get(m.slot) ?? []), m]);
    return [...bySlot].map(([slot, markers]) => planSlot(view, slot, markers, settings.migrateBatch));
  },
  async apply(step, exec) {
    const executed: string[] = [];
    let keysMoved = 0;
    const send: Send = async (address, ...args) => {
      executed.push(`${address} ${describeCommand(args)}`);
      return exec.run(address, ...args);
    };
    const { slot, finalOwner } = step.params;
    switch (step.subCase) {
      case 'importing-only':
        await send(step.params.importer.address, 'CLUSTER', 'SETSLOT', slot, 'STABLE');
        break;
      case 'migrating-only':
        await send(step.params.source.address, 'CLUSTER', 'SETSLOT', slot, 'STABLE');
        break;
      case 'rollback':
        // Importing side first, so no client is sent ASKING to a node that no longer expects it.
        await send(step.params.target.address, 'CLUSTER', 'SETSLOT', slot, 'STABLE');
        await send(step.params.source.address, 'CLUSTER', 'SETSLOT', slot, 'STABLE');
        break;
      case 'complete': {
        const { source, target, others, migrateTo, batch } = step.params;
        keysMoved = await migrateKeys({
          slot,
          source: source.address,
          to: migrateTo,
          batch,
          exec,
          send,
          onProgress: exec.onProgress,
        });
        await finalise(slot, finalOwner, [target.address, source.address, ...others], send);
        break;
      }
      case 'finalise': {
        const { source, target, others } = step.params;
        await finalise(slot, finalOwner, [target.address, source.address, ...others], send);
        break;
      }
      case 'owner-finalise':
        await finalise(slot, finalOwner, [step.params.source.address, ...step.params.others], send);
        break;
    }
    return { executed, keysMoved } satisfies ApplyOutcome;
  },
  verify(step, view) {
    const { slot, finalOwner } = step.params;
    // Replicas included: on Valkey 8 the primary's SETSLOT clears its replicas' copies of the mark.
    const still = [...view.openSlots, ...view.replicaMarks].filter((m) => m.slot === slot);
    if (still.length > 0) return `slot ${slot} still open on ${still.map((m) => m.node).join(', ')}`;
    const wrong = mastersDisagreeing(view, slot, finalOwner);
    if (wrong.length > 0)
      return `${wrong.join(', ')} do not yet say ${view.addressOf(finalOwner)} owns slot ${slot}`;
    return undefined;
  },
};

/** SETSLOT NODE on the new owner first (it bumps its epoch), then the old owner, then every other master. */
async function finalise(slot: number, finalOwner: string, order: string[], send: Send) {
  for (const address of [...new Set(order)])
    await send(address, 'CLUSTER', 'SETSLOT', slot, 'NODE', finalOwner);
}

function planSlot(
  view: ClusterView,
  slot: number,
  markers: OpenSlotMarker[],
  batch: number,
): StabilizeStep | Escalation {
  const migrating = markers.filter((m) => m.kind === 'migrating');
  const importing = markers.filter((m) => m.kind === 'importing');
  const owner = view.majorityOwner(slot);
  const involved = new Set<string>(markers.flatMap((m) => [m.nodeId, m.peer]));
  if (owner) involved.add(owner);
  const keys = (id: string) => view.keysIn(view.addressOf(id), slot) ?? 0;
  const keysByNode = Object.fromEntries(
    [...involved].map((id) => [view.addressOf(id), view.keysIn(view.addressOf(id), slot) ?? null]),
  );
  const thirdParty = view.observers
    .filter((o) => !involved.has(o.self.id) && (o.observation.slotKeyCounts?.[String(slot)] ?? 0) > 0)
    .map((o) => o.observation.address);
  const base: Pick<StabilizeStep, 'remedy' | 'key' | 'slots' | 'nodes' | 'fingerprint'> = {
    remedy: 'stabilize-open-slot',
    key: `stabilize-open-slot:${slot}`,
    slots: [[slot, slot]],
    nodes: [...involved].map((id) => view.addressOf(id)).sort(),
    fingerprint: JSON.stringify({
      owner: owner ?? null,
      markers: markers.map((m) => `${m.nodeId}:${m.kind}:${m.peer}`).sort(),
      keysByNode,
      thirdParty,
    }),
  };
  const escalate = (reason: string): Escalation => ({
    ...base,
    subCase: 'escalate',
    summary: `slot ${slot}: ${reason}`,
    commands: [],
    escalate: reason,
    runbook: [
      ...[...involved].map((id) => cli(view.addressOf(id), 'CLUSTER', 'COUNTKEYSINSLOT', slot)),
      `redis-cli --cluster check ${view.addressOf(markers[0]?.nodeId ?? '')}`,
      'Decide which side keeps the slot, move keys with MIGRATE (never REPLACE), then CLUSTER SETSLOT ... NODE on every master.',
    ],
  });
  const unreachable = [...involved].filter((id) => !reachable(view, id));
  if (unreachable.length > 0)
    return escalate(
      `involved node(s) unreachable: ${unreachable.map((id) => view.addressOf(id)).join(', ')}`,
    );
  const uncounted = mastersWithoutCounts(view, [slot]);
  if (uncounted.length > 0)
    return escalate(`keys of the slot could not be counted on ${uncounted.join(', ')}`);
  if (!owner) return escalate('the masters do not agree on an owner');
  if (thirdParty.length > 0) return escalate(`keys of the slot on a third node: ${thirdParty.join(', ')}`);
  const others = (finalOwner: string, skip: string[]) =>
    reachableMasters(view).filter((a) => !skip.includes(a) && a !== view.addressOf(finalOwner));
  const setslotNode = (finalOwner: string, addresses: string[]) =>
    addresses.map((a) => cli(a, 'CLUSTER', 'SETSLOT', slot, 'NODE', finalOwner));
  const about = (summary: string) => ({ ...base, summary: `slot ${slot}: ${summary}` });
  const [m] = migrating;
  const [i] = importing;

  if (migrating.length === 0 && importing.length === 1 && i) {
    if (i.nodeId === owner) return escalate('the owner itself is importing the slot');
    if (keys(i.nodeId) > 0)
      return escalate(`${i.node} is importing and already holds ${keys(i.nodeId)} key(s) of the slot`);
    return {
      ...about(`${i.node} importing with no keys and no migrating side: close it`),
      subCase: 'importing-only',
      commands: [cli(i.node, 'CLUSTER', 'SETSLOT', slot, 'STABLE')],
      params: { slot, finalOwner: owner, importer: ref(view, i.nodeId) },
    };
  }
  if (migrating.length === 1 && importing.length === 0 && m) {
    if (owner === m.nodeId) {
      if (keys(m.peer) > 0)
        return escalate(`target ${view.addressOf(m.peer)} holds keys of the slot but is not importing`);
      return {
        ...about(`${m.node} migrating to a node that is not importing: close it`),
        subCase: 'migrating-only',
        commands: [cli(m.node, 'CLUSTER', 'SETSLOT', slot, 'STABLE')],
        params: { slot, finalOwner: owner, source: ref(view, m.nodeId) },
      };
    }
    if (owner === m.peer) {
      if (keys(m.nodeId) > 0)
        return escalate(
          `${m.node} still holds ${keys(m.nodeId)} key(s) of a slot the cluster gives to ${view.addressOf(owner)}`,
        );
      const rest = mastersDisagreeing(view, slot, owner).filter((a) => a !== m.node);
      return {
        ...about(`${view.addressOf(owner)} already owns it; ${m.node} still migrating: finalise`),
        subCase: 'owner-finalise',
        commands: setslotNode(owner, [m.node, ...rest]),
        params: { slot, finalOwner: owner, source: ref(view, m.nodeId), others: rest },
      };
    }
    return escalate('the migrating node is neither the owner nor migrating to the owner');
  }
  if (migrating.length === 1 && importing.length === 1 && m && i) {
    if (m.peer !== i.nodeId || i.peer !== m.nodeId)
      return escalate('the migrating and importing markers name different peers');
    const source = ref(view, m.nodeId);
    const target = ref(view, i.nodeId);
    const migrateTo = internalAddress(view, i.nodeId, m.nodeId);
    if (owner === i.nodeId) {
      if (keys(m.nodeId) > 0)
        return escalate(`${m.node} still holds keys of a slot the majority gives to ${i.node}`);
      const rest = others(owner, [m.node, i.node]);
      return {
        ...about(`the majority already says ${i.node}; finalise both sides`),
        subCase: 'finalise',
        commands: setslotNode(owner, [i.node, m.node, ...rest]),
        params: { slot, finalOwner: owner, source, target, others: rest },
      };
    }
    if (owner !== m.nodeId) return escalate('the owner is neither side of the migration');
    if (keys(i.nodeId) === 0) {
      return {
        ...about(`no key reached ${i.node}: roll back (STABLE on both)`),
        subCase: 'rollback',
        commands: [
          cli(i.node, 'CLUSTER', 'SETSLOT', slot, 'STABLE'),
          cli(m.node, 'CLUSTER', 'SETSLOT', slot, 'STABLE'),
        ],
        params: { slot, finalOwner: m.nodeId, source, target },
      };
    }
    const rest = others(i.nodeId, [m.node, i.node]);
    const finalSteps = setslotNode(i.nodeId, [i.node, m.node, ...rest]);
    if (keys(m.nodeId) === 0) {
      return {
        ...about(`every key is on ${i.node}: finalise`),
        subCase: 'finalise',
        commands: finalSteps,
        params: { slot, finalOwner: i.nodeId, source, target, others: rest },
      };
    }
    if (!migrateTo) return escalate(`no announced address for ${i.node}`);
    return {
      ...about(
        `keys on both sides (${keys(m.nodeId)} on ${m.node}, ${keys(i.nodeId)} on ${i.node}): finish the move`,
      ),
      subCase: 'complete',
      commands: [
        `${cli(m.node, 'CLUSTER', 'GETKEYSINSLOT', slot, 100)}   # repeat until empty:`,
        `${cli(m.node, 'MIGRATE', migrateTo.host, migrateTo.port, '""', 0, 10000, ...runbookMigrateAuth(view.snapshot), 'KEYS', '<keys...>')}   # never REPLACE`,
        ...finalSteps,
      ],
      keysToMove: keys(m.nodeId),
      params: { slot, finalOwner: i.nodeId, source, target, others: rest, migrateTo, batch },
    };
  }
  return escalate(
    `${migrating.length} migrating and ${importing.length} importing marker(s): not a known-safe case`,
  );
}
