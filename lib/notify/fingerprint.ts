import type { Finding } from '../checks/types';
import { formatRanges } from '../topology/slots';

/**
 * Findings about slots are the same problem while they concern the same slots; findings about nodes
 * while they concern the same nodes, however many slots those nodes serve meanwhile (a master that
 * gains slots still lacks a replica: not news).
 */
const SLOT_SCOPED = new Set([
  'slots-uncovered',
  'slot-open',
  'slots-owner-failed',
  'config-disagreement',
  'keys-in-unowned-slot',
]);

/** What makes two findings "the same problem" across runs: never the wording or the evidence. */
export function fingerprint(finding: Finding): string {
  const nodes = [...(finding.nodes ?? [])].sort().join(',');
  const slots = SLOT_SCOPED.has(finding.id) || !nodes ? formatRanges(finding.slots ?? []) : '';
  return [finding.id, slots, nodes].join('|');
}
