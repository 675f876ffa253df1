import { cli } from '../model/runbook';
import type { ClusterView } from '../model/view';
import { defineCheck } from './define';

/**
 * Two masters with the same config epoch in some reachable node's view. Epochs decide whose claim
 * on a slot wins, so a tie can let a stale claim win. Redis resolves a collision itself as soon as
 * the two masters exchange a ping: one that lasts means they cannot reach each other on the bus.
 * Epoch 0 (a node never given an epoch) is not a collision.
 */
export const epochCollision = defineCheck({
  id: 'epoch-collision',
  severity: 'warning',
  title: 'Masters share a config epoch',
  check(view) {
    const collisions = new Map<string, { epoch: number; ids: string[]; seenBy: string[] }>();
    if (!mayCollide(view)) return [];
    // Every view lists every master: one map reused for all, lists built only for a collision.
    const first = new Map<number, { id: string; at: number }>();
    for (const { observation } of view.observers) {
      first.clear();
      let byEpoch: Map<number, { ids: string[]; at: number }> | undefined;
      (observation.clusterNodes ?? []).forEach((e, at) => {
        if (e.role !== 'master' || e.handshake || e.configEpoch === 0) return;
        const earlier = first.get(e.configEpoch);
        if (earlier === undefined) {
          first.set(e.configEpoch, { id: e.id, at });
          return;
        }
        byEpoch ??= new Map();
        const shared = byEpoch.get(e.configEpoch);
        if (shared) shared.ids.push(e.id);
        else byEpoch.set(e.configEpoch, { ids: [earlier.id, e.id], at: earlier.at });
      });
      // In the order the view first printed each epoch.
      const found = [...(byEpoch?.entries() ?? [])].sort((a, b) => a[1].at - b[1].at);
      for (const [epoch, { ids }] of found) {
        const key = `${epoch} ${ids.sort().join(' ')}`;
        const collision = collisions.get(key) ?? { epoch, ids, seenBy: [] };
        collision.seenBy.push(observation.address);
        collisions.set(key, collision);
      }
    }
    if (collisions.size === 0) return [];
    const list = [...collisions.values()];
    const involved = [...new Set(list.flatMap((c) => c.ids))];
    const reachable = involved.filter((id) => view.nodes.get(id)?.observation?.reachable);
    return [
      {
        summary: list
          .map(
            (c) => `masters ${c.ids.map((id) => view.label(id)).join(' and ')} share config epoch ${c.epoch}`,
          )
          .join('; '),
        nodes: involved.map((id) => view.addressOf(id)),
        evidence: {
          collisions: list.map((c) => ({
            epoch: c.epoch,
            masters: c.ids.map((id) => ({ id, address: view.addressOf(id) })),
            seenBy: c.seenBy,
          })),
        },
        runbook: [
          'Redis resolves a collision when the two masters ping each other: check that their cluster bus ports reach each other.',
          ...reachable
            .slice(0, 1)
            .map((id) => `Or give one a new epoch: ${cli(view.addressOf(id), 'CLUSTER', 'BUMPEPOCH')}`),
          ...(view.observers[0] ? [cli(view.observers[0].observation.address, 'CLUSTER', 'NODES')] : []),
        ],
      },
    ];
  },
});

/**
 * False when no two masters' lines, in any view, share an epoch: then no view can show a collision, and
 * a thousand views need not be walked. Views share their lines, so this reads each distinct line once.
 */
function mayCollide(view: ClusterView): boolean {
  const byEpoch = new Map<number, string>();
  for (const facts of view.nodes.values()) {
    for (const line of view.linesOf(facts.id)) {
      if (line.role !== 'master' || line.handshake || line.configEpoch === 0) continue;
      const other = byEpoch.get(line.configEpoch);
      if (other !== undefined && other !== line.id) return true;
      byEpoch.set(line.configEpoch, line.id);
    }
  }
  return false;
}
