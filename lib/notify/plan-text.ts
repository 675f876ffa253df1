import type { Report } from '../checks/types';
import type { PlanEntry } from '../guard/types';
import { formatRanges } from '../topology/slots';
import type { ClusterOverview } from './overview';
import { asciiSubject, gsmSafe } from './sms';
import { renderReportText } from './text';
import type { OutboundMessage } from './types';

const verdicts: Record<PlanEntry['status'], string> = {
  allowed: 'WILL APPLY',
  'dry-run': 'WOULD APPLY',
  refused: 'REFUSED',
  escalated: 'ESCALATED',
  unavailable: 'UNAVAILABLE',
};

/** The plan's entries as lines of an email: verdict, remedy, sub-case, the guard's reason, commands or runbook. */
export function renderPlanLines(entries: PlanEntry[]): string[] {
  const lines: string[] = [];
  for (const entry of entries) {
    const { action } = entry;
    const what =
      action.slots.length > 0
        ? `slots ${formatRanges(action.slots)}`
        : `nodes ${action.nodes.join(', ') || '-'}`;
    lines.push(`  [${verdicts[entry.status]}] ${action.remedy} (${action.subCase}) ${what}`);
    lines.push(`      guard ${entry.guard}: ${entry.reason}`);
    const steps = entry.status === 'escalated' ? (action.runbook ?? []) : action.commands;
    for (const step of steps.slice(0, 12)) lines.push(`        ${step}`);
    if (steps.length > 12) lines.push(`        ... ${steps.length - 12} more`);
  }
  return lines;
}

/**
 * The remediation plan as one message: in dry-run what would be applied, in either mode what was
 * refused or escalated. Sent once per change of the plan, never on every run.
 */
export function renderPlanMessage(
  report: Report,
  mode: string,
  entries: PlanEntry[],
  overview?: ClusterOverview,
): OutboundMessage {
  const wouldApply = entries.filter((e) => e.status === 'dry-run').length;
  const held = entries.length - wouldApply;
  const summary = [
    wouldApply > 0 ? `${wouldApply} action(s) would apply` : '',
    held > 0 ? `${held} refused or escalated` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const email = [
    `Remediation plan for ${report.cluster} (mode ${mode}) at ${report.checkedAt}: ${summary}.`,
    mode === 'dry-run' && wouldApply > 0
      ? 'Nothing was changed: the cluster is in dry-run. Set remediation.mode to auto (with these remedies allowed) to let cluster-doctor act, or run the commands yourself.'
      : 'Nothing was changed. You get this message again only when the plan changes.',
    '',
    ...renderPlanLines(entries),
    '',
    renderReportText(report, { color: false, runbooks: false, overview }),
  ].join('\n');
  return {
    kind: 'remediation',
    cluster: report.cluster,
    severity: 'info',
    subject: asciiSubject(`cluster-doctor INFO ${report.cluster}: remediation plan: ${summary}`),
    email,
    sms: gsmSafe(`${report.cluster}: remediation plan: ${summary}`),
    json: JSON.stringify({
      kind: 'remediation',
      cluster: report.cluster,
      severity: 'info',
      mode,
      plan: entries.map((e) => ({
        remedy: e.action.remedy,
        key: e.action.key,
        subCase: e.action.subCase,
        status: e.status,
        guard: e.guard,
        reason: e.reason,
      })),
    }),
  };
}

/** Appends the plan to a finding message of the same run: one email for one change. */
export function withPlan(message: OutboundMessage, entries: PlanEntry[]): OutboundMessage {
  if (entries.length === 0) return message;
  const [intro, ...rest] = message.email.split('\n\n');
  return {
    ...message,
    email: [intro, ['Remediation plan:', ...renderPlanLines(entries)].join('\n'), ...rest].join('\n\n'),
  };
}
