/**
 * Ids of the guarded remedies (DESIGN §5): the one list the config schema, the allow-list, the CLI
 * and the catalog read. No imports, so the config can use it without loading any remedy's code.
 */
export const REMEDY_IDS = [
  'stabilize-open-slot',
  'assign-uncovered-slots',
  'forget-ghost-node',
  'promote-replica',
] as const;
export type RemedyId = (typeof REMEDY_IDS)[number];

export const isRemedyId = (value: string): value is RemedyId => REMEDY_IDS.some((id) => id === value);
