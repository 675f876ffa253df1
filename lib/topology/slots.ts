import { SLOT_COUNT, type SlotRange } from './types';

/** True for an integer slot number in `0..16383`. */
export function isSlot(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value < SLOT_COUNT;
}

/**
 * Sorts inclusive ranges and merges the ones that overlap or touch (`[0,5]` + `[6,9]` -> `[0,9]`).
 * Malformed ranges (non-integer bounds, `first > last`) are dropped rather than guessed at.
 * Returns new arrays; the input is not modified.
 *
 * @example mergeRanges([[6, 9], [0, 5], [20, 20]]) // [[0, 9], [20, 20]]
 */
export function mergeRanges(ranges: readonly (readonly [number, number])[]): SlotRange[] {
  const valid = ranges.filter(([a, b]) => Number.isInteger(a) && Number.isInteger(b) && a <= b);
  valid.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const merged: SlotRange[] = [];
  for (const [first, last] of valid) {
    const tail = merged[merged.length - 1];
    if (tail && first <= tail[1] + 1) {
      if (last > tail[1]) tail[1] = last;
    } else {
      merged.push([first, last]);
    }
  }
  return merged;
}

/**
 * Builds merged ranges from individual slot numbers, in any order and with duplicates.
 * Values that are not slots (outside `0..16383`, non-integers) are ignored.
 *
 * @example rangesFromSlots([3, 1, 2, 9]) // [[1, 3], [9, 9]]
 */
export function rangesFromSlots(slots: Iterable<number>): SlotRange[] {
  // A bitmap over the fixed slot space is linear and needs no sort.
  const seen = new Uint8Array(SLOT_COUNT);
  for (const slot of slots) if (isSlot(slot)) seen[slot] = 1;
  const ranges: SlotRange[] = [];
  let start = -1;
  for (let slot = 0; slot <= SLOT_COUNT; slot++) {
    const on = slot < SLOT_COUNT && seen[slot] === 1;
    if (on && start < 0) start = slot;
    if (!on && start >= 0) {
      ranges.push([start, slot - 1]);
      start = -1;
    }
  }
  return ranges;
}

/** Every slot covered by `ranges`, ascending, each once (overlaps are merged first). */
export function* slotsInRanges(ranges: readonly (readonly [number, number])[]): Generator<number> {
  for (const [first, last] of mergeRanges(ranges)) {
    for (let slot = first; slot <= last; slot++) yield slot;
  }
}

/** Number of distinct slots covered by `ranges` (overlaps counted once). */
export function countSlots(ranges: readonly (readonly [number, number])[]): number {
  let count = 0;
  for (const [first, last] of mergeRanges(ranges)) count += last - first + 1;
  return count;
}

/**
 * Compact text for people and runbooks, after merging: `0-5460,5462,5470-5480`; `''` when empty.
 *
 * @example formatRanges([[0, 5460], [5462, 5462]]) // '0-5460,5462'
 */
export function formatRanges(ranges: readonly (readonly [number, number])[]): string {
  return mergeRanges(ranges)
    .map(([first, last]) => (first === last ? `${first}` : `${first}-${last}`))
    .join(',');
}

/**
 * The slots of `a` that are not in `b`, merged.
 *
 * @example subtractRanges([[0, 100]], [[10, 20]]) // [[0, 9], [21, 100]]
 */
export function subtractRanges(
  a: readonly (readonly [number, number])[],
  b: readonly (readonly [number, number])[],
): SlotRange[] {
  const cut = mergeRanges(b);
  const result: SlotRange[] = [];
  let j = 0;
  for (const [first, last] of mergeRanges(a)) {
    let from = first;
    // Ranges of `cut` that end before this range can never matter again: both lists are sorted.
    while (j < cut.length && (cut[j]?.[1] ?? Number.POSITIVE_INFINITY) < from) j++;
    for (let k = j; k < cut.length && from <= last; k++) {
      const range = cut[k];
      if (!range || range[0] > last) break;
      if (range[0] > from) result.push([from, range[0] - 1]);
      from = range[1] + 1;
    }
    if (from <= last) result.push([from, last]);
  }
  return result;
}

/** The slots present in both `a` and `b`, merged: for example slots claimed by two masters. */
export function intersectRanges(
  a: readonly (readonly [number, number])[],
  b: readonly (readonly [number, number])[],
): SlotRange[] {
  const left = mergeRanges(a);
  const right = mergeRanges(b);
  const result: SlotRange[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    const l = left[i] as SlotRange;
    const r = right[j] as SlotRange;
    const first = Math.max(l[0], r[0]);
    const last = Math.min(l[1], r[1]);
    if (first <= last) result.push([first, last]);
    if (l[1] < r[1]) i++;
    else j++;
  }
  return result;
}

/** True when `slot` lies in one of `ranges` (which need not be merged or sorted). */
export function rangesContain(ranges: readonly (readonly [number, number])[], slot: number): boolean {
  return ranges.some(([first, last]) => slot >= first && slot <= last);
}
