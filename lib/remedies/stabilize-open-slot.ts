import { cli } from '../checks/runbook';
import { runbookMigrateAuth } from '../checks/runbook-auth';
import type { ClusterView, OpenSlotMarker } from '../checks/view';
import { describeCommand, type Executor } from './executor';
import {
  internalAddress,
  mastersDisagreeing,
  mastersWithoutCounts,
  migrateAuth,
  reachable,
  reachableMasters,
} from './support';
import type { ApplyOutcome, PlannedAction, Remedy } from './types';

type SubCase = 'importing-only' | 'migrating-only' | 'rollback' | 'complete' | 'finalise' | 'owner-finalise';

interface Params extends Record<string, unknown> {
  slot: number;
  /** The source (migrating side / current owner) and the target (importing side), by id and address. */
  source?: { id: string; address: string };
  target?: { id: string; address: string };
  /** For importing-only: the node whose marker is cleared. */
  importer?: { id: string; address: string };
  /** Where the slot must end up. */
  finalOwner: string;
  /** Other masters to tell the final owner (SETSLOT NODE). */
  others: string[];
  migrateTo?: { host: string; port: number };
}

const ref = (view: ClusterView, id: string) => ({ id, address: view.addressOf(id) });

/**
 * Closes a slot left `migrating`/`importing`, for exactly the observed sub-case (DESIGN §5 rule 4).
 * Owner O is the masters' majority view; T is the importing side. Anything unlisted is escalated.
 */
export const stabilizeOpenSlot: Remedy = {
  id: 'stabilize-open-slot',
  title: 'Close a slot stuck migrating/importing',
  optIn: false,
  plan(view, settings) {
    const bySlot = new Map<number, OpenSlotMarker[]>();
    for (const m of view.openSlots) bySlot.set(m.slot, [...(bySlot.get(m.slot) ?? []), m]);
    return [...bySlot].map(([slot, markers]) => {
      const action = planSlot(view, slot, markers);
      action.params.batch = settings.migrateBatch;
      return action;
    });
  },
  async apply(action, exec) {
    const p = action.params as Params;
    const executed: string[] = [];
    let keysMoved = 0;
    const send = async (address: string, ...args: (string | number)[]) => {
      executed.push(`${address} ${describeCommand(args)}`);
      return exec.run(address, ...args);
    };
    switch (action.subCase as SubCase) {
      case 'importing-only':
        await send((p.importer as { address: string }).address, 'CLUSTER', 'SETSLOT', p.slot, 'STABLE');
        break;
      case 'migrating-only':
        await send((p.source as { address: string }).address, 'CLUSTER', 'SETSLOT', p.slot, 'STABLE');
        break;
      case 'rollback':
        // Importing side first, so no client is sent ASKING to a node that no longer expects it.
        await send((p.target as { address: string }).address, 'CLUSTER', 'SETSLOT', p.slot, 'STABLE');
        await send((p.source as { address: string }).address, 'CLUSTER', 'SETSLOT', p.slot, 'STABLE');
        break;
      case 'complete':
        keysMoved = await migrateRest(p, exec, send, action);
        await finalise(p, send);
        break;
      case 'finalise':
      case 'owner-finalise':
        await finalise(p, send);
        break;
    }
    return { executed, keysMoved } satisfies ApplyOutcome;
  },
  verify(action, view) {
    const p = action.params as Params;
    const still = view.openSlots.filter((m) => m.slot === p.slot);
    if (still.length > 0) return `slot ${p.slot} still open on ${still.map((m) => m.node).join(', ')}`;
    const wrong = mastersDisagreeing(view, p.slot, p.finalOwner);
    if (wrong.length > 0)
      return `${wrong.join(', ')} do not yet say ${view.addressOf(p.finalOwner)} owns slot ${p.slot}`;
    return undefined;
  },
};

async function migrateRest(
  p: Params,
  exec: Executor,
  send: (address: string, ...args: (string | number)[]) => Promise<unknown>,
  action: PlannedAction,
): Promise<number> {
  const source = p.source as { address: string };
  const to = p.migrateTo as { host: string; port: number };
  const batch = Number(action.params.batch ?? 100);
  let moved = 0;
  for (;;) {
    const keys = (await exec.run(source.address, 'CLUSTER', 'GETKEYSINSLOT', p.slot, batch)) as string[];
    if (keys.length === 0) return moved;
    // KEYS form, never REPLACE: a key already on the target stops the run with BUSYKEY, nothing overwritten.
    await send(
      source.address,
      'MIGRATE',
      to.host,
      to.port,
      '',
      0,
      10_000,
      ...migrateAuth(exec),
      'KEYS',
      ...keys,
    );
    moved += keys.length;
  }
}

/** SETSLOT NODE on the new owner first (it bumps its epoch), then the old owner, then every other master. */
async function finalise(
  p: Params,
  send: (address: string, ...args: (string | number)[]) => Promise<unknown>,
) {
  const order = [p.target?.address, p.source?.address, ...p.others].filter((a): a is string => Boolean(a));
  for (const address of [...new Set(order)])
    await send(address, 'CLUSTER', 'SETSLOT', p.slot, 'NODE', p.finalOwner);
}

