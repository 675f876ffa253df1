import { cli, clusterTool } from '../model/runbook';
import type { ClusterView } from '../model/view';
import { compareText } from '../topology/compare';
import { formatRanges, mergeRanges } from '../topology/slots';
import type { SlotRange } from '../topology/types';
import { defineCheck } from './define';

/** Disputed ranges listed in full in the evidence and runbook; the rest are counted. */
const MAX_LISTED = 20;
const MAX_RUNBOOK_RANGES = 3;
/** How long a node that serves no slot may take to learn the slot map after joining. */
const LEARNING_BOUND_S = 60;

/**
 * Reachable nodes (masters and replicas) disagree about who owns some slots: one view names another
 * owner, or none. This includes a node claiming slots in its own `myself` line that the others give
 * to someone else. Gossip does not always heal it: a node importing a slot ignores every claim on
 * it, and a claim with a lower config epoch never wins. Clients are then redirected in a loop, or
 * write into a node the others do not send readers to.
 *
 * Decision on open slots: a disagreement about a slot that is migrating/importing is still reported,
 * at the same severity. slot-open reports the markers; here the evidence names the open slots. A
 * reshard in flight disagrees for one gossip round at most (the importing side bumps its epoch when
 * it takes the slot), while a disagreement that lasts is a split that sends clients in MOVED loops.
 *
 * Lowered to `info`, a transition bounded by {@link LEARNING_BOUND_S}, when the only dissent is
 * nodes that serve no slot knowing no owner yet for slots the majority agrees on: a node that just
 * joined (a new replica) learns the slot map from gossip, and nobody is woken for that.
 */
