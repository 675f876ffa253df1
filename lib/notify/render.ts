import type { Finding, Report, Severity } from '../checks/types';
import type { ActionResult } from '../remediate/fix';
import { forAudit } from '../remediate/result';
import { formatRanges } from '../topology/slots';
import type { Changes } from './decide';
import type { ClusterOverview } from './overview';
import { asciiSubject, gsmSafe } from './sms';
import { renderReportText } from './text';
import type { MessageKind, OutboundMessage } from './types';

const rank: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };
const worst = (findings: Finding[]): Severity =>
  findings.reduce<Severity>((w, f) => (rank[f.severity] > rank[w] ? f.severity : w), 'info');
const tag: Record<Severity, string> = { critical: 'CRIT', warning: 'WARN', info: 'INFO' };

function short(f: Finding): string {
  const slots = f.slots?.length ? ` slots ${formatRanges(f.slots)}` : '';
  return `${f.id}${slots}`;
}

function message(
  kind: MessageKind,
  report: Report,
  severity: Severity,
  subject: string,
  intro: string[],
  sms: string,
  extra: Record<string, unknown>,
  overview?: ClusterOverview,
): OutboundMessage {
  const email = [...intro, '', renderReportText(report, { color: false, overview })].join('\n');
  return {
    kind,
    cluster: report.cluster,
    severity,
    subject: asciiSubject(`cluster-doctor ${tag[severity]} ${report.cluster}: ${subject}`),
    email,
    sms: gsmSafe(sms),
    json: JSON.stringify({ kind, cluster: report.cluster, severity, ...extra, report }),
  };
}

/** The messages a run sends for what changed (DESIGN §2): finding, resolved, checker-error, digest. */
export function renderChanges(
  report: Report,
  changes: Changes,
  overview?: ClusterOverview,
): OutboundMessage[] {
  const out: OutboundMessage[] = [];
  const news = [...changes.added, ...changes.escalated];
  if (news.length > 0) {
    const severity = worst(news);
    // cluster-state-fail is a consequence; the SMS names the cause when there is one.
    const worstOnes = news.filter((f) => f.severity === severity);
    const first = (worstOnes.find((f) => f.id !== 'cluster-state-fail') ?? worstOnes[0]) as Finding;
    const more = news.length > 1 ? ` +${news.length - 1} more` : '';
    out.push(
      message(
        'finding',
        report,
        severity,
        `${first.summary}${more}`,
        [
          `cluster-doctor found ${news.length} new or worse problem(s) on ${report.cluster} at ${report.checkedAt}:`,
          ...news.map((f) => `  - [${f.severity}] ${f.summary}`),
        ],
        `${tag[severity]} ${report.cluster}: ${short(first)}${more}. Status ${report.status}. See email.`,
        { added: changes.added.map((f) => f.id), escalated: changes.escalated.map((f) => f.id) },
        overview,
      ),
    );
  }
  // Sight regained: one message, with what was resolved meanwhile.
  if (changes.resolved.length > 0 && !changes.regainedSight) {
    out.push(
      message(
        'resolved',
        report,
        'info',
        `${changes.resolved.length} problem(s) resolved`,
        [
          `Resolved since the last run on ${report.cluster}:`,
          ...changes.resolved.map((p) => `  - ${p.summary} (first seen ${p.firstSeen})`),
        ],
        `OK ${report.cluster}: ${changes.resolved.length} problem(s) resolved. Status ${report.status}.`,
        { resolved: changes.resolved.map((p) => p.id) },
        overview,
      ),
    );
  }
  if (changes.lostSight) {
    const cause = report.nodes.find((n) => n.error)?.error ?? 'no node answered';
    out.push(
      message(
        'checker-error',
        report,
        'critical',
        'cannot observe the cluster',
        [
          `cluster-doctor could not observe ${report.cluster}: ${cause}`,
          ...report.nodes.map((n) => `  - ${n.address}: ${n.error ?? 'answered'}`),
          '',
          'The checker itself runs: this is the cluster (or the network to it), not cluster-doctor.',
          'You get one message when it can observe the cluster again.',
        ],
        `CRIT ${report.cluster}: checker cannot observe the cluster (${cause})`,
        {},
      ),
    );
  }
  if (changes.regainedSight) {
    out.push(
      message(
        'resolved',
        report,
        'info',
        'can observe the cluster again',
        [
          `cluster-doctor can observe ${report.cluster} again (status ${report.status}).`,
          ...(changes.resolved.length > 0
            ? [
                `Resolved meanwhile:`,
                ...changes.resolved.map((p) => `  - ${p.summary} (first seen ${p.firstSeen})`),
              ]
            : []),
        ],
        `OK ${report.cluster}: checker can observe the cluster again. Status ${report.status}.`,
        {},
        overview,
      ),
    );
  }
  if (changes.digest) {
    const open = report.findings.filter((f) => f.severity !== 'info');
    out.push(
      message(
        'digest',
        report,
        'info',
        open.length === 0 ? 'all clear' : `${open.length} open problem(s)`,
        [
          open.length === 0
            ? `Nightly check of ${report.cluster}: all clear. Every slot is served and every node agrees.`
            : `Nightly check of ${report.cluster}: ${open.length} open problem(s).`,
        ],
        `${report.cluster} nightly: ${report.status}, ${open.length} open problem(s)`,
        {},
        overview,
      ),
    );
  }
  return out;
}

/** An audit message for one remediation action, applied or not. */
export function renderRemediation(cluster: string, whole: ActionResult, after: Report): OutboundMessage {
  const action = forAudit(whole);
  const severity: Severity =
    action.status === 'failed'
      ? 'critical'
      : action.status === 'applied' || action.status === 'stopped'
        ? 'warning'
        : 'info';
  const slots = formatRanges(action.slots) || '-';
  return message(
    'remediation',
    after,
    severity,
    `${action.remedy} ${action.status} (slots ${slots})`,
    [
      `Remediation on ${cluster}: ${action.remedy} (${action.subCase}) on slots ${slots}: ${action.status.toUpperCase()}`,
      `Guard ${action.guard ?? '-'}: ${action.reason}`,
      action.commandCount ? `Commands (${action.commandCount}):` : 'Commands:',
      ...action.commands.map((c) => `  ${c}`),
      ...(action.keysBefore
        ? [
            `Keys of the touched slots: before ${JSON.stringify(action.keysBefore)} after ${JSON.stringify(action.keysAfter ?? {})}`,
          ]
        : []),
    ],
    `${tag[severity]} ${cluster}: ${action.remedy} ${action.status} slots ${slots}`,
    { action },
  );
}

/** The checker itself failed (config, secret, state, an exception): reported to the topic, then rethrown. */
export function renderCheckerFailure(cluster: string, what: string, error: string): OutboundMessage {
  return {
    kind: 'checker-error',
    cluster,
    severity: 'critical',
    subject: asciiSubject(`cluster-doctor CRIT ${cluster}: ${what} failed`),
    email: `The ${what} of ${cluster} failed:\n\n${error}\n\nNothing further was attempted. The Lambda's logs have the details.`,
    sms: gsmSafe(`CRIT ${cluster}: ${what} failed: ${error}`),
    json: JSON.stringify({ kind: 'checker-error', cluster, error }),
  };
}
