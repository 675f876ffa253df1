import type { Guard } from './types';

/**
 * Rule 2: the same problem, in the same state (markers, key counts on both sides, flags), in two
 * observations at least `settleMs` apart. A reshard in flight moves keys between them and is refused.
 * Where the scheduled checks' confirmations are given (the remediation function reads them from the
 * state table), the action must also be one they saw unchanged in two runs in a row: however the
 * run was started, it acts only on what the schedule saw persist.
 */
export const persistence: Guard = {
  id: 'persistence',
  check({ action, earlier, first, second, policy }) {
    const gap = Date.parse(second.snapshot.takenAt) - Date.parse(first.snapshot.takenAt);
    if (gap < policy.settleMs) {
      return {
        status: 'refused',
        reason: `observations only ${gap} ms apart (settle ${policy.settleMs} ms)`,
      };
    }
    if (!earlier)
      return { status: 'refused', reason: 'not seen in the first observation: too new to act on' };
    if (earlier.subCase !== action.subCase || earlier.fingerprint !== action.fingerprint) {
      return {
        status: 'refused',
        reason: `changed between observations ${gap} ms apart (in progress?): was ${earlier.fingerprint}, now ${action.fingerprint}`,
      };
    }
    const confirmed = policy.confirmed?.[action.key];
    if (policy.confirmed && confirmed !== action.fingerprint)
      return {
        status: 'refused',
        reason: confirmed
          ? `not as the scheduled checks confirmed it: they saw ${confirmed}, now ${action.fingerprint}`
          : 'not seen unchanged by the last two scheduled checks',
      };
    return undefined;
  },
};