export const configDisagreement = defineCheck({
  id: 'config-disagreement',
  severity: 'critical',
  title: 'Nodes disagree about slot owners',
  check(view) {
    const observers = [...view.observers].sort((a, b) =>
      compareText(a.observation.address, b.observation.address),
    );
    if (observers.length < 2) return [];
    // Column of each sorted observer in the view's segments, which run over ranges, not slots.
    const columnOf = new Map(view.observers.map((o, i) => [o, i]));
    const column = observers.map((o) => columnOf.get(o) as number);
    const agreed = (slot: number) => view.agreedOwner(slot);
    const groups: { range: SlotRange; owners: (string | undefined)[] }[] = [];
    for (const segment of view.segments()) {
      // Every view alike (a healthy cluster's every segment): nothing to sort into columns.
      if (same(segment.owners)) continue;
      const owners = column.map((c) => segment.owners[c]);
      const last = groups[groups.length - 1];
      if (last && last.range[1] === segment.first - 1 && last.owners.every((o, i) => o === owners[i]))
        last.range[1] = segment.last;
      else groups.push({ range: [segment.first, segment.last], owners });
    }
    if (groups.length === 0) return [];
    const ranges = mergeRanges(groups.map((g) => g.range));
    const dissenters = new Set<string>();
    const owners = new Set<string>();
    for (const group of groups) {
      const expected = agreed(group.range[0]);
      group.owners.forEach((owner, i) => {
        if (owner) owners.add(owner);
        if (owner !== expected) dissenters.add(observers[i]?.observation.address ?? '');
      });
    }
    const learning = groups.every((g) =>
      g.owners.every((owner, i) => {
        const expected = agreed(g.range[0]);
        return (
          owner === expected ||
          (owner === undefined && expected !== undefined && observers[i]?.self.slots.length === 0)
        );
      }),
    );
    const open = view.openSlots.filter((m) => ranges.some(([a, b]) => m.slot >= a && m.slot <= b));
    const slotCount = groups.reduce((n, g) => n + g.range[1] - g.range[0] + 1, 0);
    const runbook: string[] = [];
    for (const group of groups.slice(0, MAX_RUNBOOK_RANGES)) {
      const [first, last] = group.range;
      const owner = agreed(first);
      const candidates = [...new Set(group.owners.filter((o): o is string => o !== undefined))];
      runbook.push(
        `Slots ${formatRanges([group.range])}: which candidate holds their keys? ` +
          candidates.map((c) => cli(view.addressOf(c), 'CLUSTER', 'COUNTKEYSINSLOT', first)).join(' ; '),
      );
      if (!owner) {
        runbook.push(
          'No majority owner: pick the node holding the keys as the owner for the commands below.',
        );
      }
      const target = owner ?? '<owner-id>';
      group.owners.forEach((o, i) => {
        const observer = observers[i]?.observation.address ?? '';
        if (o === owner && owner) return;
        if (observers[i]?.self.role === 'replica') {
          runbook.push(
            `${observer} is a replica (SETSLOT is refused there): its table follows gossip; check its cluster bus link, or restart it if it stays stale`,
          );
          return;
        }
        runbook.push(
          first === last
            ? cli(observer, 'CLUSTER', 'SETSLOT', first, 'NODE', target)
            : `for s in $(seq ${first} ${last}); do ${cli(observer, 'CLUSTER', 'SETSLOT', '$s', 'NODE', target)}; done`,
        );
      });
      if (owner)
        runbook.push(`${cli(view.addressOf(owner), 'CLUSTER', 'BUMPEPOCH')}   # so its claim wins gossip`);
    }
    if (open.length > 0) {
      runbook.unshift(
        'Some of these slots are open (see slot-open): a node importing a slot ignores gossip about it; close it first with CLUSTER SETSLOT <slot> STABLE there.',
      );
    }
    runbook.push(clusterTool('check', observers[0]?.observation.address ?? ''));
    const listed = `${slotCount} slot(s) (${formatRanges(ranges.slice(0, 5))}${ranges.length > 5 ? ',...' : ''})`;
    return [
      {
        summary: learning
          ? `${[...dissenters].join(', ')} serving no slot do(es) not know the owner of ${listed} yet (learning the slot map after joining?)`
          : `nodes disagree about the owner of ${listed}: ${[...dissenters].join(', ')} differ from the majority`,
        ...(learning ? { severity: 'info' as const } : {}),
        slots: ranges,
        nodes: [...dissenters],
        evidence: {
          ...(learning
            ? { transition: { state: 'learning the slot map', boundSeconds: LEARNING_BOUND_S } }
            : {}),
          disagreements: groups.slice(0, MAX_LISTED).map((g) => ({
            slots: formatRanges([g.range]),
            majorityOwner: agreed(g.range[0]) ?? null,
            ownerByObserver: Object.fromEntries(
              g.owners.map((o, i) => [observers[i]?.observation.address ?? '', o ?? null]),
            ),
            keysByNode: keysByNode(view, g.range, g.owners),
          })),
          moreDisagreements: Math.max(0, groups.length - MAX_LISTED),
          owners: Object.fromEntries([...owners].map((id) => [id, view.addressOf(id)])),
          openSlots: open.map((m) => ({ slot: m.slot, node: m.node, kind: m.kind, peer: m.peer })),
        },
        runbook,
      },
    ];
  },
});

/** Keys of the range on each candidate owner, where the observation counted them. */
function keysByNode(
  view: ClusterView,
  [first, last]: SlotRange,
  owners: (string | undefined)[],
): Record<string, number> {
  const result: Record<string, number> = {};
  for (const id of new Set(owners)) {
    if (!id) continue;
    const address = view.addressOf(id);
    let keys: number | undefined;
    for (let slot = first; slot <= last; slot++) {
      const n = view.keysIn(address, slot);
      if (n !== undefined) keys = (keys ?? 0) + n;
    }
    if (keys !== undefined) result[address] = keys;
  }
  return result;
}

/** True when every entry is the first (the columns are a permutation of the owners: the same test). */
function same(owners: readonly (string | undefined)[]): boolean {
  for (let i = 1; i < owners.length; i++) if (owners[i] !== owners[0]) return false;
  return true;
}
