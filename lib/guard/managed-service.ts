import type { Guard } from './types';

/** On ElastiCache/MemoryDB-like services (restricted commands) remedies are unavailable, not attempted. */
export const managedService: Guard = {
  id: 'managed-service',
  check({ second }) {
    const restricted = second.observers.filter((o) => o.observation.restrictedCommands?.length);
    if (restricted.length === 0) return undefined;
    const what = restricted[0]?.observation.restrictedCommands?.join(', ');
    return {
      status: 'unavailable',
      reason: `${restricted.length} node(s) restrict commands (${what}): a managed service; remedies are unavailable`,
    };
  },
};
