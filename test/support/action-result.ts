import type { ActionResult } from '../../lib/remediate/result';

/** One line of a fix report: a `complete` close of slot 300 that was applied, with `over` on top. */
export const actionResult = (over: Partial<ActionResult>): ActionResult => ({
  remedy: 'stabilize-open-slot',
  key: 'stabilize-open-slot:300',
  subCase: 'complete',
  slots: [[300, 300]],
  nodes: ['10.0.0.1:6379', '10.0.0.2:6379'],
  status: 'applied',
  guard: 'verify',
  reason: 'verified',
  commands: [],
  ...over,
});
