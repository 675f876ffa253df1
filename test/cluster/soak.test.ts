import { describe, expect, it } from 'vitest';
import { runSoak } from '../../lib/soak/run';
import { renderVerdict } from '../../lib/soak/verdict';

describe('chaos soak, test-sized (fixed seed)', () => {
  it('the scheduled check/fix loop in auto heals every fault and loses nothing', async () => {
    const lines: string[] = [];
    const verdict = await runSoak({ minutes: 0.6, seed: 7, log: (line) => lines.push(line) });
    const why = `${renderVerdict(verdict)}\n--- log ---\n${lines.join('\n')}`;
    // The soak really ran: faults drawn and applied, scheduled checks, acknowledged writes.
    expect(verdict.faults.total, why).toBeGreaterThanOrEqual(2);
    expect(verdict.checks.ticks, why).toBeGreaterThan(3);
    expect(verdict.writes.acked, why).toBeGreaterThan(100);
    // The loop repaired what the faults left (a killed resharder's open slot at the least).
    expect(verdict.actions.byStatus.applied ?? 0, why).toBeGreaterThan(0);
    expect(verdict.heal.unhealed, why).toBe(0);
    expect(verdict.heal.byOperator, why).toEqual([]);
    expect(verdict.writes.ackedLost, why).toBe(0);
    expect(verdict.writes.unreadable, why).toBe(0);
    expect(verdict.keys.lost, why).toBe(0);
    expect(verdict.keys.unreadable, why).toBe(0);
    expect(verdict.end.openSlots, why).toEqual([]);
    expect(verdict.end.uncovered, why).toEqual([]);
    expect(verdict.end.notOk, why).toEqual([]);
    expect(verdict.actionsOnProgressingMigration, why).toEqual([]);
    expect(verdict.ok, why).toBe(true);
  }, 420_000);
});
