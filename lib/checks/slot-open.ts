import { cli } from '../model/runbook';
import type { ClusterView, OpenSlotMarker } from '../model/view';
import { defineCheck } from './define';
import type { FindingDraft } from './types';

/**
 * A slot left `migrating` and/or `importing` (a reshard that died or is still running). One finding
 * per slot, with both sides' markers and key counts so a person can tell which way to finish it,
 * and, when a node of the move died or was demoted to a replica, which one and what became of its
 * slots: critical then (keys already moved, or not yet moved, are out of clients' reach).
 */
export const slotOpen = defineCheck({
  id: 'slot-open',
  severity: 'warning',
  title: 'Slot stuck migrating or importing',
  check(view) {
    const bySlot = new Map<number, OpenSlotMarker[]>();
    for (const marker of view.openSlots)
      bySlot.set(marker.slot, [...(bySlot.get(marker.slot) ?? []), marker]);
    const findings: FindingDraft[] = [];
    for (const [slot, markers] of bySlot) {
      const owner = view.majorityOwner(slot);
      const involved = new Set<string>();
      for (const m of markers) {
        involved.add(m.node);
        involved.add(view.addressOf(m.peer));
      }
      if (owner) involved.add(view.addressOf(owner));
      const keys = Object.fromEntries([...involved].map((a) => [a, view.keysIn(a, slot) ?? null]));
      const describe = markers
        .map((m) => `${m.node} ${m.kind} ${m.kind === 'migrating' ? 'to' : 'from'} ${view.addressOf(m.peer)}`)
        .join('; ');
      const story = whatHappened(view, slot, markers);
      const replaced = replacedPeers(view, markers);
      findings.push({
        ...(story.length > 0 ? { severity: 'critical' as const } : {}),
        summary: `slot ${slot} is open: ${describe}${story.length > 0 ? `. ${story.join('; ')}` : ''}`,
        slots: [[slot, slot]],
        nodes: [...involved],
        evidence: {
          slot,
          owner: owner ? { id: owner, address: view.addressOf(owner) } : null,
          markers: markers.map((m) => ({
            node: m.node,
            nodeId: m.nodeId,
            kind: m.kind,
            peer: m.peer,
            peerAddress: view.addressOf(m.peer),
          })),
          keysByNode: keys,
          ...(replaced.length > 0 ? { replacedPeers: replaced } : {}),
          ...(story.length > 0 ? { whatHappened: story } : {}),
        },
        runbook: [
          ...[...involved].map((a) => cli(a, 'CLUSTER', 'COUNTKEYSINSLOT', slot)),
          ...(retargetRunbook(view, slot, markers) ?? [
            'If a reshard is still running, wait for it. If it died: keys on both sides -> finish moving them:',
            `redis-cli --cluster fix ${markers[0]?.node ?? ''}`,
            'If the importing side holds no keys of the slot, close the slot on each node that has a marker:',
            ...markers.map((m) => cli(m.node, 'CLUSTER', 'SETSLOT', slot, 'STABLE')),
          ]),
        ],
        remedy: 'stabilize-open-slot',
      });
    }
    return findings;
  },
});

/**
 * A move whose source or target died or was demoted: which node is down or now a replica (of whom),
 * whether a replica took its slots over (and holds the moved keys), or whether its whole shard went
 * with it; and an importing node that, on Redis 7, ignores gossip about the slot and still names a
 * dead or demoted owner, or none (its shard is then down).
 */
