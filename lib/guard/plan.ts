import { clientFor, withClient } from '../model/runbook';
import { ClusterView } from '../model/view';
import type { Snapshot } from '../observe/types';
import type { AnyStep, PlannedAction } from '../remedies/catalog';
import { REMEDIES } from '../remedies/catalog';
import { agreement } from './agreement';
import { allowList } from './allow-list';
import { budget, slotsCharged } from './budget';
import { failedBefore } from './failed-before';
import { knownSafe } from './known-safe';
import { managedService } from './managed-service';
import { mode } from './mode';
import { persistence } from './persistence';
import type { Guard, Plan, PlanEntry, Policy } from './types';

/** The guards, in the order they are asked. The lock (rule 5, second half) is held by the runner. */
export const GUARDS: readonly Guard[] = [
  knownSafe,
  failedBefore,
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
  return actionsOn(new ClusterView(snapshot), policy, now);
}

function actionsOn(
  view: ClusterView,
  policy: Policy,
  now = Date.parse(view.snapshot.takenAt),
): PlannedAction[] {
  // Commands and runbooks are printed for a person: with the cluster's own client (valkey-cli on Valkey).
  const client = clientFor(view.snapshot.nodes.map((n) => n.server));
  return REMEDIES.flatMap((r) => r.plan(view, { ...policy.settings, now })).map((a) =>
    client === 'redis-cli'
      ? a
      : {
          ...a,
          commands: withClient(a.commands, client),
          ...(a.runbook ? { runbook: withClient(a.runbook, client) } : {}),
        },
  );
}

/**
 * Pure: which remedies would run on `second`, which are refused and by which guard, given that
 * `first` was observed at least `settleMs` earlier.
 */
export function planRemediation(first: Snapshot, second: Snapshot, policy: Policy): Plan {
  const [a, b] = [new ClusterView(first), new ClusterView(second)];
  return { mode: policy.mode, settleMs: policy.settleMs, entries: judge(a, b, policy) };
}

/** Asks every guard about every action planned on `second`, charging the budget as it goes. */
function judge(first: ClusterView, second: ClusterView, policy: Policy): PlanEntry[] {
  const earlierByKey = new Map(actionsOn(first, policy).map((a) => [a.key, a]));
  const spent = { actions: 0, slots: 0, keysMoved: 0 };
  const entries: PlanEntry[] = [];
  for (const action of actionsOn(second, policy)) {
    const input = { action, earlier: earlierByKey.get(action.key), first, second, policy, spent };
    const verdicts: NonNullable<PlanEntry['verdicts']> = [];
    let entry: PlanEntry = { action, status: 'allowed', guard: 'mode', reason: 'every guard allows it' };
    for (const guard of GUARDS) {
      const verdict = guard.check(input);
      verdicts.push({ guard: guard.id, status: verdict?.status ?? 'pass' });
      if (verdict) {
        entry = { action, status: verdict.status, guard: guard.id, reason: verdict.reason };
        break;
      }
    }
    entry.verdicts = verdicts;
    if (entry.status === 'allowed' || entry.status === 'dry-run') {
      spent.actions++;
      spent.slots += slotsCharged(action);
      spent.keysMoved += action.keysToMove ?? 0;
    }
    entries.push(entry);
  }
  return entries;
}

/** The step to apply now, or the entry that stops it. */
export type Recheck = { step: AnyStep } | { stop: PlanEntry };

/**
 * Just before writing, on a fresh observation: the same action (same key, sub-case and facts) is
 * still planned, and every guard still allows it (persistence between the fresh observation and
 * itself, so only the facts count). Returns the step as planned on `fresh`: that is what runs.
 */
export function recheck(planned: PlannedAction, fresh: Snapshot, policy: Policy): Recheck {
  const view = new ClusterView(fresh);
  const again = actionsOn(view, policy).find((a) => a.key === planned.key);
  if (!again || again.subCase !== planned.subCase || again.fingerprint !== planned.fingerprint) {
    const reason = `precondition changed just before acting: ${again ? again.fingerprint : 'problem gone'}`;
    return { stop: { action: planned, status: 'refused', guard: 'precondition', reason } };
  }
  const entry = judge(view, view, { ...policy, settleMs: 0 }).find((e) => e.action.key === planned.key);
  if (entry && entry.status !== 'allowed') return { stop: entry };
  if (again.subCase === 'escalate')
    return { stop: { action: again, status: 'escalated', guard: 'known-safe', reason: again.escalate } };
  return { step: again };
}
