import { buildReport } from '../checks/run';
import type { Report } from '../checks/types';
import type { Mode } from '../guard/modes';
import { planRemediation } from '../guard/plan';
import { DEFAULT_BUDGET, type PlanEntry, type Policy } from '../guard/types';
import { diffReport, type RunKind } from '../notify/decide';
import { clusterOverview } from '../notify/overview';
import { renderPlanMessage, withPlan } from '../notify/plan-text';
import { renderChanges } from '../notify/render';
import { ageTransitions } from '../notify/transitions';
import type { MessageSink, OutboundMessage } from '../notify/types';
import { credentialsRefused, type ObserveOptions, observeCluster, type Snapshot } from '../observe';
import type { RemedyId } from '../remedies/ids';
import { DEFAULT_SETTINGS } from '../remedies/types';
import type { StateStore } from '../state/types';
import { failedAttempts } from './failed-attempts';

export interface ScheduledCheckInput {
  cluster: string;
  seeds: string[];
  kind: RunKind;
  observe: ObserveOptions;
  /** Remediation mode of this cluster: the remediation run is started only in `auto`. */
  remediation: Mode;
  /** Remedies allowed to act (the cluster's allow-list). */
  allow?: RemedyId[];
}

export interface ScheduledCheckDeps {
  state: StateStore;
  sink: MessageSink;
  /** Starts the remediation run (async Lambda invoke in AWS, a direct call locally). */
  startRemediation?: (cluster: string) => Promise<void>;
  /**
   * Observe options with credentials read again from their source (the secret was rotated): called
   * once when every reachable node refused the credentials, before anything is reported.
   */
  refreshCredentials?: () => Promise<ObserveOptions>;
  /** The clock of the run (a parameter so a day of schedule ticks can be played in a test). */
  now?: () => Date;
  /** How the cluster is observed (default {@link observeCluster}). */
  observe?: typeof observeCluster;
}

export interface ScheduledCheckResult {
  report: Report;
  messages: OutboundMessage[];
  remediationStarted: boolean;
  /** True when the credentials were refused once and read again. */
  credentialsRefreshed: boolean;
}

/**
 * One scheduled run, the same in Lambda and in the demo: observe (again with fresh credentials if
 * they were refused), check, age transitional findings, compare with what earlier runs notified,
 * publish what changed (and the nightly digest), remember, and start remediation in `auto` mode
 * only when the plan could apply something to a problem the previous run saw too.
 */
export async function scheduledCheck(
  input: ScheduledCheckInput,
  deps: ScheduledCheckDeps,
): Promise<ScheduledCheckResult> {
  const observeWith = deps.observe ?? observeCluster;
  let snapshot = await observeWith(input.seeds, { ...input.observe, cluster: input.cluster });
  let credentialsRefreshed = false;
  if (deps.refreshCredentials && credentialsRefused(snapshot)) {
    // A rotated secret is not a fact about the cluster: read it again once before reporting anything.
    snapshot = await observeWith(input.seeds, {
      ...(await deps.refreshCredentials()),
      cluster: input.cluster,
    });
    credentialsRefreshed = true;
  }
  const now = (deps.now ?? (() => new Date()))().toISOString();
  const previous = await deps.state.load(input.cluster);
  const report = ageTransitions({ ...buildReport(snapshot), checkedAt: now }, previous);
  const changes = diffReport(report, previous, input.kind);

  const failedBefore = failedAttempts(await deps.state.loadNotices(input.cluster));
  const plan = planOf(snapshot, report, input, failedBefore);
  // Guard 2 across runs: an action counts only when the previous run planned it with the same facts.
  const persisted = (e: PlanEntry) => previous.planned?.[e.action.key] === e.action.fingerprint;
  const noticeable = plan.filter(
    (e) =>
      (e.status === 'dry-run' && persisted(e)) || ['refused', 'escalated', 'unavailable'].includes(e.status),
  );
  const notice = noticeOf(noticeable);
  const planChanged = notice !== (previous.planNotice ?? '');

  const overview = clusterOverview(snapshot);
  const messages = renderChanges(report, changes, overview);
  const findingIndex = messages.findIndex((m) => m.kind === 'finding');
  if (planChanged && noticeable.length > 0) {
    // The plan rides along with the finding message of the same run: one email per change.
    if (findingIndex >= 0)
      messages[findingIndex] = withPlan(messages[findingIndex] as OutboundMessage, noticeable);
    else messages.push(renderPlanMessage(report, input.remediation, noticeable, overview));
  }
  for (const message of messages) await deps.sink.publish(message);
  // Remembered only after every publish went through: a failed publish is retried by the next run.
  const confirmed = plan.filter(persisted);
  await deps.state.save(input.cluster, {
    ...changes.next,
    planned: Object.fromEntries(plan.map((e) => [e.action.key, e.action.fingerprint])),
    confirmed: Object.fromEntries(confirmed.map((e) => [e.action.key, e.action.fingerprint])),
    planNotice: notice,
  });
  const canApply = confirmed.some((e) => e.status === 'allowed');
  let remediationStarted = false;
  if (input.remediation === 'auto' && canApply && deps.startRemediation) {
    await deps.startRemediation(input.cluster);
    remediationStarted = true;
  }
  return { report, messages, remediationStarted, credentialsRefreshed };
}

/** The guards' verdicts on this one observation (persistence across runs is judged by the caller). */
function planOf(
  snapshot: Snapshot,
  report: Report,
  input: ScheduledCheckInput,
  failedBefore: Record<string, string>,
): PlanEntry[] {
  if (input.remediation === 'off' || report.status === 'unknown') return [];
  const policy: Policy = {
    mode: input.remediation,
    allow: input.allow ?? [],
    settleMs: 0,
    failedBefore,
    budget: DEFAULT_BUDGET,
    settings: DEFAULT_SETTINGS,
  };
  return planRemediation(snapshot, snapshot, policy).entries;
}

/** What identifies a plan for "notify once per change": actions, sub-cases and verdicts, not key counts. */
function noticeOf(entries: PlanEntry[]): string {
  return entries
    .map((e) => `${e.action.key}|${e.action.subCase}|${e.status}|${e.guard}`)
    .sort()
    .join('\n');
}
