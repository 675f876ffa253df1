import { buildReport } from '../checks/run';
import type { Finding, Report } from '../checks/types';
import type { RemediationLock } from '../guard/lock';
import { candidateActions, planRemediation, recheck } from '../guard/plan';
import type { Plan, Policy } from '../guard/types';
import { credentialsRefused, type ObserveOptions, observeCluster, type Snapshot } from '../observe';
import type { AnyStep, PlannedAction } from '../remedies/catalog';
import { bound } from '../remedies/catalog';
import type { MigrateProgress } from '../remedies/executor';
import { BusyKeyError, DeadlineError, Executor, RemedyUnavailableError } from '../remedies/executor';
import type { ApplyOutcome } from '../remedies/types';
import { slotsInRanges } from '../topology/slots';
import { expiredBetween, keyHolders, serverExpiries } from './expiries';
import { type ActionResult, type ActionStatus, type FixResult, fromEntry, resultOf } from './result';
import { Timeline } from './timeline';
import { awaitVerified, KeyLedger, keysLost, slotKeys, total } from './verify';

export type { ActionResult, ActionStatus, FixResult } from './result';
export type { TimedStep } from './timeline';

export interface FixOptions {
  observe: ObserveOptions;
  /**
   * Observe options with credentials read again from their source: called once when every node
   * that answered the first observation refused the credentials (the secret was rotated).
   */
  refreshCredentials?: () => Promise<ObserveOptions>;
  policy: Policy;
  /** Single flight: the lock of this cluster (a lock file for the CLI, DynamoDB in Lambda). */
  lock: (clusterKey: string) => RemediationLock;
  /** How long to wait for gossip to show the intended state after acting. */
  verifyTimeoutMs?: number;
  /** Progress lines (stderr in the CLI). */
  log?: (line: string) => void;
  /** How a long key move stands, after each round of MIGRATE batches (for a progress line). */
  progress?: (progress: MigrateProgress) => void;
  /**
   * Epoch ms: no action starts after it, and a key move stops between rounds past it, so the run ends
   * with its report, its history and its lock released before the Lambda limit.
   */
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
export async function fixCluster(seeds: string[], given: FixOptions): Promise<FixResult> {
  const log = given.log ?? (() => {});
  const { policy } = given;
  const timeline = new Timeline();
  let options = given;
  let first = await observeCluster(seeds, options.observe);
  if (options.refreshCredentials && credentialsRefused(first)) {
    log('every node refused the credentials: reading them again');
    options = { ...options, observe: await options.refreshCredentials() };
    first = await observeCluster(seeds, options.observe);
  }
  timeline.mark('observe');
  const lock = options.lock(clusterKey(first));
  if (policy.mode === 'auto' && !(await lock.acquire()))
    return { ...(await refusedByLock(first, lock, policy, log)), timeline: timeline.steps };
  timeline.mark('lock');
  try {
    const { plan, second } = await settleAndPlan(seeds, first, options, log, timeline);
    const ledger = new KeyLedger();
    const run = await applyAllowed(seeds, plan, ledger, options, log, timeline);
    const { actions } = run;
    const applied = actions.filter((a) => a.status === 'applied');
    // Nothing written since the plan's observation when no action ran: it describes the cluster after.
    const latest = run.wrote ? run.latest : second;
    const after = await settledReport(seeds, options, applied.length > 0, ledger.findings(), latest);
    timeline.mark('report');
    const moved = actions.reduce((n, a) => n + (a.keysMoved ?? 0), 0);
    log(`done: ${applied.length} applied, ${moved} key(s) moved; cluster ${after.status}`);
    return { plan, actions, after, timeline: timeline.steps };
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
  timeline: Timeline,
): Promise<{ plan: Plan; second: Snapshot }> {
  const { settleMs } = options.policy;
  log(
    `observed ${first.nodes.length} node(s); waiting ${settleMs} ms to see whether anything is in progress`,
  );
  await sleep(settleMs);
  timeline.mark('settle wait');
  const second = await observeCluster(seeds, options.observe);
  timeline.mark('observe again');
  const plan = planRemediation(first, second, options.policy);
  timeline.mark('plan');
  return { plan, second };
}

/** What the actions did, and the latest full observation taken after the last write (if any). */
interface AppliedRun {
  actions: ActionResult[];
  /** Some action wrote (or may have: it failed while writing). */
  wrote: boolean;
  latest?: Snapshot;
}

/** Applies the allowed entries in order until one does not end `applied`; the rest are reported. */
async function applyAllowed(
  seeds: string[],
  plan: Plan,
  ledger: KeyLedger,
  options: FixOptions,
  log: (line: string) => void,
  timeline: Timeline,
): Promise<AppliedRun> {
  const run: AppliedRun = { actions: [], wrote: false };
  let stopped = false;
  for (const entry of plan.entries) {
    if (entry.status !== 'allowed') run.actions.push(fromEntry(entry));
    else if (stopped)
      run.actions.push(resultOf(entry.action, 'skipped', 'an earlier action stopped the run', 'runner'));
    else if (options.deadlineAt !== undefined && Date.now() >= options.deadlineAt) {
      run.actions.push(
        resultOf(entry.action, 'skipped', 'out of time: the run stopped before the Lambda limit', 'deadline'),
      );
      stopped = true;
    } else {
      const outcome = await applyOne(seeds, entry.action, options, log, timeline);
      ledger.record(outcome.result);
      run.actions.push(outcome.result);
      if (outcome.wrote) run.wrote = true;
      // A recheck that stopped the action wrote nothing: the last observation after a write stands.
      if (outcome.wrote) run.latest = outcome.after;
      stopped = outcome.result.status !== 'applied';
    }
  }
  return run;
}

/** One action's result, whether it wrote, and its last full observation after writing. */
interface Applied {
  result: ActionResult;
  wrote: boolean;
  after?: Snapshot;
}

/** One action: recheck, act, verify, count keys. */
async function applyOne(
  seeds: string[],
  planned: PlannedAction,
  options: FixOptions,
  log: (line: string) => void,
  timeline: Timeline,
): Promise<Applied> {
  const started = Date.now();
  const slots = [...slotsInRanges(planned.slots)];
  // The recheck needs the touched slots counted (they always are), not the deep scan of every owned
  // slot. Observations after writing take it (the server walks the slots in one script, a few ms):
  // the last one also serves as the report's observation of the cluster after the run.
  const recheckObserve = { ...options.observe, extraSlots: slots, deepKeyScan: false };
  const observe = { ...options.observe, extraSlots: slots, deepKeyScan: true };
  const fresh = await observeCluster(seeds, recheckObserve);
  const checked = recheck(planned, fresh, options.policy);
  timeline.mark(`${planned.key}: re-observe and recheck`);
  if ('stop' in checked) return { result: fromEntry(checked.stop), wrote: false };
  const { step } = checked;
  const keysBefore = slotKeys(fresh, slots);
  // The keys that expire meanwhile (TTL) are counted around the action, so a cache's expiring keys
  // are not taken for keys the action lost.
  const holders = keyHolders(fresh, slots, step.nodes);
  const expiredBefore = await serverExpiries(holders, options.observe);
  const expiredSince = async () => {
    const expired = expiredBetween(expiredBefore, await serverExpiries(holders, options.observe));
    return expired > 0 ? { keysExpired: expired } : {};
  };
  log(`applying ${step.key} (${step.subCase}): ${step.summary}`);
  const acted = await act(step, options);
  timeline.mark(`${step.key}: apply`);
  if ('error' in acted) {
    const observed = await observeCluster(seeds, observe);
    timeline.mark(`${step.key}: observe after the failure`);
    const result = {
      ...failure(step, acted.error),
      commands: acted.commands,
      keysBefore,
      keysAfter: slotKeys(observed, slots),
      ...(await expiredSince()),
      ...(acted.error instanceof DeadlineError ? { keysMoved: acted.error.moved } : {}),
      durationMs: Date.now() - started,
    };
    return { result: withStateLeft(result, observed, options.policy), wrote: true, after: observed };
  }
  const verified = await awaitVerified(seeds, bound(step), observe, options.verifyTimeoutMs ?? 15_000);
  timeline.mark(`${step.key}: verify`);
  const keysAfter = slotKeys(verified.snapshot, slots);
  const ledger = { keysBefore, keysAfter, ...(await expiredSince()) };
  const reason = keysLost(ledger)
    ? `keys lost: ${total(keysBefore)} before, ${total(keysAfter)} after${ledger.keysExpired ? ` (${ledger.keysExpired} expired meanwhile)` : ''}`
    : verified.problem;
  const result = {
    ...resultOf(step, reason ? 'failed' : 'applied', reason ?? 'verified', 'verify'),
    commands: acted.executed,
    ...ledger,
    keysMoved: acted.keysMoved,
    durationMs: Date.now() - started,
  };
  return {
    result: withStateLeft(result, verified.snapshot, options.policy),
    wrote: true,
    after: verified.snapshot,
  };
}

/** A failed action, with the fingerprint of its candidate on the state the failure left (observed after it). */
function withStateLeft(result: ActionResult, after: Snapshot, policy: Policy): ActionResult {
  if (result.status !== 'failed') return result;
  const left = candidateActions(after, policy).find((a) => a.key === result.key);
  return left ? { ...result, fingerprintLeft: left.fingerprint } : result;
}

/** Sends the step's commands; an error comes back with the commands sent so far. */
async function act(
  step: AnyStep,
  options: FixOptions,
): Promise<ApplyOutcome | { error: unknown; commands: string[] }> {
  const exec = new Executor({ ...options.observe, nodeTimeoutMs: options.observe.nodeTimeoutMs ?? 5000 });
  exec.onProgress = options.progress;
  exec.deadline = () => options.deadlineAt;
  try {
    return await bound(step).apply(exec);
  } catch (error) {
    return { error, commands: exec.log };
  } finally {
    exec.close();
  }
}

/**
 * What a failed write means for the result: unavailable (the node refuses the command), stopped at
 * the deadline (the next run resumes), or failed.
 */
function failure(step: AnyStep, error: unknown): ActionResult {
  if (error instanceof DeadlineError) return resultOf(step, 'stopped', error.message, 'deadline');
  const status: ActionStatus = error instanceof RemedyUnavailableError ? 'unavailable' : 'failed';
  const message = error instanceof Error ? error.message : String(error);
  const reason =
    error instanceof BusyKeyError ? `stopped: ${message} (nothing overwritten or deleted)` : message;
  return resultOf(step, status, reason, 'apply');
}

/**
 * The report after the run, with the ledger's findings, from `latest` (a full observation taken
 * after the last write) when there is one. When something was applied, the masters already agreed
 * (verify), but replicas may learn the new owners a moment later: re-observe, within the verify
 * bound, until no finding of that kind is left, so the report describes the cluster and not the
 * gossip in flight.
 */
async function settledReport(
  seeds: string[],
  options: FixOptions,
  applied: boolean,
  runFindings: Finding[],
  latest?: Snapshot,
): Promise<Report> {
  const deadline = Date.now() + (options.verifyTimeoutMs ?? 15_000);
  let snapshot = latest;
  for (;;) {
    const report = buildReport(snapshot ?? (await observeCluster(seeds, options.observe)), { runFindings });
    snapshot = undefined;
    const ids = new Set(report.findings.map((f) => f.id));
    // Nodes that still disagree, or say "fail" while every slot has a live owner: gossip in flight.
    const lagging =
      ids.has('config-disagreement') ||
      (ids.has('cluster-state-fail') && !ids.has('slots-uncovered') && !ids.has('slots-owner-failed'));
    if (!applied || !lagging || Date.now() >= deadline) return report;
    await sleep(250);
  }
}
