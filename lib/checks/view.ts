import type { NodeObservation, Snapshot } from '../observe/types';
import { type ClusterNodeEntry, SLOT_COUNT } from '../topology/types';

/** One node as the whole snapshot knows it: its own answer if it gave one, and what others say of it. */
export interface NodeFacts {
  id: string;
  /** "host:port", as dialled or announced. */
  address: string;
  /** The node's own observation, when the checker reached it (matched by id or address). */
  observation?: NodeObservation;
  /** Its own `myself` line, when reachable. */
  self?: ClusterNodeEntry;
  /** observer address -> the line that observer printed for this node. */
  seenBy: Map<string, ClusterNodeEntry>;
  /** Role by the node's own word when reachable, else by the majority of observers. */
  role: 'master' | 'replica' | 'unknown';
  masterId: string | null;
}

export interface OpenSlotMarker {
  slot: number;
  /** Node (address) that has the marker. */
  node: string;
  nodeId: string;
  kind: 'migrating' | 'importing';
  /** The other side's node id, as named in the marker. */
  peer: string;
}

/**
 * Facts derived once from a snapshot and shared by every check: who is who, who owns what in each
 * reachable node's view, and which slots are open. Pure: a function of the snapshot alone.
 */
export class ClusterView {
  readonly nodes = new Map<string, NodeFacts>();
  /** Reachable observations that printed a parseable `myself` line. */
  readonly observers: { observation: NodeObservation; self: ClusterNodeEntry }[] = [];
  /** slot -> set of owner ids claimed across all reachable views. */
  private readonly claims: Set<string>[] = Array.from({ length: SLOT_COUNT }, () => new Set());
  readonly openSlots: OpenSlotMarker[] = [];

  constructor(readonly snapshot: Snapshot) {
    for (const observation of snapshot.nodes) {
      const self = observation.clusterNodes?.find((e) => e.myself);
      if (observation.reachable && self) this.observers.push({ observation, self });
    }
    for (const { observation } of this.observers) {
      for (const entry of observation.clusterNodes ?? []) {
        const facts = this.factsFor(entry, observation);
        facts.seenBy.set(observation.address, entry);
        for (const [first, last] of entry.slots) {
          for (let slot = first; slot <= last; slot++) this.claims[slot]?.add(entry.id);
        }
      }
    }
    for (const { observation, self } of this.observers) {
      const facts = this.nodes.get(self.id);
      if (facts) {
        facts.observation = observation;
        facts.self = self;
        facts.address = observation.address;
      }
      for (const m of self.migrating) {
        this.openSlots.push({
          slot: m.slot,
          node: observation.address,
          nodeId: self.id,
          kind: 'migrating',
          peer: m.target,
        });
      }
      for (const i of self.importing) {
        this.openSlots.push({
          slot: i.slot,
          node: observation.address,
          nodeId: self.id,
          kind: 'importing',
          peer: i.source,
        });
      }
    }
    for (const facts of this.nodes.values()) this.settleRole(facts);
    this.openSlots.sort((a, b) => a.slot - b.slot || a.node.localeCompare(b.node));
  }

  private factsFor(entry: ClusterNodeEntry, observation: NodeObservation): NodeFacts {
    let facts = this.nodes.get(entry.id);
    if (!facts) {
      const host = entry.hostname || entry.ip;
      const address = entry.myself
        ? observation.address
        : host
          ? `${host}:${entry.port}`
          : `(no address) ${entry.id}`;
      facts = { id: entry.id, address, seenBy: new Map(), role: 'unknown', masterId: null };
      this.nodes.set(entry.id, facts);
    }
    return facts;
  }

  private settleRole(facts: NodeFacts): void {
    const source = facts.self ? [facts.self] : [...facts.seenBy.values()];
    const masters = source.filter((e) => e.role === 'master').length;
    const replicas = source.filter((e) => e.role === 'replica');
    if (masters === 0 && replicas.length === 0) return;
    if (replicas.length > masters) {
      facts.role = 'replica';
      facts.masterId = replicas[0]?.masterId ?? null;
    } else facts.role = 'master';
  }

  /** Ids claiming `slot` in any reachable view. */
  claimants(slot: number): Set<string> {
    return this.claims[slot] ?? new Set();
  }

  /** The owner of `slot` in one observer's view. */
  ownerIn(observer: NodeObservation, slot: number): string | undefined {
    return observer.clusterNodes?.find((e) => e.slots.some(([a, b]) => slot >= a && slot <= b))?.id;
  }

  /** Owner by majority of the reachable masters' views (ties and no claim: undefined). */
  majorityOwner(slot: number): string | undefined {
    const votes = new Map<string, number>();
    for (const { observation, self } of this.observers) {
      if (self.role !== 'master') continue;
      const owner = this.ownerIn(observation, slot);
      if (owner) votes.set(owner, (votes.get(owner) ?? 0) + 1);
    }
    const ranked = [...votes].sort((a, b) => b[1] - a[1]);
    if (ranked.length === 0 || (ranked.length > 1 && ranked[0]?.[1] === ranked[1]?.[1])) return undefined;
    return ranked[0]?.[0];
  }

  /** Address of a node id, or the id itself when the snapshot never saw it. */
  addressOf(id: string): string {
    return this.nodes.get(id)?.address ?? id;
  }

  /** Keys of `slot` on the node at `address`, when counted. */
  keysIn(address: string, slot: number): number | undefined {
    const o = this.snapshot.nodes.find((n) => n.address === address);
    return o?.slotKeyCounts?.[String(slot)];
  }

  /** Nodes the snapshot knows, masters first, by address. */
  list(): NodeFacts[] {
    return [...this.nodes.values()].sort(
      (a, b) =>
        Number(b.role === 'master') - Number(a.role === 'master') || a.address.localeCompare(b.address),
    );
  }
}

/** Views are derived once per snapshot and shared by all checks. */
const cache = new WeakMap<Snapshot, ClusterView>();
export function viewOf(snapshot: Snapshot): ClusterView {
  let view = cache.get(snapshot);
  if (!view) {
    view = new ClusterView(snapshot);
    cache.set(snapshot, view);
  }
  return view;
}
