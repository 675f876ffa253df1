import type { Finding, Report, Severity } from '../checks/types';
import type { ClusterState, OpenProblem } from '../state/types';
import { fingerprint } from './fingerprint';

export type RunKind = 'nightly' | 'frequent';

const rank: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

/** What changed since the last run, and so what deserves a message. */
export interface Changes {
  /** Findings not notified before. */
  added: Finding[];
  /** Findings notified before at a lower severity. */
  escalated: Finding[];
  /** Problems notified before that are gone now. */
  resolved: OpenProblem[];
  /** The cluster could not be observed this run, and could last run (one checker-error per outage). */
  lostSight: boolean;
  /** The cluster can be observed again after runs that could not (one message when sight returns). */
  regainedSight: boolean;
  /** A nightly run: the digest goes out even when nothing changed, so silence never means a dead checker. */
  digest: boolean;
  next: ClusterState;
}

/**
 * Pure: compares a report with what earlier runs notified. The same finding is never notified twice
 * in a row; info findings are remembered but never sent on their own. A run that could not see the
 * cluster resolves nothing and adds nothing: what it found (every node unreachable) is the outage
 * itself, which its one "cannot observe" message says, so an outage is one message at its start and
 * one when sight returns (listing what was resolved meanwhile).
 */
export function diffReport(report: Report, previous: ClusterState, kind: RunKind): Changes {
  const now = report.checkedAt;
  const blind = report.status === 'unknown';
  const open: Record<string, OpenProblem> = {};
  const added: Finding[] = [];
  const escalated: Finding[] = [];
  for (const finding of report.findings) {
    const key = fingerprint(finding);
    const before = previous.open[key];
    open[key] = {
      id: finding.id,
      severity: finding.severity,
      summary: finding.summary,
      firstSeen: before?.firstSeen ?? now,
      lastSeen: now,
    };
    if (finding.severity === 'info' || blind) continue;
    if (!before) added.push(finding);
    else if (rank[finding.severity] > rank[before.severity]) escalated.push(finding);
  }
  const resolved = blind
    ? []
    : Object.entries(previous.open)
        .filter(([key, p]) => !open[key] && p.severity !== 'info')
        .map(([, p]) => p);
  // A blind run keeps what was open: it cannot tell whether those problems went away.
  const next: ClusterState = {
    open: blind ? previous.open : open,
    lastStatus: report.status,
    lastRunAt: now,
    lastDigestAt: kind === 'nightly' ? now : previous.lastDigestAt,
  };
  return {
    added,
    escalated,
    resolved,
    lostSight: blind && previous.lastStatus !== 'unknown',
    regainedSight: !blind && previous.lastStatus === 'unknown',
    digest: kind === 'nightly',
    next,
  };
}
