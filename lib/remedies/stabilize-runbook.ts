import { cli } from '../model/runbook';
import { runbookMigrateAuth } from '../model/runbook-auth';
import type { ClusterView } from '../model/view';

/**
 * The runbook lines of a MIGRATE loop from `source` to `to`, as a person would type them: on a
 * password cluster with `AUTH "$REDISCLI_AUTH"` (the secret never in the line).
 */
export function migrateCommands(
  view: ClusterView,
  source: string,
  to: { host: string; port: number },
  slot: number,
): string[] {
  const auth = runbookMigrateAuth(view.snapshot);
  return [
    `${cli(source, 'CLUSTER', 'GETKEYSINSLOT', slot, 100)}   # repeat until empty:`,
    `${cli(source, 'MIGRATE', to.host, to.port, '""', 0, 10000, ...auth, 'KEYS', '<keys...>')}   # never REPLACE`,
  ];
}
