import { cli } from '../model/runbook';
import type { ClusterView } from '../model/view';
import { compareText } from '../topology/compare';
import { countSlots, formatRanges, rangesFromSlots, slotsInRanges } from '../topology/slots';
import { SLOT_COUNT, type SlotRange } from '../topology/types';
import { mastersWithoutCounts } from './support';
import type { Escalation, Remedy, Step } from './types';

/** Give `ranges` to `owner`: no keys anywhere, or keys of them on that master only. */
export type AssignStep = Step<
  'assign-uncovered-slots',
  'no-keys' | 'keys-on-one-master',
  { owner: { id: string; address: string }; ranges: SlotRange[] }
>;

type Common = Pick<AssignStep, 'remedy' | 'fingerprint'>;

/**
 * Slots no node claims. No keys anywhere: give them to one master (a neighbour's owner when one
 * exists, keeping ranges contiguous, else the master with fewest slots). Keys of a slot on exactly
 * one master: give it to that master. Keys on several masters, or a node we cannot see (its keys are
 * unknown), or a failed node: escalate. A lost shard is not uncovered (its master still claims its
 * slots), so this never hands a dead shard's slots elsewhere.
 */
export const assignUncoveredSlots: Remedy<AssignStep> = {
  id: 'assign-uncovered-slots',
  title: 'Assign slots no node serves',
  optIn: false,
  plan(view) {
    if (view.observers.length === 0) return [];
    const uncovered: number[] = [];
    for (let slot = 0; slot < SLOT_COUNT; slot++) if (view.claimants(slot).size === 0) uncovered.push(slot);
    if (uncovered.length === 0) return [];
    const masters = view.observers.filter((o) => o.self.role === 'master' && !o.self.fail);
    // A node we cannot see, or that others flag failed, may hold keys of the uncovered slots: unless it
    // is a replica of a master we do see (a replica holds its master's data and nothing else).
    const seenMaster = (id: string | null) => id !== null && masters.some((m) => m.self.id === id);
    const blind = [...view.nodes.values()].filter(
      (n) =>
        (!n.observation?.reachable || [...n.seenBy.values()].some((e) => e.fail)) &&
        !(n.role === 'replica' && seenMaster(n.masterId)),
    );
    const holders = (slot: number) =>
      masters.filter((m) => (m.observation.slotKeyCounts?.[String(slot)] ?? 0) > 0).map((m) => m.self.id);
    const fingerprint = JSON.stringify({
      uncovered: formatRanges(rangesFromSlots(uncovered)),
      keys: uncovered.flatMap((s) =>
        holders(s).map((id) => `${s}@${id}:${view.keysIn(view.addressOf(id), s)}`),
      ),
    });
    const base: Common = { remedy: 'assign-uncovered-slots', fingerprint };
    const uncounted = mastersWithoutCounts(view, uncovered);
    if (blind.length > 0 || masters.length === 0 || uncounted.length > 0) {
      const reason =
        masters.length === 0
          ? 'no reachable master to assign slots to'
          : blind.length > 0
            ? `cannot see every node (${blind.map((n) => n.address).join(', ')}): keys of the uncovered slots may live there`
            : `keys could not be counted on ${uncounted.join(', ')}: keys of the uncovered slots may live there`;
      return [escalation(base, rangesFromSlots(uncovered), reason)];
    }
    const empty: number[] = [];
    const byHolder = new Map<string, number[]>();
    const contested: number[] = [];
    for (const slot of uncovered) {
      const h = holders(slot);
      const [only] = h;
      if (h.length === 0) empty.push(slot);
      else if (h.length === 1 && only) byHolder.set(only, [...(byHolder.get(only) ?? []), slot]);
      else contested.push(slot);
    }
    const actions: (AssignStep | Escalation)[] = [];
    if (contested.length > 0) {
      actions.push(
        escalation(base, rangesFromSlots(contested), 'keys of these slots exist on several masters'),
      );
    }
    // One action per receiving master: the slots whose keys it holds, plus the empty ranges it is chosen for.
    const byOwner = new Map<string, { slots: number[]; holds: boolean }>();
    const give = (id: string, slots: number[], holds: boolean) => {
      const entry = byOwner.get(id) ?? { slots: [], holds: false };
      entry.slots.push(...slots);
      entry.holds ||= holds;
      byOwner.set(id, entry);
    };
    for (const [id, slots] of byHolder) give(id, slots, true);
    for (const range of rangesFromSlots(empty)) {
      const owner = chooseOwner(view, range);
      if (owner) give(owner, [...slotsInRanges([range])], false);
    }
    for (const [id, { slots, holds }] of byOwner) {
      actions.push(
        assignment(view, base, id, rangesFromSlots(slots), holds ? 'keys-on-one-master' : 'no-keys'),
      );
    }
    return actions;
  },
  async apply(step, exec) {
    const p = step.params;
    const executed: string[] = [];
    for (const [first, last] of p.ranges) {
      executed.push(`${p.owner.address} CLUSTER ADDSLOTSRANGE ${first} ${last}`);
      await exec.run(p.owner.address, 'CLUSTER', 'ADDSLOTSRANGE', first, last);
    }
    return { executed, keysMoved: 0 };
  },
  verify(step, view) {
    const p = step.params;
    for (const [first, last] of p.ranges) {
      for (const o of view.observers.filter((x) => x.self.role === 'master')) {
        for (const slot of [first, last]) {
          if (view.ownerIn(o.observation, slot) !== p.owner.id) {
            return `${o.observation.address} does not yet say ${p.owner.address} owns slot ${slot}`;
          }
        }
      }
    }
    return undefined;
  },
};

