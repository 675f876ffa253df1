import type { HarnessNode, TestCluster } from '../harness';
import { clusterState } from './health';

/**
 * What a person does for the escalation the soak expects on Redis 7: the source of a move failed
 * over, its heir (no `MIGRATING` mark: Redis 7 does not replicate it) served the slot, and clients
 * wrote keys already moved, so those keys are on both sides and finishing the move meets `BUSYKEY`.
 * The copy clients read, and the newer one, is the owner's: the importing target's copy of each such
 * key is deleted, and the scheduled loop finishes the move. Returns what was done (nothing when the
 * cluster is not in that state).
 */
export async function resolveKeysOnBothSides(cluster: TestCluster): Promise<string[]> {
  const done: string[] = [];
  for (const state of await clusterState(cluster)) {
    for (const mark of state.marks) {
      const importing = /^\[(\d+)-<-/.exec(mark);
      if (!importing) continue;
      const slot = Number(importing[1]);
      const target = cluster.node(state.address);
      const owner = await cluster.ownerOf(
        slot,
        cluster.nodes.find((n) => n !== target && n.process.alive),
      );
      if (!owner || owner === target) continue;
      const keys = (await target.process.command('CLUSTER', 'GETKEYSINSLOT', slot, 10_000)) as string[];
      const twins: string[] = [];
      for (const key of keys) if (await holds(owner, key)) twins.push(key);
      if (twins.length === 0) continue;
      const pipeline = target.process.redis().pipeline();
      for (const key of twins) pipeline.asking().del(key);
      await pipeline.exec();
      done.push(
        `slot ${slot}: ${twins.length} key(s) on both ${owner.address} (owner) and ${target.address} (importing): the importing copy deleted`,
      );
    }
  }
  return done;
}

/** Whether the owner holds `key` itself: migrating (the fix re-opened the move), it answers ASK for a key it lacks. */
async function holds(owner: HarnessNode, key: string): Promise<boolean> {
  try {
    return Number(await owner.process.command('EXISTS', key)) === 1;
  } catch (error) {
    if (String(error).includes('ASK')) return false;
    throw error;
  }
}
