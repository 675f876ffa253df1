import type { Finding, Report } from '../checks/types';
import type { ClusterState } from '../state/types';
import { fingerprint } from './fingerprint';

/**
 * What a check puts in `evidence.transition` for a state that is normally brief (a replica waiting
 * for its first sync, a handshake, a `fail?` being agreed): the finding is `info` while it lasts
 * less than `boundSeconds`, and a `warning` once it has lasted longer.
 */
export interface Transition {
  /** What is in progress, e.g. "first sync". */
  state: string;
  /** How long it may last before it is a problem. */
  boundSeconds: number;
  /** How long it has lasted, when the snapshot alone tells. */
  elapsedSeconds?: number;
}

export function transitionOf(finding: Finding): Transition | undefined {
  const t = finding.evidence.transition as Partial<Transition> | undefined;
  return t && typeof t.state === 'string' && typeof t.boundSeconds === 'number'
    ? (t as Transition)
    : undefined;
}

/**
 * Pure: a transitional `info` finding that earlier runs already saw (or whose own evidence says so)
 * for longer than its bound becomes a `warning` that says for how long. One snapshot cannot tell
 * a first sync that started a second ago from one stuck for an hour; two runs can.
 */
export function ageTransitions(report: Report, previous: ClusterState): Report {
  const now = Date.parse(report.checkedAt);
  let changed = false;
  const findings = report.findings.map((finding) => {
    const transition = transitionOf(finding);
    if (!transition || finding.severity !== 'info') return finding;
    const firstSeen = previous.open[fingerprint(finding)]?.firstSeen;
    const seen = firstSeen ? Math.round((now - Date.parse(firstSeen)) / 1000) : 0;
    const elapsed = Math.max(seen, transition.elapsedSeconds ?? 0);
    if (elapsed <= transition.boundSeconds) return finding;
    changed = true;
    return {
      ...finding,
      severity: 'warning' as const,
      summary: `${finding.summary}: ${transition.state} for ${elapsed} s, past its ${transition.boundSeconds} s bound`,
      evidence: { ...finding.evidence, transition: { ...transition, elapsedSeconds: elapsed } },
    };
  });
  if (!changed) return report;
  const status =
    report.status === 'critical' || report.status === 'unknown'
      ? report.status
      : findings.some((f) => f.severity === 'warning')
        ? 'warning'
        : report.status;
  return { ...report, findings, status };
}
