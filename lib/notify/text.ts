import type { Finding, Report, Severity } from '../checks/types';
import { formatRanges } from '../topology/slots';
import { type ClusterOverview, renderOverview } from './overview';

export interface TextOptions {
  /** ANSI colours: on a terminal only, never in email. */
  color?: boolean;
  /** The shard table and slot map, when the snapshot is at hand. */
  overview?: ClusterOverview;
  /** Show runbooks (default true). */
  runbooks?: boolean;
}

const codes = { red: 31, yellow: 33, cyan: 36, green: 32, dim: 2, bold: 1 } as const;
type Style = keyof typeof codes;

const headings: Record<Severity, string> = { critical: 'CRITICAL', warning: 'WARNING', info: 'INFO' };
const styles: Record<Severity, Style> = { critical: 'red', warning: 'yellow', info: 'cyan' };

/** A report as a person reads it: status line, findings grouped by severity, compact slot ranges, runbooks. */
export function renderReportText(report: Report, options: TextOptions = {}): string {
  const paint = (style: Style, text: string) =>
    options.color ? `\u001b[${codes[style]}m${text}\u001b[0m` : text;
  const reachable = report.nodes.filter((n) => n.reachable).length;
  const statusStyle: Style =
    report.status === 'ok' ? 'green' : report.status === 'warning' ? 'yellow' : 'red';
  const lines = [
    `${paint('bold', `cluster ${report.cluster}`)}: ${paint(statusStyle, report.status.toUpperCase())}` +
      ` (${reachable}/${report.nodes.length} nodes reachable, ${report.findings.length} finding(s), ${report.durationMs} ms, ${report.checkedAt})`,
  ];
  const servers = serversLine(report);
  if (servers) lines.push(paint('dim', servers));
  if (options.overview && options.overview.shards.length > 0)
    lines.push('', ...renderOverview(options.overview, paint));
  if (report.status === 'unknown') {
    lines.push('Could not observe the cluster:');
    for (const n of report.nodes.filter((x) => x.error)) lines.push(`  ${n.address}: ${n.error}`);
  }
  for (const severity of ['critical', 'warning', 'info'] as const) {
    const group = report.findings.filter((f) => f.severity === severity);
    if (group.length === 0) continue;
    lines.push('', paint(styles[severity], `${headings[severity]} (${group.length})`));
    for (const finding of group) lines.push(...renderFinding(finding, options, paint));
  }
  if (report.findings.length === 0)
    lines.push('', 'No findings: every slot is served and every node agrees.');
  return `${lines.join('\n')}\n`;
}

/** `servers: redis 7.0.15 on 6 nodes`, or each version with its count when they differ. */
function serversLine(report: Report): string | undefined {
  const counts = new Map<string, number>();
  for (const n of report.nodes) if (n.server) counts.set(n.server, (counts.get(n.server) ?? 0) + 1);
  if (counts.size === 0) return undefined;
  return `servers: ${[...counts].map(([server, count]) => `${server} on ${count} node(s)`).join(', ')}`;
}

function renderFinding(
  finding: Finding,
  options: TextOptions,
  paint: (s: Style, t: string) => string,
): string[] {
  const lines = [`  - [${finding.id}] ${finding.summary}`];
  if (finding.slots?.length) lines.push(paint('dim', `      slots: ${formatRanges(finding.slots)}`));
  if (finding.nodes?.length) lines.push(paint('dim', `      nodes: ${finding.nodes.join(', ')}`));
  if (finding.remedy)
    lines.push(paint('dim', `      guarded remedy: ${finding.remedy} (cluster-doctor fix)`));
  if (options.runbooks !== false && finding.runbook?.length) {
    lines.push(paint('dim', '      runbook:'));
    for (const step of finding.runbook) lines.push(`        ${step}`);
  }
  return lines;
}
