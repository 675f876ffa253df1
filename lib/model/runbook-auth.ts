import type { Snapshot } from '../observe/types';

/**
 * `MIGRATE`'s `AUTH`/`AUTH2` arguments for a runbook line, on a cluster the checker reached with a
 * password: the source node must authenticate to the target itself, and without them a person
 * following the runbook gets NOAUTH. The password comes from `REDISCLI_AUTH`, which redis-cli also
 * reads for its own connection, so the line works as printed and never carries the secret.
 */
export function runbookMigrateAuth(snapshot: Pick<Snapshot, 'auth'>): string[] {
  if (!snapshot.auth) return [];
  return snapshot.auth.user
    ? ['AUTH2', snapshot.auth.user, '"$REDISCLI_AUTH"']
    : ['AUTH', '"$REDISCLI_AUTH"'];
}
