import { clusterTool } from '../model/runbook';
import { countSlots } from '../topology/slots';
import { defineCheck } from './define';

/** The biggest master may own at most this many times the slots of the smallest. */
export const IMBALANCE_RATIO = 1.5;
/** ...and differences smaller than this many slots never count (tiny shards in big clusters). */
export const IMBALANCE_MIN_SLOTS = 16;

/**
 * Slot counts of the masters that serve slots (by the majority of the masters' views) differ by
 * more than {@link IMBALANCE_RATIO}x between the biggest and the smallest. Slotless masters are not
 * counted: a spare is deliberate (`redis-cli --cluster rebalance` ignores them too unless told).
 * Info: weighted layouts exist on purpose.
 */
export const slotsImbalanced = defineCheck({
  id: 'slots-imbalanced',
  severity: 'info',
  title: 'Slots unevenly spread over the masters',
  check(view) {
    const counts = new Map<string, number>();
    for (const [owner, ranges] of view.agreedRangesByOwner()) counts.set(owner, countSlots(ranges));
    if (counts.size < 2) return [];
    const sorted = [...counts].sort((a, b) => b[1] - a[1]);
    const [maxId, max] = sorted[0] as [string, number];
    const [minId, min] = sorted[sorted.length - 1] as [string, number];
    if (max <= IMBALANCE_RATIO * min || max - min < IMBALANCE_MIN_SLOTS) return [];
    const address = view.addressOf(maxId);
    return [
      {
        summary: `slots are unevenly spread: ${view.label(maxId)} owns ${max}, ${view.label(minId)} owns ${min} (${(max / min).toFixed(1)}x)`,
        nodes: [address, view.addressOf(minId)],
        evidence: {
          slotsByMaster: Object.fromEntries(sorted.map(([id, n]) => [view.addressOf(id), { id, slots: n }])),
          ideal: Math.round(sorted.reduce((n, [, c]) => n + c, 0) / sorted.length),
          ratio: Number((max / min).toFixed(2)),
          threshold: IMBALANCE_RATIO,
        },
        runbook: [
          `${clusterTool('rebalance', address, '--cluster-simulate')}   # see what it would move`,
          clusterTool('rebalance', address),
        ],
      },
    ];
  },
});
