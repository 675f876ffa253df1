/**
 * How many keys one MIGRATE carries. MIGRATE blocks the source for its whole run (it serialises
 * each key, waits for the target's reply to each RESTORE and deletes what moved), and nothing else
 * runs there meanwhile: a batch is bounded so other clients never wait long, by keys, by the bytes
 * of a sample of the slot's keys, and by the time the source actually took per key.
 */
export interface BatchLimits {
  /** Most keys in one MIGRATE (the plan's `migrateBatch`). */
  maxKeys: number;
  /** Most bytes in one MIGRATE, from the largest key of a `MEMORY USAGE` sample. */
  maxBytes: number;
  /**
   * The time one MIGRATE may keep the source busy, ms: half of Redis' default
   * `slowlog-log-slower-than` (10 ms), so a batch stays out of a healthy node's slow log.
   */
  targetMs: number;
  /** The first batch when key sizes are unknown (MEMORY refused): redis-cli's default pipeline. */
  blindKeys: number;
  /** The first batch when sizes are known (at most `maxKeys`): timing decides from there. */
  firstKeys: number;
}

export const BATCH_LIMITS: Omit<BatchLimits, 'maxKeys'> = {
  maxBytes: 1024 * 1024,
  targetMs: 5,
  blindKeys: 10,
  firstKeys: 100,
};

/** Keys a byte bound allows for keys as large as the largest sampled one (undefined: no sample). */
export function keysForBytes(sampleBytes: number[], limits: Pick<BatchLimits, 'maxBytes' | 'maxKeys'>) {
  const largest = Math.max(0, ...sampleBytes.filter((n) => Number.isFinite(n) && n > 0));
  if (sampleBytes.length === 0 || largest === 0) return undefined;
  return clamp(Math.floor(limits.maxBytes / largest), limits.maxKeys);
}

/** The first batch: small while nothing is known of the keys' sizes. */
export function firstBatch(byBytes: number | undefined, limits: BatchLimits): number {
  if (byBytes === undefined) return clamp(limits.blindKeys, limits.maxKeys);
  return clamp(Math.min(limits.firstKeys, byBytes), limits.maxKeys);
}

/**
 * The next batch after one of `keys` keys kept the source busy `busyMs`: as many keys as fit in
 * `targetMs` at that pace, at most twice the last batch (one fast measurement is not a trend), within
 * the key and byte bounds, and at least one key.
 */
export function nextBatch(
  keys: number,
  busyMs: number,
  byBytes: number | undefined,
  limits: BatchLimits,
): number {
  const byTime = busyMs > 0 ? Math.floor((limits.targetMs * keys) / busyMs) : limits.maxKeys;
  return clamp(Math.min(byTime, 2 * keys, byBytes ?? limits.maxKeys), limits.maxKeys);
}

function clamp(n: number, max: number): number {
  return Math.max(1, Math.min(max, n));
}
