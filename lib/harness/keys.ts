import { keySlot, tagForSlot } from '../topology/keyslot';
import { SLOT_COUNT } from '../topology/types';
import type { HarnessNode, TestCluster } from './cluster';

/** Key counts across the masters: the proof that nothing was lost. */
export interface KeyLedger {
  total: number;
  /** slot -> keys, summed over every master that holds keys of it (only non-zero slots). */
  perSlot: Map<number, number>;
  /** node address -> keys it holds, masters only. */
  perNode: Map<string, number>;
}

/** Counts keys of every slot on every live master with one pipeline of COUNTKEYSINSLOT per master. */
export async function keyLedger(cluster: TestCluster): Promise<KeyLedger> {
  const ledger: KeyLedger = { total: 0, perSlot: new Map(), perNode: new Map() };
  for (const master of await cluster.liveMasters()) {
    const pipeline = master.process.redis().pipeline();
    for (let slot = 0; slot < SLOT_COUNT; slot++) pipeline.call('CLUSTER', 'COUNTKEYSINSLOT', String(slot));
    const replies = (await pipeline.exec()) ?? [];
    let nodeTotal = 0;
    replies.forEach(([error, count], slot) => {
      if (error) throw error;
      const n = Number(count);
      if (n > 0) {
        ledger.perSlot.set(slot, (ledger.perSlot.get(slot) ?? 0) + n);
        nodeTotal += n;
      }
    });
    ledger.perNode.set(master.address, nodeTotal);
    ledger.total += nodeTotal;
  }
  return ledger;
}

/** `count` key names in `slot`, distinct per `prefix`. */
export function keysInSlot(slot: number, count: number, prefix = 'k'): string[] {
  const tag = tagForSlot(slot);
  return Array.from({ length: count }, (_, i) => `${tag}:${prefix}:${i}`);
}

/**
 * Writes keys straight to the node that owns their slot (no redirections), in pipelines.
 * `keys` defaults to `count` keys spread over all slots.
 */
export async function loadKeys(cluster: TestCluster, count: number, keys?: string[]): Promise<string[]> {
  const names = keys ?? Array.from({ length: count }, (_, i) => `key:${i}`);
  const owners = await cluster.slotOwners();
  const bySlotOwner = new Map<HarnessNode, string[]>();
  for (const key of names) {
    const slot = keySlot(key);
    const owner = owners[slot];
    if (!owner) throw new Error(`slot ${slot} of key ${key} has no owner: cannot load it`);
    const list = bySlotOwner.get(owner) ?? [];
    list.push(key);
    bySlotOwner.set(owner, list);
  }
  for (const [owner, list] of bySlotOwner) await writeKeys(owner, list);
  return names;
}

/** Writes keys to one node directly (it must own or be importing their slots, with ASKING for the latter). */
export async function writeKeys(node: HarnessNode, keys: string[], asking = false): Promise<void> {
  const client = node.process.redis();
  if (client.status === 'wait') await client.connect();
  for (let i = 0; i < keys.length; i += 1000) {
    const pipeline = client.pipeline();
    for (const key of keys.slice(i, i + 1000)) {
      if (asking) pipeline.call('ASKING');
      pipeline.set(key, `value-of-${key}`);
    }
    const replies = (await pipeline.exec()) ?? [];
    const failed = replies.find(([error]) => error);
    if (failed) throw failed[0];
  }
}
