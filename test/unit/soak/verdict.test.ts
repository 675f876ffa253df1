import { describe, expect, it } from 'vitest';
import { actionWindow } from '../../../lib/soak/verdict';

describe('the soak verdict: when an action wrote', () => {
  const timeline = [
    { step: 'observe', ms: 40 },
    { step: 'lock', ms: 5 },
    { step: 'settle wait', ms: 1000 },
    { step: 'observe again', ms: 40 },
    { step: 'plan', ms: 2 },
    { step: 'stabilize-open-slot:955: re-observe and recheck', ms: 45 },
    { step: 'stabilize-open-slot:955: apply', ms: 30 },
    { step: 'stabilize-open-slot:955: verify', ms: 60 },
  ];

  it('is its recheck and its writes, placed on the run by the timeline', () => {
    // A move of the slot that starts while the run verifies (after the writes) is not the action's.
    expect(actionWindow(timeline, 'stabilize-open-slot:955', 10_000)).toEqual([11_087, 11_162]);
  });

  it('is unknown for an action the timeline does not name, or without a timeline', () => {
    expect(actionWindow(timeline, 'stabilize-open-slot:956', 0)).toBeUndefined();
    expect(actionWindow(undefined, 'stabilize-open-slot:955', 0)).toBeUndefined();
    expect(actionWindow(timeline, undefined, 0)).toBeUndefined();
  });
});
