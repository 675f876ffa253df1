import type { Guard } from './types';

/** Rule 4: the remedy acts only on a sub-case it knows to be safe; anything else goes to a person. */
export const knownSafe: Guard = {
  id: 'known-safe',
  check: ({ action }) =>
    action.subCase === 'escalate' ? { status: 'escalated', reason: action.escalate } : undefined,
};
