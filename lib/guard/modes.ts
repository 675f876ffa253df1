/**
 * Remediation modes (DESIGN §5 rule 1): `off` plans nothing to run, `dry-run` shows what would run,
 * `auto` acts. No imports, so the config and the service can use it without loading the guards.
 */
export const REMEDIATION_MODES = ['off', 'dry-run', 'auto'] as const;
export type Mode = (typeof REMEDIATION_MODES)[number];
