import type { SlotContext } from './stabilize-types';

/**
 * Why a node a mark names, now a replica, is not proven replaced by `heir`; undefined when it is.
 * The proof: it replicates the heir (its own word), in sync (link up, no sync in progress), the
 * heir's `master_replid2` is the replication id the demoted node served as a master (a demoted node
 * that resumed by partial resync keeps it as its own `master_replid2`), and it holds no more keys of
 * the slot than the heir. A full resync leaves nothing to match: the node may have taken writes
 * after the failover, which that resync threw away, or finished a MIGRATE the heir never saw (a key
 * on both sides of the move): a person looks first.
 */
export function demotionUnproven(ctx: SlotContext, demoted: string, heir: string): string | undefined {
  const { view, slot, keys } = ctx;
  const [who, to] = [view.label(demoted), view.label(heir)];
  const master = view.replicating(demoted);
  if (master !== heir)
    return `${who} replicates ${master ? view.label(master) : 'no node'}, not the promoted ${to}`;
  const replication = view.nodes.get(demoted)?.observation?.info?.replication ?? {};
  const link = replication.master_link_status;
  const syncing = replication.master_sync_in_progress;
  if (link !== 'up' || syncing !== '0')
    return `${who} is not in sync with ${to} yet (master_link_status:${link ?? '?'}, master_sync_in_progress:${syncing ?? '?'}): wait for it`;
  const [own, heirs] = [view.replid2(demoted), view.replid2(heir)];
  if (!own)
    return `${who} resynced from scratch (its master_replid2 is empty): nothing shows that ${to} took over the replication stream ${who} served, and what ${who} wrote after the failover is gone: not known-safe`;
  if (own !== heirs)
    return `${to} took over replication stream ${heirs ?? '(none)'}, not ${own}, the one ${who} served: not known-safe`;
  const held = view.replicaKeysIn(demoted, slot);
  if (held === undefined) return `the keys of the slot on ${who} could not be counted`;
  if (held > keys(heir))
    return `${who} holds ${held} key(s) of the slot, more than the ${keys(heir)} on ${to}: keys the heir lacks`;
  return undefined;
}
