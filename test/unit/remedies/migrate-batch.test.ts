import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BATCH_LIMITS, firstBatch, keysForBytes, nextBatch } from '../../../lib/remedies/migrate-batch';

const limits = { ...BATCH_LIMITS, maxKeys: 1000 };

describe('MIGRATE batch sizes', () => {
  it('bounds a batch by the bytes of the largest sampled key', () => {
    expect(keysForBytes([60, 70, 64], limits)).toBe(1000);
    expect(keysForBytes([100, 64 * 1024], limits)).toBe(16);
    expect(keysForBytes([5 * 1024 * 1024], limits)).toBe(1);
    expect(keysForBytes([], limits)).toBeUndefined();
  });

  it('starts small when sizes are unknown, at the first size when they are known', () => {
    expect(firstBatch(undefined, limits)).toBe(BATCH_LIMITS.blindKeys);
    expect(firstBatch(1000, limits)).toBe(BATCH_LIMITS.firstKeys);
    expect(firstBatch(16, limits)).toBe(16);
    expect(firstBatch(1000, { ...limits, maxKeys: 50 })).toBe(50);
  });

  it('grows at most twofold and only as far as the source keeps within the target time', () => {
    // 100 keys in 1 ms: 500 would fit in 5 ms, but one batch only doubles.
    expect(nextBatch(100, 1, 1000, limits)).toBe(200);
    // 400 keys in 8 ms: 250 fit in 5 ms.
    expect(nextBatch(400, 8, 1000, limits)).toBe(250);
    // One key took 40 ms (a big value): one key at a time.
    expect(nextBatch(1, 40, 1000, limits)).toBe(1);
    expect(nextBatch(800, 0.5, 1000, limits)).toBe(1000);
    expect(nextBatch(800, 0.5, 16, limits)).toBe(16);
  });

  it('always gives between 1 and the key and byte bounds', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.double({ min: 0, max: 10_000, noNaN: true }),
        fc.option(fc.integer({ min: 1, max: 1000 }), { nil: undefined }),
        fc.integer({ min: 1, max: 5000 }),
        (keys, busyMs, byBytes, maxKeys) => {
          const n = nextBatch(keys, busyMs, byBytes, { ...limits, maxKeys });
          expect(Number.isInteger(n)).toBe(true);
          expect(n).toBeGreaterThanOrEqual(1);
          expect(n).toBeLessThanOrEqual(Math.max(1, Math.min(maxKeys, byBytes ?? maxKeys, 2 * keys)));
        },
      ),
    );
  });
});
