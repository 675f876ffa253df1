import { cli } from '../model/runbook';
import type { ClusterView, OpenSlotMarker } from '../model/view';
import { defineCheck } from './define';
import type { FindingDraft } from './types';

/**
 * A slot left `migrating` and/or `importing` (a reshard that died or is still running). One finding
 * per slot, with both sides' markers and key counts so a person can tell which way to finish it,
 * and, when a node of the move died, which one and what became of its slots: critical then.
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
          ...(story.length > 0 ? { whatHappened: story } : {}),
        },
        runbook: [
          ...[...involved].map((a) => cli(a, 'CLUSTER', 'COUNTKEYSINSLOT', slot)),
          'If a reshard is still running, wait for it. If it died: keys on both sides -> finish moving them:',
          `redis-cli --cluster fix ${markers[0]?.node ?? ''}`,
          'If the importing side holds no keys of the slot, close the slot on each node that has a marker:',
          ...markers.map((m) => cli(m.node, 'CLUSTER', 'SETSLOT', slot, 'STABLE')),
        ],
        remedy: 'stabilize-open-slot',
      });
    }
    return findings;
  },
});

/**
 * A move whose source or target died: which node is down, whether a replica took its slots over
 * (and holds the moved keys), or whether its whole shard went with it; and an importing node that,
 * on Redis 7, ignores gossip about the slot and still names a dead owner (its shard is then down).
 */
function whatHappened(view: ClusterView, slot: number, markers: OpenSlotMarker[]): string[] {
  const story: string[] = [];
  const named = new Set(markers.map((m) => m.peer));
  for (const id of named) {
    if (view.nodes.get(id)?.observation?.reachable === true) continue;
    const down = view.isDown(id) ? 'is down (flagged fail)' : 'is unreachable';
    const role = markers.some((m) => m.peer === id && m.kind === 'migrating') ? 'target' : 'source';
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
    if (owner && owner !== m.nodeId && view.isDown(owner)) {
      const state = observation?.clusterInfo?.cluster_state ?? 'unknown';
      story.push(
        `${m.node}, importing, ignores gossip about the slot: it still names the dead node as owner (cluster_state:${state}${state === 'fail' ? ': its shard answers CLUSTERDOWN' : ''})`,
      );
    }
  }
  return story;
}
