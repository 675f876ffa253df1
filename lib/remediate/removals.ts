import type { ObserveOptions, Snapshot } from '../observe';
import { Executor } from '../remedies/executor';
import { infoNumber, parseInfo } from '../topology/info';

/** Each reading of the counters waits this long at most per node (REMEDIATION_BUDGET counts two). */
export const REMOVALS_TIMEOUT_MS = 2_000;

/**
 * The masters that may drop keys of `slots` while an action runs: those holding any in `snapshot`
 * (the observation just before acting), and the action's own nodes, where moved keys arrive.
 */
export function keyHolders(snapshot: Snapshot, slots: number[], actionNodes: string[]): string[] {
  const holders = new Set(actionNodes);
  // Only masters' keys are counted (replicas mirror them).
  for (const node of snapshot.nodes) {
    if (slots.some((slot) => (node.slotKeyCounts?.[String(slot)] ?? 0) > 0)) holders.add(node.address);
  }
  return [...holders].sort();
}

/**
 * What each node's server removed on its own so far: `expired_keys + evicted_keys` of `INFO stats`
 * (a key's TTL ran out, or the maxmemory policy evicted it). A node that does not answer in time is
 * left out, and then counts nothing.
 */
export async function serverRemovals(
  addresses: string[],
  observe: ObserveOptions,
): Promise<Map<string, number>> {
  const exec = new Executor({
    ...observe,
    nodeTimeoutMs: Math.min(observe.nodeTimeoutMs ?? REMOVALS_TIMEOUT_MS, REMOVALS_TIMEOUT_MS),
  });
  try {
    const readings = await Promise.allSettled(
      addresses.map(async (address) => {
        const stats = parseInfo(String(await exec.run(address, 'INFO', 'stats')));
        const expired = infoNumber(stats, 'stats', 'expired_keys');
        const evicted = infoNumber(stats, 'stats', 'evicted_keys');
        if (expired === undefined || evicted === undefined)
          throw new Error(`${address}: no removal counters`);
        return [address, expired + evicted] as const;
      }),
    );
    return new Map(readings.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])));
  } finally {
    exec.close();
  }
}

/**
 * Keys the servers removed between two readings, over the nodes read both times. The counters are
 * node-wide, so this bounds from above what left the touched slots by TTL or eviction; a counter
 * that went back (the node restarted in between) counts nothing.
 */
export function removedBetween(before: Map<string, number>, after: Map<string, number>): number {
  let removed = 0;
  for (const [address, was] of before) {
    const now = after.get(address);
    if (now !== undefined && now >= was) removed += now - was;
  }
  return removed;
}
