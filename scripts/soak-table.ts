/**
 * `npx tsx scripts/soak-table.ts RESULT.json...`: the README's table of soak runs, one row per
 * verdict file that `npm run soak` wrote.
 */
import { readFileSync } from 'node:fs';
import type { SoakVerdict } from '../lib/soak/verdict';

const secs = (ms: number | undefined) => (ms === undefined ? '-' : (ms / 1000).toFixed(1));
const kv = (o: Record<string, number>) =>
  Object.entries(o)
    .sort()
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');

console.log(
  '| server | min, seed | load (1 min, start → end) | faults | actions | heal s (median / p95 / max) | messages | acked writes (lost) | keys lost | open / uncovered at end | actions on a moving slot | escalations | verdict |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const file of process.argv.slice(2)) {
  const v = JSON.parse(readFileSync(file, 'utf8')) as SoakVerdict;
  const open = v.end.openSlots.length;
  const uncovered = v.end.uncovered.length;
  console.log(
    `| ${v.server} | ${v.minutes}, ${v.seed} (ran ${v.durationS} s) | ${v.load.before[0]} → ${v.load.after[0]} | ${v.faults.total}: ${kv(v.faults.byKind)} | ${kv(v.actions.byStatus) || 'none'} (${kv(v.actions.byRemedy)}) | ${secs(v.heal.medianMs)} / ${secs(v.heal.p95Ms)} / ${secs(v.heal.maxMs)}${v.heal.byOperator.length ? `; ${v.heal.byOperator.length} after a person's step` : ''}${v.heal.unhealed ? `; ${v.heal.unhealed} not healed` : ''} | ${kv(v.messages.bySeverity)} | ${v.writes.acked} (${v.writes.ackedLost}) | ${v.keys.lost} of ${v.keys.static} | ${open ? v.end.openSlots.join(' ') : 'none'} / ${uncovered ? v.end.uncovered.join(' ') : 'none'} | ${v.actionsOnProgressingMigration.length} | ${v.escalations.length} | ${v.ok ? 'pass' : 'FAIL'} |`,
  );
}
