import { clientFor, withClient } from '../model/runbook';
import { ClusterView } from '../model/view';
import type { Snapshot } from '../observe/types';
import { compareText } from '../topology/compare';
import { mergeRanges } from '../topology/slots';
import { CHECKS } from './catalog';
import { stamp } from './define';
import type { Check, Finding, Report, ReportStatus, Severity } from './types';

const rank: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

/**
 * Runs every check of the catalog on one snapshot: builds the view once, asks each check, stamps
 * its id and default severity on what it found. A check that throws is itself a finding
 * (`check-crashed`): one bad check never hides the others.
 */
export function runChecks(snapshot: Snapshot, checks: readonly Check[] = CHECKS): Finding[] {
  return findingsOf(new ClusterView(snapshot), checks);
}

function findingsOf(view: ClusterView, checks: readonly Check[]): Finding[] {
  const findings: Finding[] = [];
  const client = clientFor(view.snapshot.nodes.map((n) => n.server));
  for (const check of checks) {
    try {
      for (const finding of stamp(check, check.check(view))) {
        const runbook = finding.runbook && withClient(finding.runbook, client);
        findings.push({
          ...finding,
          ...(finding.slots ? { slots: mergeRanges(finding.slots) } : {}),
          ...(runbook ? { runbook } : {}),
        });
      }
    } catch (error) {
      findings.push({
        id: 'check-crashed',
        severity: 'warning',
        summary: `check ${check.id} could not run on this snapshot: ${error instanceof Error ? error.message : String(error)}`,
        evidence: { check: check.id },
      });
    }
  }
  return findings.sort((a, b) => rank[a.severity] - rank[b.severity] || compareText(a.id, b.id));
}

/** `unknown` when no node could be observed; otherwise the worst severity found (info does not count). */
export function statusOf(snapshot: Snapshot, findings: Finding[]): ReportStatus {
  if (!snapshot.nodes.some((n) => n.reachable && n.clusterNodes)) return 'unknown';
  if (findings.some((f) => f.severity === 'critical')) return 'critical';
  if (findings.some((f) => f.severity === 'warning')) return 'warning';
  return 'ok';
}

export interface ReportOptions {
  checks?: readonly Check[];
  /**
   * Findings made outside the checks, from what a run itself saw (the fix runner's key ledger):
   * listed first, and counted in the status like any other.
   */
  runFindings?: Finding[];
}

/** Snapshot -> report (DESIGN §3). */
export function buildReport(snapshot: Snapshot, options: ReportOptions = {}): Report {
  const view = new ClusterView(snapshot);
  const findings = [...(options.runFindings ?? []), ...findingsOf(view, options.checks ?? CHECKS)];
  const nodes: Report['nodes'] = snapshot.nodes.map((o) => {
    const facts = o.id ? view.nodes.get(o.id) : undefined;
    return {
      address: o.address,
      id: o.id,
      role: facts?.role,
      reachable: o.reachable,
      ...(o.server ? { server: `${o.server.name} ${o.server.version}` } : {}),
      ...(o.error ? { error: `${o.error.kind}: ${o.error.message}` } : {}),
    };
  });
  return {
    cluster: snapshot.cluster ?? snapshot.seeds.join(','),
    checkedAt: snapshot.takenAt,
    durationMs: snapshot.durationMs,
    nodes,
    findings,
    status: statusOf(snapshot, findings),
  };
}