function planSlot(view: ClusterView, slot: number, markers: OpenSlotMarker[]): PlannedAction {
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
  const action: PlannedAction = {
    remedy: 'stabilize-open-slot',
    key: `stabilize-open-slot:${slot}`,
    subCase: 'escalate',
    summary: '',
    slots: [[slot, slot]],
    nodes: [...involved].map((id) => view.addressOf(id)).sort(),
    commands: [],
    fingerprint: JSON.stringify({
      owner: owner ?? null,
      markers: markers.map((m) => `${m.nodeId}:${m.kind}:${m.peer}`).sort(),
      keysByNode,
      thirdParty,
    }),
    params: { slot, finalOwner: owner ?? '', others: [] } satisfies Params,
  };
  const escalate = (reason: string): PlannedAction => ({
    ...action,
    summary: `slot ${slot}: ${reason}`,
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
  const make = (
    subCase: SubCase,
    summary: string,
    params: Partial<Params>,
    commands: string[],
  ): PlannedAction => ({
    ...action,
    subCase,
    summary: `slot ${slot}: ${summary}`,
    commands,
    params: { ...action.params, ...params },
  });
  const setslotNode = (finalOwner: string, addresses: string[]) =>
    addresses.map((a) => cli(a, 'CLUSTER', 'SETSLOT', slot, 'NODE', finalOwner));

  if (migrating.length === 0 && importing.length === 1) {
    const n = importing[0] as OpenSlotMarker;
    if (n.nodeId === owner) return escalate('the owner itself is importing the slot');
    if (keys(n.nodeId) > 0)
      return escalate(`${n.node} is importing and already holds ${keys(n.nodeId)} key(s) of the slot`);
    return make(
      'importing-only',
      `${n.node} importing with no keys and no migrating side: close it`,
      { importer: ref(view, n.nodeId) },
      [cli(n.node, 'CLUSTER', 'SETSLOT', slot, 'STABLE')],
    );
  }
  if (migrating.length === 1 && importing.length === 0) {
    const m = migrating[0] as OpenSlotMarker;
    if (owner === m.nodeId) {
      if (keys(m.peer) > 0)
        return escalate(`target ${view.addressOf(m.peer)} holds keys of the slot but is not importing`);
      return make(
        'migrating-only',
        `${m.node} migrating to a node that is not importing: close it`,
        { source: ref(view, m.nodeId) },
        [cli(m.node, 'CLUSTER', 'SETSLOT', slot, 'STABLE')],
      );
    }
    if (owner === m.peer) {
      if (keys(m.nodeId) > 0)
        return escalate(
          `${m.node} still holds ${keys(m.nodeId)} key(s) of a slot the cluster gives to ${view.addressOf(owner)}`,
        );
      const rest = mastersDisagreeing(view, slot, owner).filter((a) => a !== m.node);
      return make(
        'owner-finalise',
        `${view.addressOf(owner)} already owns it; ${m.node} still migrating: finalise`,
        { source: ref(view, m.nodeId), others: rest },
        setslotNode(owner, [m.node, ...rest]),
      );
    }
    return escalate('the migrating node is neither the owner nor migrating to the owner');
  }
  if (migrating.length === 1 && importing.length === 1) {
    const m = migrating[0] as OpenSlotMarker;
    const i = importing[0] as OpenSlotMarker;
    if (m.peer !== i.nodeId || i.peer !== m.nodeId)
      return escalate('the migrating and importing markers name different peers');
    const source = ref(view, m.nodeId);
    const target = ref(view, i.nodeId);
    const migrateTo = internalAddress(view, i.nodeId, m.nodeId);
    if (owner === i.nodeId) {
      if (keys(m.nodeId) > 0)
        return escalate(`${m.node} still holds keys of a slot the majority gives to ${i.node}`);
      return make(
        'finalise',
        `the majority already says ${i.node}; finalise both sides`,
        { source, target, others: others(owner, [m.node, i.node]) },
        setslotNode(owner, [i.node, m.node, ...others(owner, [m.node, i.node])]),
      );
    }
    if (owner !== m.nodeId) return escalate('the owner is neither side of the migration');
    if (keys(i.nodeId) === 0) {
      return make(
        'rollback',
        `no key reached ${i.node}: roll back (STABLE on both)`,
        { source, target, finalOwner: m.nodeId },
        [
          cli(i.node, 'CLUSTER', 'SETSLOT', slot, 'STABLE'),
          cli(m.node, 'CLUSTER', 'SETSLOT', slot, 'STABLE'),
        ],
      );
    }
    const rest = others(i.nodeId, [m.node, i.node]);
    const finalSteps = setslotNode(i.nodeId, [i.node, m.node, ...rest]);
    if (keys(m.nodeId) === 0) {
      return make(
        'finalise',
        `every key is on ${i.node}: finalise`,
        { source, target, finalOwner: i.nodeId, others: rest },
        finalSteps,
      );
    }
    if (!migrateTo) return escalate(`no announced address for ${i.node}`);
    return {
      ...make(
        'complete',
        `keys on both sides (${keys(m.nodeId)} on ${m.node}, ${keys(i.nodeId)} on ${i.node}): finish the move`,
        { source, target, finalOwner: i.nodeId, others: rest, migrateTo },
        [
          `${cli(m.node, 'CLUSTER', 'GETKEYSINSLOT', slot, 100)}   # repeat until empty:`,
          `${cli(m.node, 'MIGRATE', migrateTo.host, migrateTo.port, '""', 0, 10000, ...runbookMigrateAuth(view.snapshot), 'KEYS', '<keys...>')}   # never REPLACE`,
          ...finalSteps,
        ],
      ),
      keysToMove: keys(m.nodeId),
    };
  }
  return escalate(
    `${migrating.length} migrating and ${importing.length} importing marker(s): not a known-safe case`,
  );
}
