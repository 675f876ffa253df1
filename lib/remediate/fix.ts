import { buildReport } from '../checks/run';
import type { Finding, Report } from '../checks/types';
import type { RemediationLock } from '../guard/lock';
import { candidateActions, planRemediation, recheck } from '../guard/plan';
import type { Plan, Policy } from '../guard/types';
import { type ObserveOptions, observeCluster, type Snapshot } from '../observe';
import { bound } from '../remedies/catalog';
import { BusyKeyError, Executor, RemedyUnavailableError } from '../remedies/executor';
import type { MigrateProgress } from '../remedies/migrate-keys';
import type { AnyStep, ApplyOutcome, PlannedAction } from '../remedies/types';
import { slotsInRanges } from '../topology/slots';
import { type ActionResult, type ActionStatus, type FixResult, fromEntry, resultOf } from './result';
import { awaitVerified, KeyLedger, keysLost, slotKeys, total } from './verify';

export type { ActionResult, ActionStatus, FixResult } from './result';

export interface FixOptions {
  observe: ObserveOptions;
  policy: Policy;
  /** Single flight: the lock of this cluster (a lock file for the CLI, DynamoDB in Lambda). */
  lock: (clusterKey: string) => RemediationLock;
  /** How long to wait for gossip to show the intended state after acting. */
  verifyTimeoutMs?: number;
  /** Progress lines (stderr in the CLI). */
  log?: (line: string) => void;
  /** How a long key move stands, after each round of MIGRATE batches (for a progress line). */
  progress?: (progress: MigrateProgress) => void;
  /** Epoch ms: no action starts after it, so the run ends with its report before the Lambda limit. */
  deadlineAt?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A stable name for the cluster whatever seeds were given: its smallest node id. */
export function clusterKey(snapshot: Snapshot): string {
  const ids = snapshot.nodes.flatMap((o) => o.clusterNodes?.map((e) => e.id) ?? []);
  return ids.sort()[0] ?? snapshot.seeds.slice().sort().join(',');
}

/**
 * Observes twice `settleMs` apart, plans under the guards, and in `auto` mode applies each allowed
 * action: recheck on a fresh observation just before writing, act, wait for gossip to show the
 * intended state, and compare key counts of the touched slots. Stops at the first surprise. Every
 * step is derived from what is observed, so a run killed anywhere converges when run again.
 */
export async function fixCluster(seeds: string[], options: FixOptions): Promise<FixResult> {
  const log = options.log ?? (() => {});
  const { policy } = options;
  const first = await observeCluster(seeds, options.observe);
  const lock = options.lock(clusterKey(first));
  if (policy.mode === 'auto' && !(await lock.acquire())) return refusedByLock(first, lock, policy, log);
  try {
    const plan = await settleAndPlan(seeds, first, options, log);
    const ledger = new KeyLedger();
    const actions = await applyAllowed(seeds, plan, ledger, options, log);
    const applied = actions.filter((a) => a.status === 'applied');
    const after = await settledReport(seeds, options, applied.length > 0, ledger.findings());
    const moved = actions.reduce((n, a) => n + (a.keysMoved ?? 0), 0);
    log(`done: ${applied.length} applied, ${moved} key(s) moved; cluster ${after.status}`);
    return { plan, actions, after };
  } finally {
    await lock.release();
  }
}

/** Another run holds the lock: every candidate is refused by it, and the report is the first look. */
async function refusedByLock(
  first: Snapshot,
  lock: RemediationLock,
  policy: Policy,
  log: (line: string) => void,
): Promise<FixResult> {
  const refusal = `another remediation run holds the lock (${(await lock.holder()) ?? 'unknown holder'})`;
  log(refusal);
  return {
    plan: { mode: policy.mode, settleMs: policy.settleMs, entries: [] },
    actions: candidateActions(first, policy).map((a) => resultOf(a, 'refused', refusal, 'lock')),
    after: buildReport(first),
  };
}

/** Waits `settleMs`, observes again, and plans under the guards (persistence compares the two). */
async function settleAndPlan(
  seeds: string[],
  first: Snapshot,
  options: FixOptions,
  log: (line: string) => void,
): Promise<Plan> {
  const { settleMs } = options.policy;
  log(
    `observed ${first.nodes.length} node(s); waiting ${settleMs} ms to see whether anything is in progress`,
  );
  await sleep(settleMs);
  return planRemediation(first, await observeCluster(seeds, options.observe), options.policy);
}

/** Applies the allowed entries in order until one does not end `applied`; the rest are reported. */
async function applyAllowed(
  seeds: string[],
  plan: Plan,
  ledger: KeyLedger,
  options: FixOptions,
  log: (line: string) => void,
): Promise<ActionResult[]> {
  const results: ActionResult[] = [];
  let stopped = false;
  for (const entry of plan.entries) {
    if (entry.status !== 'allowed') results.push(fromEntry(entry));
    else if (stopped)
      results.push(resultOf(entry.action, 'skipped', 'an earlier action stopped the run', 'runner'));
    else if (options.deadlineAt !== undefined && Date.now() >= options.deadlineAt) {
      results.push(
        resultOf(entry.action, 'skipped', 'out of time: the run stopped before the Lambda limit', 'deadline'),
      );
      stopped = true;
    } else {
      const result = await applyOne(seeds, entry.action, options, log);
      ledger.record(result);
      results.push(result);
      stopped = result.status !== 'applied';
    }
  }
  return results;
}

/** One action: recheck, act, verify, count keys. */
async function applyOne(
  seeds: string[],
  planned: PlannedAction,
  options: FixOptions,
  log: (line: string) => void,
): Promise<ActionResult> {
  const started = Date.now();
  const slots = [...slotsInRanges(planned.slots)];
  // Only the touched slots need counting here (they are always counted); the deep scan of every
  // owned slot is for the reports before and after the run.
  const observe = { ...options.observe, extraSlots: slots, deepKeyScan: false };
  const fresh = await observeCluster(seeds, observe);
  const checked = recheck(planned, fresh, options.policy);
  if ('stop' in checked) return fromEntry(checked.stop);
  const { step } = checked;
  const keysBefore = slotKeys(fresh, slots);
  log(`applying ${step.key} (${step.subCase}): ${step.summary}`);
  const acted = await act(step, options);
  if ('error' in acted) {
    const observed = await observeCluster(seeds, observe);
    return {
      ...failure(step, acted.error),
      commands: acted.commands,
      keysBefore,
      keysAfter: slotKeys(observed, slots),
      durationMs: Date.now() - started,
    };
  }
  const verified = await awaitVerified(seeds, bound(step), observe, options.verifyTimeoutMs ?? 15_000);
  const keysAfter = slotKeys(verified.snapshot, slots);
  const ledger = { keysBefore, keysAfter };
  const reason = keysLost(ledger)
    ? `keys lost: ${total(keysBefore)} before, ${total(keysAfter)} after`
    : verified.problem;
  return {
    ...resultOf(step, reason ? 'failed' : 'applied', reason ?? 'verified', 'verify'),
    commands: acted.executed,
    ...ledger,
    keysMoved: acted.keysMoved,
    durationMs: Date.now() - started,
  };
}

/** Sends the step's commands; an error comes back with the commands sent so far. */
async function act(
  step: AnyStep,
  options: FixOptions,
): Promise<ApplyOutcome | { error: unknown; commands: string[] }> {
  const exec = new Executor({ ...options.observe, nodeTimeoutMs: options.observe.nodeTimeoutMs ?? 5000 });
  exec.onProgress = options.progress;
  try {
    return await bound(step).apply(exec);
  } catch (error) {
    return { error, commands: exec.log };
  } finally {
    exec.close();
  }
}

/** What a failed write means for the result: unavailable (the node refuses the command) or failed. */
function failure(step: AnyStep, error: unknown): ActionResult {
  const status: ActionStatus = error instanceof RemedyUnavailableError ? 'unavailable' : 'failed';
  const message = error instanceof Error ? error.message : String(error);
  const reason =
    error instanceof BusyKeyError ? `stopped: ${message} (nothing overwritten or deleted)` : message;
  return resultOf(step, status, reason, 'apply');
}

/**
 * The report after the run, with the ledger's findings. When something was applied, the masters
 * already agreed (verify), but replicas may learn the new owners a moment later: re-observe, within
 * the verify bound, until no finding of that kind is left, so the report describes the cluster and
 * not the gossip in flight.
 */
async function settledReport(
  seeds: string[],
  options: FixOptions,
  applied: boolean,
  runFindings: Finding[],
): Promise<Report> {
  const deadline = Date.now() + (options.verifyTimeoutMs ?? 15_000);
  for (;;) {
    const report = buildReport(await observeCluster(seeds, options.observe), { runFindings });
    const ids = new Set(report.findings.map((f) => f.id));
    // Nodes that still disagree, or say "fail" while every slot has a live owner: gossip in flight.
    const lagging =
      ids.has('config-disagreement') ||
      (ids.has('cluster-state-fail') && !ids.has('slots-uncovered') && !ids.has('slots-owner-failed'));
    if (!applied || !lagging || Date.now() >= deadline) return report;
    await sleep(250);
  }
}
