import { buildReport } from '../checks/run';
import type { Report } from '../checks/types';
import type { Mode } from '../guard/modes';
import { diffReport, type RunKind } from '../notify/decide';
import { fingerprint } from '../notify/fingerprint';
import { renderChanges } from '../notify/render';
import type { MessageSink, OutboundMessage } from '../notify/types';
import { type ObserveOptions, observeCluster } from '../observe';
import type { StateStore } from '../state/types';

export interface ScheduledCheckInput {
  cluster: string;
  seeds: string[];
  kind: RunKind;
  observe: ObserveOptions;
  /** Remediation mode of this cluster: the remediation run is started only in `auto`. */
  remediation: Mode;
}

export interface ScheduledCheckDeps {
  state: StateStore;
  sink: MessageSink;
  /** Starts the remediation run (async Lambda invoke in AWS, a direct call locally). */
  startRemediation?: (cluster: string) => Promise<void>;
}

export interface ScheduledCheckResult {
  report: Report;
  messages: OutboundMessage[];
  remediationStarted: boolean;
}

/**
 * One scheduled run, the same in Lambda and in the demo: observe, check, compare with what earlier
 * runs notified, publish what changed (and the nightly digest), remember, and in `auto` mode start
 * remediation when a finding with a guarded remedy was already open at the previous run.
 */
export async function scheduledCheck(
  input: ScheduledCheckInput,
  deps: ScheduledCheckDeps,
): Promise<ScheduledCheckResult> {
  const snapshot = await observeCluster(input.seeds, { ...input.observe, cluster: input.cluster });
  const report = buildReport(snapshot);
  const previous = await deps.state.load(input.cluster);
  const changes = diffReport(report, previous, input.kind);
  const messages = renderChanges(report, changes);
  for (const message of messages) await deps.sink.publish(message);
  // Remembered only after every publish went through: a failed publish is retried by the next run.
  await deps.state.save(input.cluster, changes.next);
  // Only for a problem the previous run saw too (guard 2 across runs; the remediation run then looks
  // twice again, settleMs apart): a problem seen once, such as a reshard caught mid-flight, starts nothing.
  const persisted = report.findings.some((f) => f.remedy && previous.open[fingerprint(f)]);
  let remediationStarted = false;
  if (input.remediation === 'auto' && persisted && deps.startRemediation) {
    await deps.startRemediation(input.cluster);
    remediationStarted = true;
  }
  return { report, messages, remediationStarted };
}
