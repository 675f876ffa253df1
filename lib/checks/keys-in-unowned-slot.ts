import { cli, clusterTool } from '../model/runbook';
import { formatRanges, rangesFromSlots } from '../topology/slots';
import { defineCheck } from './define';
import type { FindingDraft } from './types';

/** Slots listed one by one in the evidence; the rest are summed. */
const MAX_LISTED = 50;

/**
 * A master holds keys in slots it neither owns nor imports (in its own view) while another node
 * owns them: clients are sent to the owner, so these keys are invisible and a later write creates a
 * second copy. Slots that no view assigns are slots-uncovered's (it locates their keys too).
 */
export const keysInUnownedSlot = defineCheck({
  id: 'keys-in-unowned-slot',
  severity: 'critical',
  title: 'Keys stranded in slots the node does not own',
  check(view) {
    const findings: FindingDraft[] = [];
    for (const { observation, self } of view.observers) {
      if (self.role !== 'master') continue;
      const stranded: { slot: number; keys: number; owner: string | undefined }[] = [];
      for (const [slotText, keys] of Object.entries(observation.slotKeyCounts ?? {})) {
        const slot = Number(slotText);
        if (!(keys > 0) || !Number.isInteger(slot)) continue;
        if (self.slots.some(([a, b]) => slot >= a && slot <= b)) continue;
        if (self.importing.some((i) => i.slot === slot)) continue;
        if (view.claimants(slot).size === 0) continue;
        stranded.push({ slot, keys, owner: view.agreedOwner(slot) ?? [...view.claimants(slot)][0] });
      }
      if (stranded.length === 0) continue;
      stranded.sort((a, b) => a.slot - b.slot);
      const ranges = rangesFromSlots(stranded.map((s) => s.slot));
      const total = stranded.reduce((n, s) => n + s.keys, 0);
      const first = stranded[0] as (typeof stranded)[number];
      const owners = [...new Set(stranded.map((s) => s.owner).filter((o): o is string => o !== undefined))];
      findings.push({
        summary: `${view.label(self.id)} holds ${total} key(s) in ${stranded.length} slot(s) it does not own (${formatRanges(ranges)}): clients are sent to ${owners.map((o) => view.addressOf(o)).join(', ')} and never see them`,
        slots: ranges,
        nodes: [observation.address, ...owners.map((o) => view.addressOf(o))],
        evidence: {
          node: { id: self.id, address: observation.address },
          totalKeys: total,
          slots: stranded.slice(0, MAX_LISTED).map((s) => ({
            slot: s.slot,
            keys: s.keys,
            owner: s.owner ? { id: s.owner, address: view.addressOf(s.owner) } : null,
          })),
          moreSlots: Math.max(0, stranded.length - MAX_LISTED),
        },
        runbook: [
          cli(observation.address, 'CLUSTER', 'COUNTKEYSINSLOT', first.slot),
          cli(observation.address, 'CLUSTER', 'GETKEYSINSLOT', first.slot, 10),
          'To hand the keys to the owner, mark the holder as importing the slot, then let redis-cli move them (it never replaces a key that exists on both sides: it reports BUSYKEY):',
          cli(
            observation.address,
            'CLUSTER',
            'SETSLOT',
            first.slot,
            'IMPORTING',
            first.owner ?? '<owner-id>',
          ),
          `${clusterTool('fix', observation.address)}   # review its plan first`,
        ],
      });
    }
    return findings;
  },
});
