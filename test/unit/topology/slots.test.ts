import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  countSlots,
  formatRanges,
  intersectRanges,
  isSlot,
  mergeRanges,
  rangesContain,
  rangesFromSlots,
  type SlotRange,
  slotsInRanges,
  subtractRanges,
} from '../../../lib/topology';

const slot = fc.integer({ min: 0, max: 16383 });
/** Ranges biased towards a narrow band so that overlaps and adjacency are common. */
const range = fc
  .tuple(fc.oneof(slot, fc.integer({ min: 0, max: 64 })), fc.integer({ min: 0, max: 40 }))
  .map(([first, length]): SlotRange => [first, Math.min(first + length, 16383)]);
const ranges = fc.array(range, { maxLength: 30 });

/** The obvious, slow model every utility is compared with. */
function toSet(rs: readonly SlotRange[]): Set<number> {
  const set = new Set<number>();
  for (const [first, last] of rs) for (let s = first; s <= last; s++) set.add(s);
  return set;
}

function naiveFormat(set: Set<number>): string {
  const sorted = [...set].sort((a, b) => a - b);
  const parts: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    const first = sorted[i] as number;
    let last = first;
    while (sorted[i + 1] === last + 1) last = sorted[++i] as number;
    parts.push(first === last ? `${first}` : `${first}-${last}`);
    i++;
  }
  return parts.join(',');
}

function isMerged(rs: readonly SlotRange[]): boolean {
  return rs.every(([a, b], i) => a <= b && (i === 0 || a > (rs[i - 1] as SlotRange)[1] + 1));
}

describe('slot range utilities', () => {
  it('merges overlapping and adjacent ranges and sorts them', () => {
    expect(
      mergeRanges([
        [10, 20],
        [0, 5],
        [6, 9],
        [15, 30],
        [40, 40],
      ]),
    ).toEqual([
      [0, 30],
      [40, 40],
    ]);
    expect(mergeRanges([])).toEqual([]);
  });

  it('drops malformed ranges instead of guessing', () => {
    expect(
      mergeRanges([
        [5, 1],
        [1.5, 3],
        [7, 8],
      ]),
    ).toEqual([[7, 8]]);
  });

  it('does not modify its input', () => {
    const input: SlotRange[] = [
      [6, 9],
      [0, 5],
    ];
    mergeRanges(input)[0]?.splice(0, 2, 100, 200);
    expect(input).toEqual([
      [6, 9],
      [0, 5],
    ]);
  });

  it('formats the way a runbook would quote slots', () => {
    expect(
      formatRanges([
        [0, 5460],
        [5462, 5462],
        [5470, 5480],
      ]),
    ).toBe('0-5460,5462,5470-5480');
    expect(formatRanges([])).toBe('');
  });

  it('builds ranges from slots and ignores values that are not slots', () => {
    expect(rangesFromSlots([3, 1, 2, 2, 9, 16383, 16384, -1, 4.5])).toEqual([
      [1, 3],
      [9, 9],
      [16383, 16383],
    ]);
    expect(rangesFromSlots(new Set([0]))).toEqual([[0, 0]]);
  });

  it('counts, enumerates, subtracts, intersects and looks up', () => {
    const full: SlotRange[] = [[0, 16383]];
    expect(countSlots(full)).toBe(16384);
    expect(
      countSlots([
        [0, 10],
        [5, 15],
      ]),
    ).toBe(16);
    expect([...slotsInRanges([[3, 5]])]).toEqual([3, 4, 5]);
    expect(subtractRanges([[0, 100]], [[10, 20]])).toEqual([
      [0, 9],
      [21, 100],
    ]);
    expect(subtractRanges(full, full)).toEqual([]);
    expect(
      intersectRanges(
        [[0, 100]],
        [
          [50, 60],
          [90, 200],
        ],
      ),
    ).toEqual([
      [50, 60],
      [90, 100],
    ]);
    expect(rangesContain([[0, 10]], 10)).toBe(true);
    expect(rangesContain([[0, 10]], 11)).toBe(false);
    expect(isSlot(16383)).toBe(true);
    expect(isSlot(16384)).toBe(false);
  });

  // Speed is the bench's business (tests never fail on timing): this checks the whole slot space, in
  // reverse and in 8192 single-slot pieces, gives the right answer.
  it('handles the whole slot space, reversed and in single-slot pieces', () => {
    const every = Array.from({ length: 16384 }, (_, s) => s).reverse();
    expect(rangesFromSlots(every)).toEqual([[0, 16383]]);
    const alternate = every.filter((s) => s % 2 === 0).map((s): SlotRange => [s, s]);
    expect(countSlots(subtractRanges([[0, 16383]], alternate))).toBe(8192);
  });
});

describe('slot range utilities (properties)', () => {
  it('mergeRanges is idempotent and yields sorted, disjoint, non-adjacent ranges', () => {
    fc.assert(
      fc.property(ranges, (rs) => {
        const merged = mergeRanges(rs);
        expect(mergeRanges(merged)).toEqual(merged);
        expect(isMerged(merged)).toBe(true);
        expect(toSet(merged)).toEqual(toSet(rs));
      }),
    );
  });

  it('countSlots of the merge is the size of the set', () => {
    fc.assert(fc.property(ranges, (rs) => countSlots(mergeRanges(rs)) === toSet(rs).size));
  });

  it('rangesFromSlots and formatRanges agree with a Set', () => {
    fc.assert(
      fc.property(fc.array(slot, { maxLength: 200 }), (slots) => {
        const set = new Set(slots);
        const built = rangesFromSlots(slots);
        expect(isMerged(built)).toBe(true);
        expect(toSet(built)).toEqual(set);
        expect(formatRanges(built)).toBe(naiveFormat(set));
        expect([...slotsInRanges(built)]).toEqual([...set].sort((a, b) => a - b));
      }),
    );
  });

  it('subtractRanges, intersectRanges and rangesContain agree with a Set', () => {
    fc.assert(
      fc.property(ranges, ranges, slot, (a, b, probe) => {
        const setA = toSet(a);
        const setB = toSet(b);
        const difference = subtractRanges(a, b);
        const intersection = intersectRanges(a, b);
        expect(isMerged(difference)).toBe(true);
        expect(isMerged(intersection)).toBe(true);
        expect(toSet(difference)).toEqual(new Set([...setA].filter((s) => !setB.has(s))));
        expect(toSet(intersection)).toEqual(new Set([...setA].filter((s) => setB.has(s))));
        expect(rangesContain(a, probe)).toBe(setA.has(probe));
      }),
    );
  });
});
