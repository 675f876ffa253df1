import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildReport } from '../checks/run';
import type { Finding, Report } from '../checks/types';
import { viewOf } from '../checks/view';
import { type FileLock, FileLock as LocalLock, type RemediationLock } from '../guard/lock';
import { candidateActions, planRemediation } from '../guard/plan';
import type { Plan, PlanEntry, Policy } from '../guard/types';
import { type ObserveOptions, observeCluster, type Snapshot } from '../observe';
import { REMEDIES } from '../remedies/catalog';
import { BusyKeyError, Executor, RemedyUnavailableError } from '../remedies/executor';
import type { PlannedAction } from '../remedies/types';
import { slotsInRanges } from '../topology/slots';

export type ActionStatus = 'applied' | 'skipped' | 'refused' | 'failed' | 'unavailable';

/** One line of the fix report (issue contract): what was done to which slots, and the key ledger. */
export interface ActionResult {
  remedy: string;
  key: string;
  subCase: string;
  slots: [number, number][];
  nodes: string[];
  status: ActionStatus;
  guard?: string;
  reason: string;
  commands: string[];
  /** slot -> keys across masters, just before acting and after verification. */
  keysBefore?: Record<string, number>;
  keysAfter?: Record<string, number>;
  keysMoved?: number;
  durationMs?: number;
  /** For escalated actions: what a person should do. */
  runbook?: string[];
}

export interface FixResult {
  plan: Plan;
  actions: ActionResult[];
  after: Report;
}