/** A neighbour's owner (keeps ranges contiguous), the one with fewest slots; else the master with fewest slots. */
function chooseOwner(view: ClusterView, [first, last]: SlotRange): string | undefined {
  const masters = view.observers.filter((o) => o.self.role === 'master' && !o.self.fail);
  const slotsOf = (id: string) => countSlots(masters.find((m) => m.self.id === id)?.self.slots ?? []);
  const neighbours = [first - 1, last + 1]
    .filter((s) => s >= 0 && s < SLOT_COUNT)
    .flatMap((s) => [...view.claimants(s)])
    .filter((id) => masters.some((m) => m.self.id === id));
  const candidates = neighbours.length > 0 ? [...new Set(neighbours)] : masters.map((m) => m.self.id);
  return candidates.sort(
    (a, b) => slotsOf(a) - slotsOf(b) || compareText(view.addressOf(a), view.addressOf(b)),
  )[0];
}

function assignment(
  view: ClusterView,
  base: Common,
  ownerId: string,
  ranges: SlotRange[],
  subCase: AssignStep['subCase'],
): AssignStep {
  const address = view.addressOf(ownerId);
  return {
    ...base,
    key: `assign-uncovered-slots:${formatRanges(ranges)}`,
    subCase,
    summary: `assign ${formatRanges(ranges)} to ${address}${subCase === 'keys-on-one-master' ? ' (the only node holding keys of them)' : ' (no keys anywhere)'}`,
    slots: ranges,
    nodes: [address],
    commands: ranges.map(([a, b]) => cli(address, 'CLUSTER', 'ADDSLOTSRANGE', a, b)),
    params: { owner: { id: ownerId, address }, ranges },
  };
}

function escalation(base: Common, ranges: SlotRange[], reason: string): Escalation {
  return {
    ...base,
    subCase: 'escalate',
    nodes: [],
    commands: [],
    key: `assign-uncovered-slots:${formatRanges(ranges)}`,
    summary: `slots ${formatRanges(ranges)}: ${reason}`,
    slots: ranges,
    escalate: reason,
    runbook: [
      'For each slot: CLUSTER COUNTKEYSINSLOT on every master; the slot belongs where its keys are.',
      'Keys on several masters need a person: move them with MIGRATE (never REPLACE), then CLUSTER ADDSLOTS.',
    ],
  };
}
