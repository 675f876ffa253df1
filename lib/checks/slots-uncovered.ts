import { cli } from '../model/runbook';
import { countSlots, formatRanges, rangesContain } from '../topology/slots';
import { defineCheck } from './define';

/** Slots that no reachable node assigns to anyone: every key in them is refused. */
export const slotsUncovered = defineCheck({
  id: 'slots-uncovered',
  severity: 'critical',
  title: 'Slots not served by any node',
  check(view) {
    if (view.observers.length === 0) return [];
    const ranges = view.uncoveredRanges();
    if (ranges.length === 0) return [];
    const keys: Record<string, number> = {};
    for (const o of view.snapshot.nodes) {
      let n = 0;
      for (const [slot, count] of Object.entries(o.slotKeyCounts ?? {}))
        if (rangesContain(ranges, Number(slot))) n += count;
      if (n > 0) keys[o.address] = n;
    }
    const seed = view.observers[0]?.observation.address ?? '';
    const [first, last] = ranges[0] ?? [0, 0];
    return [
      {
        summary: `${countSlots(ranges)} slot(s) not served by any node (${formatRanges(ranges)})`,
        slots: ranges,
        evidence: {
          observers: view.observers.map((o) => o.observation.address),
          keysInUncoveredSlotsByNode: keys,
        },
        runbook: [
          `redis-cli --cluster check ${seed}`,
          Object.keys(keys).length === 0
            ? `No node holds keys of these slots: assign them, e.g. ${cli(seed, 'CLUSTER', 'ADDSLOTSRANGE', first, last)}`
            : `Keys of these slots exist on ${Object.keys(keys).join(', ')}: assign the slots to that node with CLUSTER ADDSLOTSRANGE on it`,
          `redis-cli --cluster fix ${seed}   # review its plan first: it may move keys`,
        ],
        remedy: 'assign-uncovered-slots',
      },
    ];
  },
});
