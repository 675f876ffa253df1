import type { Snapshot } from './types';

/**
 * Every node that answered refused the credentials: nothing else was learnt, and the password may
 * have been rotated since it was read (the callers read the secret again once before reporting).
 */
export function credentialsRefused(snapshot: Snapshot): boolean {
  const answered = snapshot.nodes.filter((n) => n.error?.kind !== 'refused' && n.error?.kind !== 'timeout');
  return answered.length > 0 && answered.every((n) => n.error?.kind === 'auth');
}
