import { cli } from '../model/runbook';
import type { OpenSlotMarker } from '../model/view';
import { defineCheck } from './define';
import type { FindingDraft } from './types';

/**
 * A slot left `migrating` and/or `importing` (a reshard that died or is still running). One finding
 * per slot, with both sides' markers and key counts so a person can tell which way to finish it.
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
      findings.push({
        summary: `slot ${slot} is open: ${describe}`,
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