export interface FixOptions {
  observe: ObserveOptions;
  policy: Policy;
  /** Lock for single flight; default a lock file per cluster in the temp dir. */
  lock?: (clusterKey: string) => RemediationLock;
  /** How long to wait for gossip to show the intended state after acting. */
  verifyTimeoutMs?: number;
  /** Progress lines (stderr in the CLI). */
  log?: (line: string) => void;
  /** Epoch ms: no action starts after it, so the run ends with its report before the Lambda limit. */
  deadlineAt?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A stable name for the cluster whatever seeds were given: its smallest node id. */
export function clusterKey(snapshot: Snapshot): string {
  const ids = snapshot.nodes.flatMap((o) => o.clusterNodes?.map((e) => e.id) ?? []);
  return ids.sort()[0] ?? snapshot.seeds.slice().sort().join(',');
}

export const defaultLock = (key: string): FileLock =>
  new LocalLock(join(tmpdir(), `cluster-doctor-fix-${key}.lock`));

/**
 * Observes twice `settleMs` apart, plans under the guards, and in `auto` mode applies each allowed
 * action: re-observe and re-plan just before writing (the preconditions), act, wait for gossip to
 * show the intended state, and compare key counts of the touched slots. Stops at the first surprise.
 * Every step is derived from what is observed, so a run killed anywhere converges when run again.
 */
export async function fixCluster(seeds: string[], options: FixOptions): Promise<FixResult> {
  const log = options.log ?? (() => {});
  const { policy } = options;
  const first = await observeCluster(seeds, options.observe);
  const lock = (options.lock ?? defaultLock)(clusterKey(first));
  const actions: ActionResult[] = [];
  const extra: Finding[] = [];
  if (policy.mode === 'auto' && !(await lock.acquire())) {
    const holder = await lock.holder();
    const plan: Plan = { mode: policy.mode, settleMs: policy.settleMs, entries: [] };
    const refusal = `another remediation run holds the lock (${holder ?? 'unknown holder'})`;
    log(refusal);
    for (const action of candidateActions(first, policy))
      actions.push(resultOf(action, 'refused', refusal, 'lock'));
    return { plan, actions, after: buildReport(first) };
  }
  try {
    log(
      `observed ${first.nodes.length} node(s); waiting ${policy.settleMs} ms to see whether anything is in progress`,
    );
    await sleep(policy.settleMs);
    const second = await observeCluster(seeds, options.observe);
    const plan = planRemediation(first, second, policy);
    let spentKeys = 0;
    let stopped = false;
    for (const entry of plan.entries) {
      if (stopped || entry.status !== 'allowed') {
        actions.push(
          stopped && entry.status === 'allowed'
            ? resultOf(entry.action, 'skipped', 'an earlier action stopped the run', 'runner')
            : fromEntry(entry),
        );
        continue;
      }
      if (options.deadlineAt !== undefined && Date.now() >= options.deadlineAt) {
        actions.push(
          resultOf(
            entry.action,
            'skipped',
            'out of time: the run stopped before the Lambda limit',
            'deadline',
          ),
        );
        stopped = true;
        continue;
      }
      const result = await applyOne(seeds, entry.action, options, log);
      actions.push(result);
      spentKeys += result.keysMoved ?? 0;
      if (result.status !== 'applied') stopped = true;
      if (result.keysBefore && result.keysAfter && total(result.keysAfter) < total(result.keysBefore)) {
        extra.push(keysLost(result));
      }
    }
    const applied = actions.some((a) => a.status === 'applied');
    const after = await settledReport(seeds, options, applied);
    if (extra.length > 0) {
      after.findings.unshift(...extra);
      after.status = 'critical';
    }
    log(
      `done: ${actions.filter((a) => a.status === 'applied').length} applied, ${spentKeys} key(s) moved; cluster ${after.status}`,
    );
    return { plan, actions, after };
  } finally {
    await lock.release();
  }
}

async function applyOne(
  seeds: string[],
  planned: PlannedAction,
  options: FixOptions,
  log: (s: string) => void,
): Promise<ActionResult> {
  const started = Date.now();
  const slots = [...slotsInRanges(planned.slots)];
  // Only the touched slots need counting here (they are always counted); the deep scan of every
  // owned slot is for the reports before and after the run.
  const observe = { ...options.observe, extraSlots: slots, deepKeyScan: false };
  // Preconditions: the same action, same sub-case, same facts, on a fresh observation right now.
  const fresh = await observeCluster(seeds, observe);
  const again = candidateActions(fresh, options.policy).find((a) => a.key === planned.key);
  if (!again || again.subCase !== planned.subCase || again.fingerprint !== planned.fingerprint) {
    return resultOf(
      planned,
      'refused',
      `precondition changed just before acting: ${again ? again.fingerprint : 'problem gone'}`,
      'precondition',
    );
  }
  const recheck = planRemediation(fresh, fresh, { ...options.policy, settleMs: 0 }).entries.find(
    (e) => e.action.key === planned.key,
  );
  if (recheck && recheck.status !== 'allowed') return fromEntry(recheck);
  const keysBefore = slotKeys(fresh, slots);
  const remedy = REMEDIES.find((r) => r.id === planned.remedy);
  if (!remedy) return resultOf(planned, 'failed', `no remedy ${planned.remedy}`, 'runner');
  const exec = new Executor({ ...options.observe, nodeTimeoutMs: options.observe.nodeTimeoutMs ?? 5000 });
  log(`applying ${again.key} (${again.subCase}): ${again.summary}`);
  let outcome: { executed: string[]; keysMoved: number };
  try {
    outcome = await remedy.apply(again, exec);
  } catch (error) {
    const status: ActionStatus = error instanceof RemedyUnavailableError ? 'unavailable' : 'failed';
    const message = error instanceof Error ? error.message : String(error);
    const reason =
      error instanceof BusyKeyError ? `stopped: ${message} (nothing overwritten or deleted)` : message;
    const observed = await observeCluster(seeds, observe);
    return {
      ...resultOf(again, status, reason, 'apply'),
      commands: exec.log,
      keysBefore,
      keysAfter: slotKeys(observed, slots),
      durationMs: Date.now() - started,
    };
  } finally {
    exec.close();
  }
  // Verify, allowing gossip a bounded time to spread the new state.
  const deadline = Date.now() + (options.verifyTimeoutMs ?? 15_000);
  let problem: string | undefined;
  let verified: Snapshot;
  do {
    verified = await observeCluster(seeds, observe);
    problem = remedy.verify(again, viewOf(verified));
    if (!problem) break;
    await sleep(200);
  } while (Date.now() < deadline);
  const keysAfter = slotKeys(verified, slots);
  const lost = total(keysAfter) < total(keysBefore);
  return {
    ...resultOf(
      again,
      problem || lost ? 'failed' : 'applied',
      lost ? `keys lost: ${total(keysBefore)} before, ${total(keysAfter)} after` : (problem ?? 'verified'),
      'verify',
    ),
    commands: outcome.executed,
    keysBefore,
    keysAfter,
    keysMoved: outcome.keysMoved,
    durationMs: Date.now() - started,
  };
}

/**
 * The report after the run. When something was applied, the masters already agreed (verify), but
 * replicas may learn the new owners a moment later: re-observe, within the verify bound, until no
 * finding of that kind is left, so the report describes the cluster and not the gossip in flight.
 */
async function settledReport(seeds: string[], options: FixOptions, applied: boolean): Promise<Report> {
  const deadline = Date.now() + (options.verifyTimeoutMs ?? 15_000);
  for (;;) {
    const report = buildReport(await observeCluster(seeds, options.observe));
    const ids = new Set(report.findings.map((f) => f.id));
    // Nodes that still disagree, or say "fail" while every slot has a live owner: gossip in flight.
    const lagging =
      ids.has('config-disagreement') ||
      (ids.has('cluster-state-fail') && !ids.has('slots-uncovered') && !ids.has('slots-owner-failed'));
    if (!applied || !lagging || Date.now() >= deadline) return report;
    await sleep(250);
  }
}

/** slot -> keys summed over reachable masters (replicas mirror them). */
function slotKeys(snapshot: Snapshot, slots: number[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const slot of slots) {
    let n = 0;
    for (const o of snapshot.nodes) n += o.slotKeyCounts?.[String(slot)] ?? 0;
    out[String(slot)] = n;
  }
  return out;
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

function resultOf(action: PlannedAction, status: ActionStatus, reason: string, guard?: string): ActionResult {
  return {
    remedy: action.remedy,
    key: action.key,
    subCase: action.subCase,
    slots: action.slots,
    nodes: action.nodes,
    status,
    guard,
    reason,
    commands: action.commands,
  };
}

function fromEntry(entry: PlanEntry): ActionResult {
  const status: ActionStatus =
    entry.status === 'dry-run' ? 'skipped' : entry.status === 'unavailable' ? 'unavailable' : 'refused';
  return {
    ...resultOf(entry.action, status, entry.reason, entry.guard),
    ...(entry.action.runbook ? { runbook: entry.action.runbook } : {}),
  };
}

function keysLost(result: ActionResult): Finding {
  return {
    id: 'keys-lost',
    severity: 'critical',
    summary: `${result.remedy} on ${result.key}: key count of the touched slots fell from ${total(result.keysBefore ?? {})} to ${total(result.keysAfter ?? {})}`,
    slots: result.slots,
    nodes: result.nodes,
    evidence: { keysBefore: result.keysBefore, keysAfter: result.keysAfter, commands: result.commands },
    runbook: [
      'Stop all remediation. Compare per-node counts with CLUSTER COUNTKEYSINSLOT and restore from backup if needed.',
    ],
  };
}
