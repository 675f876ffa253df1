import type { Finding } from '../checks/types';
import { ClusterView } from '../model/view';
import { type ObserveOptions, observeCluster, type Snapshot } from '../observe';
import type { BoundStep } from '../remedies/catalog';
import type { ActionResult } from './result';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Re-observes until the step's own verify finds the intended state, allowing gossip `timeoutMs` to
 * spread it. Returns the last observation and what is still wrong (undefined: verified).
 */
export async function awaitVerified(
  seeds: string[],
  step: BoundStep,
  observe: ObserveOptions,
  timeoutMs: number,
): Promise<{ snapshot: Snapshot; problem?: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const snapshot = await observeCluster(seeds, observe);
    const problem = step.verify(new ClusterView(snapshot));
    if (!problem) return { snapshot };
    await sleep(200);
    if (Date.now() >= deadline) return { snapshot, problem };
  }
}

/** slot -> keys summed over reachable masters (replicas mirror them). */
export function slotKeys(snapshot: Snapshot, slots: number[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const slot of slots) {
    let n = 0;
    for (const o of snapshot.nodes) n += o.slotKeyCounts?.[String(slot)] ?? 0;
    out[String(slot)] = n;
  }
  return out;
}

export const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

/**
 * Keys the touched slots lost during the action that expiry (TTLs that ran out on the touched
 * masters while it ran) does not explain: before minus after minus those, never negative. Evictions
 * are losses: a target that evicts while a move fills it loses keys because of the move.
 * A client's DEL during the action is not told apart: it counts as lost.
 */
export function unexplainedKeyLoss(
  r: Pick<ActionResult, 'keysBefore' | 'keysAfter' | 'keysExpired'>,
): number {
  if (r.keysBefore === undefined || r.keysAfter === undefined) return 0;
  return Math.max(0, total(r.keysBefore) - total(r.keysAfter) - (r.keysExpired ?? 0));
}

/** True when the touched slots hold fewer keys after the action than before it, unexplained. */
export const keysLost = (r: Pick<ActionResult, 'keysBefore' | 'keysAfter' | 'keysExpired'>): boolean =>
  unexplainedKeyLoss(r) > 0;

/**
 * The run's key ledger: every action's key counts of its touched slots, before and after. A count
 * that fell is a `keys-lost` finding, which the report after the run includes like any other.
 */
export class KeyLedger {
  private readonly losses: ActionResult[] = [];

  record(result: ActionResult): void {
    if (keysLost(result)) this.losses.push(result);
  }

  findings(): Finding[] {
    return this.losses.map((result) => ({
      id: 'keys-lost',
      severity: 'critical',
      summary: `${result.remedy} on ${result.key}: key count of the touched slots fell from ${total(result.keysBefore ?? {})} to ${total(result.keysAfter ?? {})}${result.keysExpired ? `, of which at most ${result.keysExpired} expired` : ''}`,
      slots: result.slots,
      nodes: result.nodes,
      evidence: {
        keysBefore: result.keysBefore,
        keysAfter: result.keysAfter,
        ...(result.keysExpired ? { keysExpired: result.keysExpired } : {}),
        commands: result.commands,
      },
      runbook: [
        'Stop all remediation. Compare per-node counts with CLUSTER COUNTKEYSINSLOT and restore from backup if needed.',
      ],
    }));
  }
}
