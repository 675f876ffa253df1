/**
 * `npx tsx scripts/soak-table.ts RESULT.json...`: the README's table of soak runs, one column per
 * verdict file that `npm run soak` wrote.
 */
import { readFileSync } from 'node:fs';
import type { SoakVerdict } from '../lib/soak/verdict';

const secs = (ms: number | undefined) => (ms === undefined ? '-' : (ms / 1000).toFixed(1));
const kv = (o: Record<string, number>) =>
  Object.entries(o)
    .sort()
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || 'none';

const runs = process.argv.slice(2).map((f) => JSON.parse(readFileSync(f, 'utf8')) as SoakVerdict);
const rows: [string, (v: SoakVerdict) => string][] = [
  ['minutes, seed (ran)', (v) => `${v.minutes}, ${v.seed} (${v.durationS} s)`],
  ['load, 1 min (start → end)', (v) => `${v.load.before[0]} → ${v.load.after[0]}`],
  ['faults', (v) => `${v.faults.total}: ${kv(v.faults.byKind)}`],
  ['faults that found nothing to act on', (v) => String(v.faults.notLanded)],
  ['remediation runs; actions', (v) => `${v.actions.remediationRuns}; ${kv(v.actions.byStatus)}`],
  ['actions by remedy/sub-case', (v) => kv(v.actions.byRemedy)],
  ['check/fix process killed mid-run', (v) => String(v.actions.fixProcessKills)],
  [
    'heal time by the loop, s (median / p95 / max)',
    (v) =>
      `${secs(v.heal.medianMs)} / ${secs(v.heal.p95Ms)} / ${secs(v.heal.maxMs)} (${v.heal.healed} faults)`,
  ],
  ['healed after a person’s step / not healed', (v) => `${v.heal.byOperator.length} / ${v.heal.unhealed}`],
  ['messages by severity', (v) => kv(v.messages.bySeverity)],
  ['scheduled checks (failed)', (v) => `${v.checks.ticks} (${v.checks.errors})`],
  ['resharder moves', (v) => kv(v.resharder)],
  ['acknowledged writes (lost)', (v) => `${v.writes.acked} (${v.writes.ackedLost})`],
  ['keys lost / unreadable', (v) => `${v.keys.lost} / ${v.keys.unreadable ?? 0} of ${v.keys.static}`],
  ['open slots at the end', (v) => (v.end.openSlots.length ? v.end.openSlots.join(', ') : 'none')],
  ['uncovered slots at the end', (v) => (v.end.uncovered.length ? v.end.uncovered.join(', ') : 'none')],
  ['actions on a slot being moved', (v) => String(v.actionsOnProgressingMigration.length)],
  ['escalations (failed or escalated actions)', (v) => String(v.escalations.length)],
  ['verdict', (v) => (v.ok ? 'pass' : 'FAIL')],
];
console.log(`| | ${runs.map((v) => v.server).join(' | ')} |`);
console.log(`| --- | ${runs.map(() => '---').join(' | ')} |`);
for (const [name, cell] of rows) console.log(`| ${name} | ${runs.map(cell).join(' | ')} |`);
