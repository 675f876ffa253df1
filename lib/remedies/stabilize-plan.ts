import { cli } from '../model/runbook';
import type { ClusterView, OpenSlotMarker } from '../model/view';
import { planReplacedPeer } from './stabilize-replaced-peer';
import { migrateCommands } from './stabilize-runbook';
import type { SlotContext, SlotDraft, SlotPlan } from './stabilize-types';
import {
  internalAddress,
  mastersDisagreeing,
  mastersWithoutCounts,
  reachable,
  reachableMasters,
} from './support';
import type { Escalation } from './types';

/** The plan for one open slot: a known-safe sub-case, or an escalation with its reason. */
export function planSlot(
  view: ClusterView,
  slot: number,
  markers: OpenSlotMarker[],
  batch: number,
): SlotDraft | Escalation {
  const ctx = context(view, slot, markers, batch);
  const { migrating, importing, keys, side, others, setslotNode, draft, escalate } = ctx;
  const uncounted = mastersWithoutCounts(view, [slot]);
  if (uncounted.length > 0)
    return escalate(`keys of the slot could not be counted on ${uncounted.join(', ')}`);
  // A peer no longer a master: dead, or demoted to a replica (it answers, but it serves nothing).
  const gone = [...new Set(markers.map((m) => m.peer))].filter(
    (id) => !reachable(view, id) || view.replicating(id) !== undefined,
  );
  if (gone.length > 0) return planReplacedPeer(ctx, gone);
  const owner = view.majorityOwner(slot);
  if (owner && !reachable(view, owner)) return escalate(`the owner ${view.label(owner)} is unreachable`);
  if (!owner) return escalate('the masters do not agree on an owner');
  const involved = new Set([owner, ...markers.flatMap((m) => [m.nodeId, m.peer])]);
  const thirdParty = ctx.holders([...involved]);
  if (thirdParty.length > 0) return escalate(`keys of the slot on a third node: ${thirdParty.join(', ')}`);
  const [m] = migrating;
  const [i] = importing;

  if (migrating.length === 0 && importing.length === 1 && i) {
    const source = side(i.peer);
    // Decided by what each node says of itself: the source gave the slot up and names the importer.
    const selfClaims = view.selfClaimants(slot);
    const sourceView = view.nodes.get(i.peer)?.observation;
    const sourceNames = sourceView ? view.ownerIn(sourceView, slot) : undefined;
    if (selfClaims.length === 0 && sourceNames === i.nodeId) {
      if (keys(i.peer) > 0) return escalate(`${source.address} gave the slot up but still holds keys of it`);
      const rest = others(i.nodeId, [i.node, source.address]).filter((a) =>
        mastersDisagreeing(view, slot, i.nodeId).includes(a),
      );
      return draft(
        {
          subCase: 'importer-finalise',
          slot,
          finalOwner: i.nodeId,
          importer: side(i.nodeId),
          source,
          others: rest,
        },
        `SETSLOT NODE reached ${source.address} but not the importer ${i.node} (${keys(i.nodeId)} key(s) there, none on ${source.address}, no node claims the slot): finalise on ${i.node}`,
        setslotNode(i.nodeId, [i.node, source.address, ...rest]),
      );
    }
    if (i.nodeId === owner) return escalate('the owner itself is importing the slot');
    if (keys(i.nodeId) > 0) {
      if (owner !== i.peer || !view.claimsItself(owner, slot))
        return escalate(`${i.node} is importing and already holds ${keys(i.nodeId)} key(s) of the slot`);
      const migrateTo = internalAddress(view, i.nodeId, owner);
      if (!migrateTo) return escalate(`no announced address for ${i.node}`);
      const target = side(i.nodeId);
      const rest = others(i.nodeId, [i.node, source.address]);
      return draft(
        {
          subCase: 'resume',
          slot,
          finalOwner: i.nodeId,
          source,
          target,
          others: rest,
          migrateTo,
          batch: ctx.batch,
        },
        `${i.node} importing with ${keys(i.nodeId)} key(s) already moved; ${source.address} owns the slot (its own word) but is not migrating: re-open its side and finish the move`,
        [
          cli(source.address, 'CLUSTER', 'SETSLOT', slot, 'MIGRATING', i.nodeId),
          ...migrateCommands(view, source.address, migrateTo, slot),
          ...setslotNode(i.nodeId, [i.node, source.address, ...rest]),
        ],
        [],
        keys(i.peer),
      );
    }
    return draft(
      { subCase: 'importing-only', slot, finalOwner: owner, importer: side(i.nodeId) },
      `${i.node} importing with no keys and no migrating side: close it`,
      [cli(i.node, 'CLUSTER', 'SETSLOT', slot, 'STABLE')],
    );
  }
  if (migrating.length === 1 && importing.length === 0 && m) {
    if (owner === m.nodeId) {
      if (keys(m.peer) > 0)
        return escalate(`target ${view.addressOf(m.peer)} holds keys of the slot but is not importing`);
      return draft(
        { subCase: 'migrating-only', slot, finalOwner: owner, source: side(m.nodeId) },
        `${m.node} migrating to a node that is not importing: close it`,
        [cli(m.node, 'CLUSTER', 'SETSLOT', slot, 'STABLE')],
      );
    }
    if (owner === m.peer) {
      if (keys(m.nodeId) > 0)
        return escalate(
          `${m.node} still holds ${keys(m.nodeId)} key(s) of a slot the cluster gives to ${view.addressOf(owner)}`,
        );
      const rest = mastersDisagreeing(view, slot, owner).filter((a) => a !== m.node);
      return draft(
        { subCase: 'owner-finalise', slot, finalOwner: owner, source: side(m.nodeId), others: rest },
        `${view.addressOf(owner)} already owns it; ${m.node} still migrating: finalise`,
        setslotNode(owner, [m.node, ...rest]),
      );
    }
    return escalate('the migrating node is neither the owner nor migrating to the owner');
  }
  if (migrating.length === 1 && importing.length === 1 && m && i) {
    if (m.peer !== i.nodeId || i.peer !== m.nodeId)
      return escalate('the migrating and importing markers name different peers');
    const source = side(m.nodeId);
    const target = side(i.nodeId);
    const migrateTo = internalAddress(view, i.nodeId, m.nodeId);
    if (owner === i.nodeId) {
      if (keys(m.nodeId) > 0)
        return escalate(`${m.node} still holds keys of a slot the majority gives to ${i.node}`);
      const rest = others(owner, [m.node, i.node]);
      return draft(
        { subCase: 'finalise', slot, finalOwner: owner, source, target, others: rest },
        `the majority already says ${i.node}; finalise both sides`,
        setslotNode(owner, [i.node, m.node, ...rest]),
      );
    }
    if (owner !== m.nodeId) return escalate('the owner is neither side of the migration');
    if (keys(i.nodeId) === 0) {
      return draft(
        { subCase: 'rollback', slot, finalOwner: m.nodeId, source, target },
        `no key reached ${i.node}: roll back (STABLE on both)`,
        [
          cli(i.node, 'CLUSTER', 'SETSLOT', slot, 'STABLE'),
          cli(m.node, 'CLUSTER', 'SETSLOT', slot, 'STABLE'),
        ],
      );
    }
    const rest = others(i.nodeId, [m.node, i.node]);
    const finalSteps = setslotNode(i.nodeId, [i.node, m.node, ...rest]);
    if (keys(m.nodeId) === 0) {
      return draft(
        { subCase: 'finalise', slot, finalOwner: i.nodeId, source, target, others: rest },
        `every key is on ${i.node}: finalise`,
        finalSteps,
      );
    }
    if (!migrateTo) return escalate(`no announced address for ${i.node}`);
    return draft(
      {
        subCase: 'complete',
        slot,
        finalOwner: i.nodeId,
        source,
        target,
        others: rest,
        migrateTo,
        batch: ctx.batch,
      },
      `keys on both sides (${keys(m.nodeId)} on ${m.node}, ${keys(i.nodeId)} on ${i.node}): finish the move`,
      [...migrateCommands(view, m.node, migrateTo, slot), ...finalSteps],
      [],
      keys(m.nodeId),
    );
  }
  return escalate(
    `${migrating.length} migrating and ${importing.length} importing marker(s): not a known-safe case`,
  );
}

