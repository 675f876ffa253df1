/** The Lambda limit: a run still going at 900 s is killed, with no report and its lock held. */
export const LAMBDA_LIMIT_S = 900;

/**
 * What one remediation run may take at worst, in seconds, before the runner's own deadline stops
 * it: the settle wait, the observations (two before planning, a third when a rotated secret is read
 * again, the fresh one before the action, the one after it (which, after a failure, also records the
 * state it left), and the report's), one action (apply plus
 * the 15 s verify window), the two readings of the keys expired around it (2 s each),
 * the 15 s wait for gossip after it, and the margin kept for the report, the
 * history, the messages and the lock. Later actions are never started past the deadline and a key
 * move stops between rounds at it, so a run that could take longer still ends in time: this bound
 * is what makes a run with anything to do at all fit the Lambda limit.
 */
export const REMEDIATION_BUDGET = {
  observations: 6,
  actionS: 120,
  verifyS: 15,
  expiriesS: 4,
  settleReportS: 15,
  reportMarginS: 60,
} as const;

export function remediationWorstCaseS(settleMs: number, timeoutMs: number): number {
  const b = REMEDIATION_BUDGET;
  return Math.ceil(
    settleMs / 1000 +
      (b.observations * timeoutMs) / 1000 +
      b.actionS +
      b.verifyS +
      b.expiriesS +
      b.settleReportS +
      b.reportMarginS,
  );
}

/** The check function: one observation, a second one after reading a rotated secret again, 60 s for the rest. */
export function checkWorstCaseS(timeoutMs: number): number {
  return Math.ceil((2 * timeoutMs) / 1000) + 60;
}
