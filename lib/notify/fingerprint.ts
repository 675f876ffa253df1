import type { Finding } from '../checks/types';
import { formatRanges } from '../topology/slots';

/** What makes two findings "the same problem" across runs: id, slots and nodes, not the wording. */
export function fingerprint(finding: Finding): string {
  return [finding.id, formatRanges(finding.slots ?? []), [...(finding.nodes ?? [])].sort().join(',')].join(
    '|',
  );
}
