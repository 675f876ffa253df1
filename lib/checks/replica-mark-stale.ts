import { cli } from '../model/runbook';
import { defineCheck } from './define';

/**
 * Valkey 8 replicates `CLUSTER SETSLOT` to replicas, so a replica prints its primary's migration
 * marks. A replica that missed the primary's closing SETSLOT (a full resync does not carry marks)
 * keeps a mark its primary no longer has: after a failover it would come up with a phantom open
 * slot (valkey-io/valkey#998, #1664). Redis 7 replicas never print marks.
 */
export const replicaMarkStale = defineCheck({
  id: 'replica-mark-stale',
  severity: 'warning',
  title: 'Replica with a migration mark its primary does not have',
  check(view) {
    return view.staleReplicaMarks().map(({ mark, primary }) => {
      const what = `${mark.kind} ${mark.kind === 'migrating' ? 'to' : 'from'} ${view.addressOf(mark.peer)}`;
      return {
        summary: `replica ${mark.node} shows slot ${mark.slot} ${what}; its primary ${view.addressOf(primary)} has no mark on that slot: a failover would promote a phantom open slot`,
        slots: [[mark.slot, mark.slot]],
        nodes: [mark.node, view.addressOf(primary)],
        evidence: {
          replica: { address: mark.node, id: mark.nodeId },
          primary: { address: view.addressOf(primary), id: primary },
          mark: { slot: mark.slot, kind: mark.kind, peer: mark.peer, peerAddress: view.addressOf(mark.peer) },
        },
        runbook: [
          `# The primary has no mark on slot ${mark.slot}: STABLE there changes nothing on it and is replicated, clearing the replica's copy.`,
          cli(view.addressOf(primary), 'CLUSTER', 'SETSLOT', mark.slot, 'STABLE'),
          cli(mark.node, 'CLUSTER', 'NODES'),
        ],
        remedy: 'stabilize-open-slot',
      };
    });
  },
});
