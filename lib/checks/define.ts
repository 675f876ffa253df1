import { ClusterView } from '../model/view';
import type { Check, CheckDefinition, CheckMeta, Finding, FindingDraft } from './types';

/** Stamps a check's id, and its default severity where the draft keeps it, on what the check found. */
export function stamp(meta: CheckMeta, drafts: FindingDraft[]): Finding[] {
  return drafts.map(({ severity, ...draft }) => ({
    id: meta.id,
    severity: severity ?? meta.severity,
    ...draft,
  }));
}

/** A check: its metadata and its pure `check(view)`; `run(snapshot)` runs it alone (tests, tools). */
export function defineCheck(definition: CheckDefinition): Check {
  return { ...definition, run: (snapshot) => stamp(definition, definition.check(new ClusterView(snapshot))) };
}
