import type { ActionResult, FixResult } from '../remediate/fix';
import { formatRanges } from '../topology/slots';
import { renderReportText } from './text';

const marks: Record<ActionResult['status'], string> = {
  applied: 'APPLIED',
  stopped: 'STOPPED',
  skipped: 'WOULD APPLY',
  refused: 'REFUSED',
  escalated: 'ESCALATED',
  failed: 'FAILED',
  unavailable: 'UNAVAILABLE',
};

/** The plan with guard verdicts, what was done with the key ledger, and the report afterwards. */
export function renderFixText(result: FixResult, options: { color?: boolean } = {}): string {
  const lines = [
    `remediation plan (mode ${result.plan.mode}, settle ${result.plan.settleMs} ms): ${result.actions.length} candidate action(s)`,
  ];
  if (result.actions.length === 0) lines.push('  nothing to repair');
  for (const a of result.actions) {
    const status = a.status === 'skipped' && a.guard !== 'mode' ? 'SKIPPED' : marks[a.status];
    const what = a.slots.length > 0 ? `slots ${formatRanges(a.slots)}` : `nodes ${a.nodes.join(', ') || '-'}`;
    lines.push('', `  [${status}] ${a.remedy} ${a.subCase} ${what}`);
    lines.push(`      guard ${a.guard ?? '-'}: ${a.reason}`);
    if (a.commands.length > 0) {
      lines.push(
        `      ${a.status === 'applied' || a.status === 'failed' || a.status === 'stopped' ? 'sent' : 'commands'}:`,
      );
      for (const c of a.commands.slice(0, 12)) lines.push(`        ${c}`);
      if (a.commands.length > 12) lines.push(`        ... ${a.commands.length - 12} more`);
    }
    if (a.runbook?.length) {
      lines.push('      runbook:');
      for (const step of a.runbook) lines.push(`        ${step}`);
    }
    if (a.keysBefore && a.keysAfter) {
      lines.push(
        `      keys (slot: before -> after): ${ledger(a.keysBefore, a.keysAfter)}${a.keysMoved ? `; ${a.keysMoved} moved` : ''}`,
      );
    }
  }
  lines.push('', 'after:', renderReportText(result.after, { ...options, runbooks: false }));
  return `${lines.join('\n')}`;
}

function ledger(before: Record<string, number>, after: Record<string, number>): string {
  const slots = Object.keys(before);
  const shown = slots.slice(0, 8).map((s) => `${s}: ${before[s]} -> ${after[s] ?? '?'}`);
  const sum = (r: Record<string, number>) => Object.values(r).reduce((x, y) => x + y, 0);
  return `${shown.join(', ')}${slots.length > 8 ? `, ... (total ${sum(before)} -> ${sum(after)})` : ''}`;
}