function context(view: ClusterView, slot: number, markers: OpenSlotMarker[], batch: number): SlotContext {
  const migrating = markers.filter((m) => m.kind === 'migrating');
  const importing = markers.filter((m) => m.kind === 'importing');
  const owner = view.majorityOwner(slot);
  const involved = [...new Set([...(owner ? [owner] : []), ...markers.flatMap((m) => [m.nodeId, m.peer])])];
  const keys = (id: string) => view.keysIn(view.addressOf(id), slot) ?? 0;
  const countsOf = (ids: string[]) =>
    Object.fromEntries(ids.map((id) => [view.addressOf(id), view.keysIn(view.addressOf(id), slot) ?? null]));
  const holders = (ids: string[]) =>
    view.observers
      .filter((o) => !ids.includes(o.self.id) && (o.observation.slotKeyCounts?.[String(slot)] ?? 0) > 0)
      .map((o) => o.observation.address);
  const holderIds = view.observers
    .filter((o) => (o.observation.slotKeyCounts?.[String(slot)] ?? 0) > 0)
    .map((o) => o.self.id);
  // The facts every plan of this slot depends on: two looks with the same fingerprint saw no progress.
  const fingerprint = (extra: string[]) =>
    JSON.stringify({
      owner: owner ?? null,
      markers: markers.map((m) => `${m.nodeId}:${m.kind}:${m.peer}`).sort(),
      keysByNode: countsOf([...new Set([...involved, ...holderIds])]),
      selfClaims: view.selfClaimants(slot),
      ...(extra.length > 0 ? { extra } : {}),
    });
  const nodesOf = (ids: string[]) => [...new Set(ids.map((id) => view.addressOf(id)))].sort();
  const addressesOf = (plan: SlotPlan): string[] => {
    const sides = Object.values(plan).filter(
      (v): v is { id: string; address: string } => typeof v === 'object' && v !== null && 'id' in v,
    );
    // A dead node named by the plan is not written to: it is not one of the nodes the action touches.
    // A demoted one is read (its proofs are re-verified), so it must answer.
    return nodesOf([...sides.map((s) => s.id), plan.finalOwner].filter((id) => reachable(view, id)));
  };
  return {
    view,
    slot,
    markers,
    migrating,
    importing,
    batch,
    keys,
    side: (id) => ({ id, address: view.addressOf(id) }),
    others: (finalOwner, skip) =>
      reachableMasters(view).filter((a) => !skip.includes(a) && a !== view.addressOf(finalOwner)),
    setslotNode: (finalOwner, addresses) =>
      addresses.map((a) => cli(a, 'CLUSTER', 'SETSLOT', slot, 'NODE', finalOwner)),
    draft: (plan, summary, commands, extra = [], keysToMove) => ({
      plan,
      summary,
      commands,
      nodes: addressesOf(plan),
      fingerprint: fingerprint(extra),
      ...(keysToMove ? { keysToMove } : {}),
    }),
    escalate: (reason, runbook) => ({
      remedy: 'stabilize-open-slot',
      key: `stabilize-open-slot:${slot}`,
      slots: [[slot, slot]],
      nodes: nodesOf(involved),
      fingerprint: fingerprint([]),
      subCase: 'escalate',
      summary: `slot ${slot}: ${reason}`,
      commands: [],
      escalate: reason,
      runbook: runbook ?? [
        ...involved.map((id) => cli(view.addressOf(id), 'CLUSTER', 'COUNTKEYSINSLOT', slot)),
        `redis-cli --cluster check ${view.addressOf(markers[0]?.nodeId ?? '')}`,
        'Decide which side keeps the slot, move keys with MIGRATE (never REPLACE), then CLUSTER SETSLOT ... NODE on every master.',
      ],
    }),
    holders,
  };
}

/** A replica's mark its primary does not have (Valkey 8): STABLE on the primary, which replicates. */
export function planReplicaMark(
  view: ClusterView,
  mark: OpenSlotMarker,
  primary: string,
): SlotDraft | Escalation {
  const ctx = context(view, mark.slot, [], 0);
  if (!reachable(view, primary))
    return {
      ...ctx.escalate(`the primary ${view.label(primary)} of ${mark.node} is unreachable`),
      key: `stabilize-open-slot:replica-mark:${mark.slot}`,
    };
  const side = ctx.side(primary);
  return {
    plan: {
      subCase: 'replica-mark',
      slot: mark.slot,
      finalOwner: view.majorityOwner(mark.slot) ?? '',
      primary: side,
      replica: ctx.side(mark.nodeId),
    },
    summary: `replica ${mark.node} shows a ${mark.kind} mark its primary ${side.address} does not have: STABLE on the primary (a no-op there, replicated to the replica)`,
    commands: [cli(side.address, 'CLUSTER', 'SETSLOT', mark.slot, 'STABLE')],
    nodes: [side.address, mark.node].sort(),
    fingerprint: JSON.stringify({ replicaMark: `${mark.nodeId}:${mark.kind}:${mark.peer}`, primary }),
  };
}