function whatHappened(view: ClusterView, slot: number, markers: OpenSlotMarker[]): string[] {
  const story: string[] = [];
  const named = new Set(markers.map((m) => m.peer));
  for (const id of named) {
    const role = markers.some((m) => m.peer === id && m.kind === 'migrating') ? 'target' : 'source';
    const master = view.replicating(id);
    if (master) {
      story.push(
        `the move's ${role} ${view.label(id)} is no longer a master: it is a replica of ${view.label(master)} (it stalled past the node timeout, or failed over, and a replica took its slots over; its demotion cleared its own mark)`,
      );
      continue;
    }
    if (view.nodes.get(id)?.observation?.reachable === true) continue;
    const down = view.isDown(id) ? 'is down (flagged fail)' : 'is unreachable';
    const owned = view.slotsAgreed(id);
    story.push(
      owned > 0
        ? `the move's ${role} ${view.label(id)} ${down} and still owns ${owned} slot(s): no replica took over, the keys it holds exist only there`
        : `the move's ${role} ${view.label(id)} ${down} and owns no slot now (a replica took its slots over, or it never had any)`,
    );
  }
  for (const o of view.observers) {
    const id = o.self.id;
    const keys = o.observation.slotKeyCounts?.[String(slot)] ?? 0;
    if (
      view.wasPromoted(id) &&
      (keys > 0 || view.claimsItself(id, slot) || markers.some((m) => m.nodeId === id))
    )
      story.push(`${view.label(id)} was promoted from replica and holds ${keys} key(s) of the slot`);
  }
  for (const m of markers.filter((x) => x.kind === 'importing')) {
    const observation = view.nodes.get(m.nodeId)?.observation;
    const owner = observation ? view.ownerIn(observation, slot) : undefined;
    const state = observation?.clusterInfo?.cluster_state ?? 'unknown';
    const down = `cluster_state:${state}${state === 'fail' ? ': its shard answers CLUSTERDOWN' : ''}`;
    const peerGone = !reachable(view, m.peer) || view.replicating(m.peer) !== undefined;
    if (owner && owner !== m.nodeId && (view.isDown(owner) || view.replicating(owner))) {
      const what = view.isDown(owner) ? 'dead' : 'demoted';
      story.push(
        `${m.node}, importing, ignores gossip about the slot: it still names the ${what} node as owner (${down})`,
      );
    } else if (!owner && peerGone) {
      // Redis 7.0: the source's demotion dropped its slots from the importer's table, and the
      // importer ignores the gossip that would name the promoted owner.
      story.push(`${m.node}, importing, ignores gossip about the slot: it names no owner for it (${down})`);
    }
  }
  return story;
}

const reachable = (view: ClusterView, id: string) => view.nodes.get(id)?.observation?.reachable === true;

/** The nodes the marks name that are no longer masters: down (or unreachable), or demoted to a replica. */
function replacedPeers(view: ClusterView, markers: OpenSlotMarker[]) {
  return [...new Set(markers.map((m) => m.peer))].flatMap((id) => {
    const master = view.replicating(id);
    if (master)
      return [{ id, address: view.addressOf(id), state: 'demoted', replicaOf: view.addressOf(master) }];
    if (reachable(view, id)) return [];
    return [{ id, address: view.addressOf(id), state: view.isDown(id) ? 'down' : 'unreachable' }];
  });
}

/**
 * A mark naming a node demoted to a replica: the move goes on with the master that took its place
 * (the node it replicates), by hand as `fix` would do it. Undefined for any other open slot.
 */
function retargetRunbook(view: ClusterView, slot: number, markers: OpenSlotMarker[]): string[] | undefined {
  const [first] = markers;
  const heir = first ? view.replicating(first.peer) : undefined;
  if (!first || !heir || markers.some((m) => m.peer !== first.peer)) return undefined;
  const [demoted, promoted] = [view.addressOf(first.peer), view.addressOf(heir)];
  const retarget =
    first.kind === 'migrating'
      ? [
          cli(promoted, 'CLUSTER', 'SETSLOT', slot, 'IMPORTING', first.nodeId),
          cli(first.node, 'CLUSTER', 'SETSLOT', slot, 'MIGRATING', heir),
        ]
      : [
          cli(first.node, 'CLUSTER', 'SETSLOT', slot, 'NODE', heir),
          cli(first.node, 'CLUSTER', 'SETSLOT', slot, 'IMPORTING', heir),
          cli(promoted, 'CLUSTER', 'SETSLOT', slot, 'MIGRATING', first.nodeId),
        ];
  return [
    `# ${demoted} is a replica of ${promoted} now. Check that ${promoted} was promoted from it (INFO replication: the same master_replid2 on both) and that no third node holds keys of the slot, then re-target the move to ${promoted} and finish it:`,
    `cluster-doctor fix ${first.node} --yes   # does all of this under its guards; by hand:`,
    ...retarget,
    `redis-cli --cluster fix ${first.node}   # moves the remaining keys and closes the slot`,
    `# Never: CLUSTER SETSLOT ${slot} STABLE on ${first.node} (keys already moved would read as missing), MIGRATE ... REPLACE, or CLUSTER FORGET ${first.peer}.`,
  ];
}
