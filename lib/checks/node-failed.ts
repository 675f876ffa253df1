import { cli } from '../model/runbook';
import { countSlots } from '../topology/slots';
import { defineCheck } from './define';
import type { FindingDraft } from './types';

/** A node some reachable observer flags `fail`: the cluster agreed it is down (it may have failed over). */
export const nodeFailed = defineCheck({
  id: 'node-failed',
  severity: 'warning',
  title: 'Node flagged fail',
  check(view) {
    const findings: FindingDraft[] = [];
    for (const node of view.list()) {
      const votes = view.failVotes(node.id);
      if (votes.fail.length === 0) continue;
      const slots = view.lineOf(node.id)?.slots ?? [];
      const owned = countSlots(slots);
      const seed = view.observers.find((o) => o.self.id !== node.id)?.observation.address ?? node.address;
      findings.push({
        summary:
          `${node.role === 'unknown' ? 'node' : node.role} ${view.label(node.id)} is flagged fail by ` +
          `${votes.fail.length} of ${votes.listingCount} observer(s)` +
          (owned > 0 ? ` and still owns ${owned} slot(s)` : ''),
        nodes: [node.address],
        evidence: {
          id: node.id,
          address: node.address,
          role: node.role,
          masterId: node.masterId,
          flaggedFailBy: votes.fail,
          flaggedPfailBy: votes.pfail,
          observersListingIt: votes.listing,
          reachableFromChecker: node.observation?.reachable ?? false,
          ownedSlots: owned,
        },
        runbook: [
          cli(node.address, 'PING'),
          cli(seed, 'CLUSTER', 'NODES'),
          ...(owned > 0
            ? [
                'It still owns slots: see the slots-owner-failed finding (promote a replica or bring it back).',
              ]
            : [
                'Bring it back, or if it is gone for good forget it on every node within 60 s:',
                ...votes.listing.slice(0, 12).map((o) => cli(o, 'CLUSTER', 'FORGET', node.id)),
              ]),
        ],
      });
    }
    return findings;
  },
});
