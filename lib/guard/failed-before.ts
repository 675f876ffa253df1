import type { Guard } from './types';

/**
 * Rule 4 across runs: an action whose last attempt failed on this very state (an error mid-way, such
 * as `BUSYKEY`: a key on both sides of a move) is not tried again. The same facts would meet the same
 * surprise, and a retry on every scheduled run pages on every run; it is escalated, once, until the
 * state changes (a person acted, or the cluster moved on). The remediation function remembers the
 * failures (lib/service/failed-attempts.ts); the check and the fix function both read them.
 */
export const failedBefore: Guard = {
  id: 'failed-before',
  check({ action, policy }) {
    if (policy.failedBefore?.[action.key] !== action.fingerprint) return undefined;
    return {
      status: 'escalated',
      reason:
        'its last attempt on this same state failed (the remediation message of that run says why): a retry would meet the same surprise. A person looks first; it is tried again once the state changes',
    };
  },
};
