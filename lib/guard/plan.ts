import { viewOf } from '../checks/view';
import type { Snapshot } from '../observe/types';
import { REMEDIES } from '../remedies/catalog';
import type { PlannedAction } from '../remedies/types';
import { agreement } from './agreement';
import { allowList } from './allow-list';
import { budget, slotsCharged } from './budget';
import { knownSafe } from './known-safe';
import { managedService } from './managed-service';
import { mode } from './mode';
import { persistence } from './persistence';
import type { Guard, Plan, PlanEntry, Policy } from './types';

/** The guards, in the order they are asked. The lock (rule 5, second half) is held by the runner. */
export const GUARDS: readonly Guard[] = [
  knownSafe,
  managedService,
  allowList,
  persistence,
  agreement,
  budget,
  mode,
];

/** Every remedy's candidate actions for one snapshot. */
export function candidateActions(
  snapshot: Snapshot,
  policy: Policy,
  now = Date.parse(snapshot.takenAt),
): PlannedAction[] {
  const view = viewOf(snapshot);
  return REMEDIES.flatMap((r) => r.plan(view, { ...policy.settings, now }));
}

/**
 * Pure: which remedies would run on `second`, which are refused and by which guard, given that
 * `first` was observed at least `settleMs` earlier.
 */
export function planRemediation(first: Snapshot, second: Snapshot, policy: Policy): Plan {
  const earlierByKey = new Map(candidateActions(first, policy).map((a) => [a.key, a]));
  const spent = { actions: 0, slots: 0, keysMoved: 0 };
  const entries: PlanEntry[] = [];
  for (const action of candidateActions(second, policy)) {
    const input = {
      action,
      earlier: earlierByKey.get(action.key),
      first: viewOf(first),
      second: viewOf(second),
      policy,
      spent,
    };
    let entry: PlanEntry = { action, status: 'allowed', guard: 'mode', reason: 'every guard allows it' };
    for (const guard of GUARDS) {
      const verdict = guard.check(input);
      if (verdict) {
        entry = { action, status: verdict.status, guard: guard.id, reason: verdict.reason };
        break;
      }
    }
    if (entry.status === 'allowed' || entry.status === 'dry-run') {
      spent.actions++;
      spent.slots += slotsCharged(action);
      spent.keysMoved += action.keysToMove ?? 0;
    }
    entries.push(entry);
  }
  return { mode: policy.mode, settleMs: policy.settleMs, entries };
}
