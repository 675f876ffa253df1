import type { FixResult } from '../remediate/fix';

/** Failed attempts live beside the remediation notices, under keys of their own. */
const PREFIX = 'failed:';

/** Action key -> fingerprint of the state its last attempt failed on, from the stored notices. */
export function failedAttempts(notices: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(notices)
      .filter(([key]) => key.startsWith(PREFIX))
      .map(([key, fingerprint]) => [key.slice(PREFIX.length), fingerprint]),
  );
}

/**
 * The failed attempts to remember after a run, as notice entries: a failure is remembered with the
 * fingerprint of the state it left (`fingerprintLeft`, planned by the runner on its observation
 * after the failure; else the one it was planned with), forgotten once its action ran (applied or
 * stopped between rounds) or is no longer a candidate; a run the lock refused changes nothing.
 */
export function failedNotices(result: FixResult, previous: Record<string, string>): Record<string, string> {
  const remembered = { ...previous };
  if (!result.actions.some((a) => a.guard === 'lock')) {
    const candidates = new Set(result.actions.map((a) => a.key));
    for (const key of Object.keys(remembered)) if (!candidates.has(key)) delete remembered[key];
  }
  for (const action of result.actions) {
    if (action.status === 'applied' || action.status === 'stopped') delete remembered[action.key];
    if (action.status !== 'failed') continue;
    const fingerprint =
      action.fingerprintLeft ??
      result.plan.entries.find((e) => e.action.key === action.key)?.action.fingerprint;
    if (fingerprint) remembered[action.key] = fingerprint;
  }
  return Object.fromEntries(Object.entries(remembered).map(([key, fp]) => [`${PREFIX}${key}`, fp]));
}
