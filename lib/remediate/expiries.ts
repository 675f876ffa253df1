import type { ObserveOptions, Snapshot } from '../observe';
import { Executor } from '../remedies/executor';
import { infoNumber, parseInfo } from '../topology/info';

/** Each reading of the counters waits this long at most per node (REMEDIATION_BUDGET counts two). */
export const EXPIRIES_TIMEOUT_MS = 2_000;

/**
 * The masters whose keys of `slots` may expire while an action runs: those holding any in `snapshot`
 * (the observation just before acting; only masters' keys are counted), and the action's own nodes,
 * where moved keys arrive.
 */
export function keyHolders(snapshot: Snapshot, slots: number[], actionNodes: string[]): string[] {
  const holders = new Set(actionNodes);
  for (const node of snapshot.nodes) {
    if (slots.some((slot) => (node.slotKeyCounts?.[String(slot)] ?? 0) > 0)) holders.add(node.address);
  }
  return [...holders].sort();
}

/**
 * Each node's `expired_keys` (`INFO stats`): keys whose TTL ran out so far. Evictions are not read:
 * a target that evicts while a move fills it loses keys because of the move. A node that does not
 * answer in time is left out, and then counts nothing.
 */
export async function serverExpiries(
  addresses: string[],
  observe: ObserveOptions,
): Promise<Map<string, number>> {
  const exec = new Executor({
    ...observe,
    nodeTimeoutMs: Math.min(observe.nodeTimeoutMs ?? EXPIRIES_TIMEOUT_MS, EXPIRIES_TIMEOUT_MS),
  });
  try {
    const readings = await Promise.allSettled(
      addresses.map(async (address) => {
        const stats = parseInfo(String(await exec.run(address, 'INFO', 'stats')));
        const expired = infoNumber(stats, 'stats', 'expired_keys');
        if (expired === undefined) throw new Error(`${address}: no expired_keys`);
        return [address, expired] as const;
      }),
    );
    return new Map(readings.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])));
  } finally {
    exec.close();
  }
}

/**
 * Keys that expired between two readings, over the nodes read both times. The counters are
 * node-wide, so this bounds from above what left the touched slots by TTL; a counter that went back
 * (the node restarted in between) counts nothing.
 */
export function expiredBetween(before: Map<string, number>, after: Map<string, number>): number {
  let expired = 0;
  for (const [address, was] of before) {
    const now = after.get(address);
    if (now !== undefined && now >= was) expired += now - was;
  }
  return expired;
}
