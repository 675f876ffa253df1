import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { slotsThatMatter } from '../../../lib/observe/key-counts';
import type { NodeObservation } from '../../../lib/observe/types';
import { SLOT_COUNT } from '../../../lib/topology/types';
import { buildSnapshot, type ClusterSpec, type LineOverride, nodeId } from '../checks/build';

/**
 * The slots whose keys are counted one by one are found by a sweep over the claims. This property
 * holds the sweep to the definition, slot by slot, on random, damaged and disagreeing views: every
 * slot marked open on the node's own line, every slot no line claims, and every slot two different
 * ids claim.
 */
const NAMES = ['a', 'b', 'c', 'd', 'e'];

const token = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(fc.integer({ min: 0, max: SLOT_COUNT - 1 }), fc.integer({ min: 0, max: 6000 }))
      .map(([a, n]) => (n === 0 ? `${a}` : `${a}-${Math.min(SLOT_COUNT - 1, a + n)}`)),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 0, max: SLOT_COUNT - 1 }), fc.constantFrom(...NAMES), fc.boolean())
      .map(([slot, peer, out]) => `[${slot}${out ? '->-' : '-<-'}${nodeId(peer)}]`),
  },
);
const slotsText = fc.array(token, { maxLength: 5 }).map((tokens) => tokens.join(' '));

const spec: fc.Arbitrary<ClusterSpec> = fc
  .record({
    slots: fc.array(slotsText, { minLength: 5, maxLength: 5 }),
    views: fc.dictionary(
      fc.constantFrom(...NAMES),
      fc.dictionary(
        fc.constantFrom(...NAMES),
        slotsText.map((slots): LineOverride => ({ slots })),
      ),
    ),
    unreachable: fc.subarray(NAMES, { maxLength: 2 }),
  })
  .map(({ slots, views, unreachable }) => ({
    nodes: NAMES.map((name, i) => ({ name, port: 7000 + i, slots: slots[i] })),
    views,
    unreachable,
  }));

/** The definition, one slot at a time. */
function reference(observations: NodeObservation[]): number[] {
  const result = new Set<number>();
  const owners = Array.from({ length: SLOT_COUNT }, () => new Set<string>());
  for (const o of observations) {
    for (const entry of o.clusterNodes ?? []) {
      if (entry.myself) for (const mark of [...entry.migrating, ...entry.importing]) result.add(mark.slot);
      for (const [a, b] of entry.slots) for (let s = a; s <= b; s++) owners[s]?.add(entry.id);
    }
  }
  owners.forEach((ids, slot) => {
    if (ids.size !== 1) result.add(slot);
  });
  return [...result].sort((x, y) => x - y);
}

describe('slotsThatMatter', () => {
  it('agrees slot by slot with the definition', () => {
    fc.assert(
      fc.property(spec, (cluster) => {
        const { nodes } = buildSnapshot(cluster);
        expect([...slotsThatMatter(nodes)].sort((x, y) => x - y)).toEqual(reference(nodes));
      }),
      { numRuns: 150 },
    );
  });

  it('a healthy cluster: nothing matters', () => {
    const thirds = ['0-5460', '5461-10922', '10923-16383'];
    const { nodes } = buildSnapshot({
      nodes: thirds.map((slots, i) => ({ name: NAMES[i] as string, port: 7000 + i, slots })),
    });
    expect(slotsThatMatter(nodes).size).toBe(0);
  });
});
