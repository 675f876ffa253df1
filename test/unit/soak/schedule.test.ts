import { describe, expect, it } from 'vitest';
import { drawSchedule, FAULT_KINDS } from '../../../lib/soak/schedule';

describe('the soak schedule', () => {
  it('the same seed draws the same faults; another seed, others', () => {
    expect(drawSchedule(23, 50, 2000)).toEqual(drawSchedule(23, 50, 2000));
    expect(drawSchedule(24, 50, 2000)).not.toEqual(drawSchedule(23, 50, 2000));
  });

  it('draws every kind of the catalog, SIGSTOPs below and beyond the node timeout', () => {
    const faults = drawSchedule(1, 400, 2000);
    expect(new Set(faults.map((f) => f.kind))).toEqual(new Set(FAULT_KINDS));
    for (const f of faults.filter((x) => x.kind === 'stop-below-timeout'))
      expect(f.holdMs).toBeLessThan(2000);
    for (const f of faults.filter((x) => x.kind === 'stop-beyond-timeout'))
      expect(f.holdMs).toBeGreaterThan(2000);
  });
});
