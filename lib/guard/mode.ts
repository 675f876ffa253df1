import type { Guard } from './types';

/** Rule 1: only `auto` acts; `dry-run` (the default) shows what would run; `off` plans nothing to run. */
export const mode: Guard = {
  id: 'mode',
  check({ policy }) {
    if (policy.mode === 'auto') return undefined;
    if (policy.mode === 'off') return { status: 'refused', reason: 'remediation mode is off' };
    return { status: 'dry-run', reason: 'dry-run: would apply (run with --yes / mode auto)' };
  },
};
