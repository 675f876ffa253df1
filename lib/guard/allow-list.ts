import { REMEDIES } from '../remedies/catalog';
import type { Guard } from './types';

/** Rule 1 (second half): the remedy is on the allow-list; opt-in remedies must be named explicitly. */
export const allowList: Guard = {
  id: 'allow-list',
  check({ action, policy }) {
    const remedy = REMEDIES.find((r) => r.id === action.remedy);
    const allowed = policy.allow ? policy.allow.includes(action.remedy) : !remedy?.optIn;
    if (allowed) return undefined;
    return {
      status: 'refused',
      reason: remedy?.optIn
        ? `${action.remedy} is opt-in: add it to the allow-list (--allow ${action.remedy})`
        : `${action.remedy} is not on the allow-list (${policy.allow?.join(',') || 'empty'})`,
    };
  },
};
