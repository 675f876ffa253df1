import { rangesFromSlots, slotsInRanges } from '../topology/slots';
import { SLOT_COUNT } from '../topology/types';
import type { NodeClient } from './connection';
import type { NodeObservation } from './types';

/**
 * The slots whose key counts the checks and remedies need: slots open anywhere, slots no reachable
 * node assigns, and slots the reachable nodes disagree about.
 */
export function slotsThatMatter(observations: NodeObservation[]): Set<number> {
  const result = new Set<number>();
  const owners: (string | undefined)[] = new Array(SLOT_COUNT);
  const disputed = new Set<number>();
  for (const o of observations) {
    for (const entry of o.clusterNodes ?? []) {
      if (entry.myself) {
        for (const m of entry.migrating) result.add(m.slot);
        for (const i of entry.importing) result.add(i.slot);
      }
      for (const [first, last] of entry.slots) {
        for (let slot = first; slot <= last; slot++) {
          const previous = owners[slot];
          if (previous === undefined) owners[slot] = entry.id;
          else if (previous !== entry.id) disputed.add(slot);
        }
      }
    }
  }
  for (let slot = 0; slot < SLOT_COUNT; slot++) if (owners[slot] === undefined) result.add(slot);
  for (const slot of disputed) result.add(slot);
  return result;
}

/**
 * Counts keys on one master: the slots that matter and, in a deep scan, every slot it owns, with
 * `DBSIZE` in the same pipeline. When the sums disagree, keys live in slots the node does not own (or writes raced the
 * count), so the remaining slots are counted too. Records the slots that matter and every slot
 * holding keys the node does not own. Replicas mirror their master and are skipped.
 */
export async function countKeys(
  client: NodeClient,
  observation: NodeObservation,
  matter: Set<number>,
  deep: boolean,
): Promise<void> {
  const myself = observation.clusterNodes?.find((e) => e.myself);
  if (myself?.role !== 'master') return;
  try {
    const owned = new Set<number>();
    for (const [first, last] of myself.slots) for (let s = first; s <= last; s++) owned.add(s);
    // Owned slots are counted only in a deep scan: that is what finds keys in slots a node does not own.
    const first = deep ? [...owned, ...[...matter].filter((s) => !owned.has(s))] : [...matter];
    const counts = await countSlots(client, first, true);
    const dbsize = counts.dbsize ?? 0;
    let seen = 0;
    for (const n of counts.bySlot.values()) seen += n;
    if (deep && seen < dbsize) {
      const rest: number[] = [];
      for (let s = 0; s < SLOT_COUNT; s++) if (!owned.has(s) && !matter.has(s)) rest.push(s);
      for (const [slot, n] of (await countSlots(client, rest, false)).bySlot) counts.bySlot.set(slot, n);
    }
    const recorded: Record<string, number> = {};
    for (const [slot, n] of counts.bySlot) {
      if (matter.has(slot) || (!owned.has(slot) && n > 0)) recorded[String(slot)] = n;
    }
    observation.slotKeyCounts = recorded;
    observation.info ??= {};
    observation.info.keyspace ??= {};
    observation.info.keyspace.dbsize = String(dbsize);
  } catch (error) {
    observation.error ??= client.describe(error);
  }
}

/**
 * Counts keys per slot in one round trip: a read-only script walks the ranges on the server
 * (thousands of COUNTKEYSINSLOT calls cost about a millisecond there, against tens of milliseconds
 * of client work as separate pipelined commands). Where scripts are refused (ACLs, older servers,
 * managed services) the same counts come from a pipeline.
 */
const COUNT_SCRIPT = `#!lua flags=no-writes,allow-stale
local out = {}
for i = 1, #ARGV, 2 do
  for s = tonumber(ARGV[i]), tonumber(ARGV[i + 1]) do
    out[#out + 1] = redis.call('CLUSTER', 'COUNTKEYSINSLOT', tostring(s))
  end
end
return out`;

async function countSlots(client: NodeClient, slots: number[], withDbsize: boolean) {
  const ranges = rangesFromSlots(slots);
  const inOrder = [...slotsInRanges(ranges)];
  const scripted = client.redis.pipeline();
  scripted.call('EVAL', COUNT_SCRIPT, '0', ...ranges.flat().map(String));
  if (withDbsize) scripted.dbsize();
  const [script, size] = (await scripted.exec()) ?? [];
  const dbsize = size && !size[0] ? Number(size[1]) : undefined;
  if (script && !script[0] && Array.isArray(script[1]) && script[1].length === inOrder.length) {
    const counts = script[1] as unknown[];
    return { bySlot: new Map(inOrder.map((slot, i) => [slot, Number(counts[i])])), dbsize };
  }
  return { bySlot: await pipelinedCounts(client, inOrder), dbsize };
}

async function pipelinedCounts(client: NodeClient, slots: number[]): Promise<Map<number, number>> {
  const pipeline = client.redis.pipeline();
  for (const slot of slots) pipeline.call('CLUSTER', 'COUNTKEYSINSLOT', String(slot));
  const replies = (await pipeline.exec()) ?? [];
  const bySlot = new Map<number, number>();
  slots.forEach((slot, i) => {
    const [error, value] = replies[i] ?? [new Error('no reply'), null];
    if (error) throw error;
    bySlot.set(slot, Number(value));
  });
  return bySlot;
}
