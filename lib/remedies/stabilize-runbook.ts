import { cli } from '../model/runbook';

/** The runbook lines of a MIGRATE loop from `source` to `to`, as a person would type them. */
export function migrateCommands(source: string, to: { host: string; port: number }, slot: number): string[] {
  return [
    `${cli(source, 'CLUSTER', 'GETKEYSINSLOT', slot, 100)}   # repeat until empty:`,
    `${cli(source, 'MIGRATE', to.host, to.port, '""', 0, 10000, 'KEYS', '<keys...>')}   # never REPLACE`,
  ];
}
