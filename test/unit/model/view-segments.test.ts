import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClusterView } from '../../../lib/model/view';
import { SLOT_COUNT } from '../../../lib/topology/types';
import { buildSnapshot, type ClusterSpec, type LineOverride } from '../checks/build';

/**
 * The view answers by ranges (segments), not by 16 384-slot tables per observer. These properties
 * hold it to the per-slot definitions on random, damaged and disagreeing views: each observer's
 * owner is the first line claiming the slot, claimants are every id any view names, and the agreed
 * owner is the strict majority of the masters' views.
 */
const NAMES = ['a', 'b', 'c', 'd', 'e'];

const slotsText = fc
  .array(
    fc
      .tuple(fc.integer({ min: 0, max: SLOT_COUNT - 1 }), fc.integer({ min: 0, max: 3000 }))
      .map(([a, n]) => (n === 0 ? `${a}` : `${a}-${Math.min(SLOT_COUNT - 1, a + n)}`)),
    { maxLength: 4 },
  )
  .map((tokens) => tokens.join(' '));

const spec: fc.Arbitrary<ClusterSpec> = fc
  .record({
    slots: fc.array(slotsText, { minLength: 5, maxLength: 5 }),
    replicaOfA: fc.boolean(),
    views: fc.dictionary(
      fc.constantFrom(...NAMES),
      fc.dictionary(
        fc.constantFrom(...NAMES),
        slotsText.map((slots): LineOverride => ({ slots })),
      ),
    ),
    unreachable: fc.subarray(NAMES, { maxLength: 2 }),
  })
  .map(({ slots, replicaOfA, views, unreachable }) => ({
    nodes: NAMES.map((name, i) => ({
      name,
      port: 7000 + i,
      ...(replicaOfA && name === 'e' ? { replicaOf: 'a' } : { slots: slots[i] }),
    })),
    views,
    unreachable,
  }));

/** The definitions, slot by slot, straight from the observations. */
function reference(view: ClusterView) {
  const tables = view.observers.map(({ observation }) => {
    const table = new Array<string | undefined>(SLOT_COUNT).fill(undefined);
    for (const entry of [...(observation.clusterNodes ?? [])].reverse())
      for (const [a, b] of entry.slots) for (let s = a; s <= b; s++) table[s] = entry.id;
    return table;
  });
  const masters = view.observers.flatMap((o, i) => (o.self.role === 'master' ? [tables[i]] : []));
  const agreed = Array.from({ length: SLOT_COUNT }, (_, slot) => {
    const votes = new Map<string, number>();
    for (const t of masters) {
      const owner = t?.[slot];
      if (owner) votes.set(owner, (votes.get(owner) ?? 0) + 1);
    }
    const ranked = [...votes].sort((x, y) => y[1] - x[1]);
    if (ranked.length === 0 || (ranked.length > 1 && ranked[0]?.[1] === ranked[1]?.[1])) return undefined;
    return ranked[0]?.[0];
  });
  const claimants = Array.from({ length: SLOT_COUNT }, (_, slot) => {
    const ids = new Set<string>();
    for (const { observation } of view.observers)
      for (const e of observation.clusterNodes ?? [])
        if (e.slots.some(([a, b]) => slot >= a && slot <= b)) ids.add(e.id);
    return [...ids].sort();
  });
  return { tables, agreed, claimants };
}

describe('ClusterView by ranges', () => {
  it('agrees slot by slot with the per-slot definitions', () => {
    fc.assert(
      fc.property(spec, (cluster) => {
        const view = new ClusterView(buildSnapshot(cluster));
        const ref = reference(view);
        expect(view.agreedOwners()).toEqual(ref.agreed);
        view.observers.forEach(({ observation }, i) => {
          expect(view.ownersIn(observation)).toEqual(ref.tables[i]);
        });
        for (let slot = 0; slot < SLOT_COUNT; slot += 97) {
          expect([...view.claimants(slot)].sort()).toEqual(ref.claimants[slot]);
          expect(view.majorityOwner(slot)).toBe(ref.agreed[slot]);
          view.observers.forEach(({ observation }, i) => {
            expect(view.ownerIn(observation, slot)).toBe(ref.tables[i]?.[slot]);
          });
        }
        const uncovered = ref.claimants.flatMap((ids, slot) => (ids.length === 0 ? [slot] : []));
        expect(
          view.uncoveredRanges().flatMap(([a, b]) => Array.from({ length: b - a + 1 }, (_, k) => a + k)),
        ).toEqual(view.observers.length === 0 ? [...Array(SLOT_COUNT).keys()] : uncovered);
        const bySlots = view.slotsByAgreedOwner();
        for (const [owner, slots] of bySlots)
          expect(slots).toEqual(ref.agreed.flatMap((o, s) => (o === owner ? [s] : [])));
      }),
      { numRuns: 30 },
    );
  });

  it('cuts a healthy three-master view into three segments', () => {
    const view = new ClusterView(
      buildSnapshot({
        nodes: [
          { name: 'a', port: 7000, slots: '0-5460' },
          { name: 'b', port: 7001, slots: '5461-10922' },
          { name: 'c', port: 7002, slots: '10923-16383' },
          { name: 'd', port: 7003, replicaOf: 'a' },
        ],
      }),
    );
    expect(view.segments().map((s) => [s.first, s.last])).toEqual([
      [0, 5460],
      [5461, 10922],
      [10923, 16383],
    ]);
  });
});
