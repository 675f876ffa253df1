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
 * Facts derived once from a snapshot and shared by every check, guard and remedy (the model: it
 * imports none of them): who is who, who owns what in each reachable node's view, and which slots
 * are open. Pure: a function of the snapshot alone.
 */
export class ClusterView {
  readonly nodes = new Map<string, NodeFacts>();
  /** Reachable observations that printed a parseable `myself` line. */
  readonly observers: { observation: NodeObservation; self: ClusterNodeEntry }[] = [];
  /** slot -> set of owner ids claimed across all reachable views. */
  private readonly claims: Set<string>[] = Array.from({ length: SLOT_COUNT }, () => new Set());
  /** Migration marks on masters' own lines: the open slots. */
  readonly openSlots: OpenSlotMarker[] = [];
  /** Marks printed by replicas on their own lines (Valkey 8 copies its primary's; see the constructor). */
  readonly replicaMarks: OpenSlotMarker[] = [];
  private readonly ownerTables = new Map<NodeObservation, (string | undefined)[]>();
  private agreed?: (string | undefined)[];

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
      // Valkey 8 replicates CLUSTER SETSLOT to replicas (valkey-io/valkey#445), so a replica prints its
      // primary's migration marks on its own line; Redis 7 replicas never have any. A replica's mark
      // is a copy, not a second open slot: kept apart, and cleared by the primary's next SETSLOT.
      const markers = self.role === 'replica' ? this.replicaMarks : this.openSlots;
      for (const m of self.migrating) {
        markers.push({
          slot: m.slot,
          node: observation.address,
          nodeId: self.id,
          kind: 'migrating',
          peer: m.target,
        });
      }
      for (const i of self.importing) {
        markers.push({
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
    this.replicaMarks.sort((a, b) => a.slot - b.slot || a.node.localeCompare(b.node));
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

  /** The owner of `slot` in one observer's view (its {@link ownersIn} table). */
  ownerIn(observer: NodeObservation, slot: number): string | undefined {
    return this.ownersIn(observer)[slot];
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

  /**
   * slot -> owner id in one observer's view, built once per observer: the one owner table every
   * check, guard and remedy reads. A node prints each slot under exactly one line (its slot table
   * has one owner per slot), so two lines claiming a slot only come from damaged text; then the
   * first line wins (test/cluster/checks/owner-table.test.ts).
   */
  ownersIn(observer: NodeObservation): (string | undefined)[] {
    let table = this.ownerTables.get(observer);
    if (!table) {
      table = new Array<string | undefined>(SLOT_COUNT).fill(undefined);
      // Reversed so that the first line claiming a slot is written last and wins.
      for (const entry of [...(observer.clusterNodes ?? [])].reverse()) {
        // One string per id across tables: comparing the same string is a pointer check.
        const id = this.nodes.get(entry.id)?.id ?? entry.id;
        for (const [first, last] of entry.slots) table.fill(id, first, last + 1);
      }
      this.ownerTables.set(observer, table);
    }
    return table;
  }

  /** slot -> {@link majorityOwner} for every slot at once, computed once. */
  agreedOwners(): (string | undefined)[] {
    if (this.agreed) return this.agreed;
    const tables = this.observers
      .filter((o) => o.self.role === 'master')
      .map((o) => this.ownersIn(o.observation));
    const agreed = new Array<string | undefined>(SLOT_COUNT).fill(undefined);
    const votes = new Map<string, number>();
    for (let slot = 0; slot < SLOT_COUNT; slot++) {
      const first = tables[0]?.[slot];
      // The usual case, every view agreeing, needs no counting.
      if (sameEverywhere(tables, slot, first)) {
        agreed[slot] = first;
        continue;
      }
      votes.clear();
      for (const table of tables) {
        const owner = table[slot];
        if (owner) votes.set(owner, (votes.get(owner) ?? 0) + 1);
      }
      let best: string | undefined;
      let bestVotes = 0;
      let tie = false;
      for (const [owner, n] of votes) {
        if (n > bestVotes) [best, bestVotes, tie] = [owner, n, false];
        else if (n === bestVotes) tie = true;
      }
      agreed[slot] = tie ? undefined : best;
    }
    this.agreed = agreed;
    return agreed;
  }

  /** Owner id -> the slots the majority gives it, ascending (from {@link agreedOwners}). */
  slotsByAgreedOwner(): Map<string, number[]> {
    const result = new Map<string, number[]>();
    this.agreedOwners().forEach((owner, slot) => {
      if (!owner) return;
      const slots = result.get(owner);
      if (slots) slots.push(slot);
      else result.set(owner, [slot]);
    });
    return result;
  }

  /** The line that best describes a node: its own `myself` line, else the first observer's. */
  lineOf(id: string): ClusterNodeEntry | undefined {
    const facts = this.nodes.get(id);
    return facts?.self ?? facts?.seenBy.values().next().value;
  }

  /** Which observers (other than the node itself) list `id`, and which of them flag it `fail` / `fail?`. */
  failVotes(id: string): { listing: string[]; fail: string[]; pfail: string[] } {
    const votes = { listing: [] as string[], fail: [] as string[], pfail: [] as string[] };
    for (const [observer, entry] of this.nodes.get(id)?.seenBy ?? []) {
      if (entry.myself) continue;
      votes.listing.push(observer);
      if (entry.fail) votes.fail.push(observer);
      if (entry.pfail) votes.pfail.push(observer);
    }
    return votes;
  }

  /** True when a strict majority of the observers that list the node (other than itself) flag it `fail`. */
  failedByMajority(id: string): boolean {
    const { listing, fail } = this.failVotes(id);
    return fail.length > 0 && fail.length * 2 > listing.length;
  }

  /** Replicas of master `id`, by each node's settled role. */
  replicasOf(id: string): NodeFacts[] {
    return this.list().filter((n) => n.role === 'replica' && n.masterId === id);
  }

  /** True when the node's own `myself` line (it is reachable) lists `slot`: its claim about itself. */
  claimsItself(id: string, slot: number): boolean {
    const self = this.nodes.get(id)?.self;
    return self?.slots.some(([a, b]) => a <= slot && slot <= b) ?? false;
  }

  /** Reachable masters whose own line lists `slot` (what each says of itself, not of others). */
  selfClaimants(slot: number): string[] {
    return this.observers
      .filter((o) => o.self.role === 'master' && this.claimsItself(o.self.id, slot))
      .map((o) => o.self.id);
  }

  /** Down: the checker cannot reach it and a majority of the observers that list it flag it `fail`. */
  isDown(id: string): boolean {
    return this.nodes.get(id)?.observation?.reachable !== true && this.failedByMajority(id);
  }

  /**
   * Slots the masters' majority gives the node. A failed master whose replica took over has none,
   * whatever a stale view (an importing node's, on Redis 7) still says of one slot.
   */
  slotsAgreed(id: string): number {
    return this.slotsByAgreedOwner().get(id)?.length ?? 0;
  }

  /**
   * A master that was a replica and took over: after a promotion `INFO replication` keeps the old
   * primary's replication id as `master_replid2` (all zeros on a master that never replicated).
   */
  wasPromoted(id: string): boolean {
    const facts = this.nodes.get(id);
    const replid2 = facts?.observation?.info?.replication?.master_replid2;
    return facts?.self?.role === 'master' && replid2 !== undefined && !/^0+$/.test(replid2);
  }

  /**
   * Replica marks its primary does not have on that slot at all (Valkey 8: a replica that missed the
   * primary's SETSLOT, e.g. across a full resync, keeps the stale copy; valkey-io/valkey#998, #1664).
   * A replica copying a mark its primary still has, or one of another kind, is not listed.
   */
  staleReplicaMarks(): { mark: OpenSlotMarker; primary: string }[] {
    return this.replicaMarks.flatMap((mark) => {
      const primary = this.nodes.get(mark.nodeId)?.masterId;
      // A primary the checker cannot reach may well have the mark: only an observed absence counts.
      if (!primary || this.nodes.get(primary)?.observation?.reachable !== true) return [];
      if (this.openSlots.some((m) => m.nodeId === primary && m.slot === mark.slot)) return [];
      return [{ mark, primary }];
    });
  }

  /** `host:port (abcdef12)`: how a finding names a node for a person. */
  label(id: string): string {
    return `${this.addressOf(id)} (${id.slice(0, 8)})`;
  }

  /** Nodes the snapshot knows, masters first, by address. */
  list(): NodeFacts[] {
    return [...this.nodes.values()].sort(
      (a, b) =>
        Number(b.role === 'master') - Number(a.role === 'master') || a.address.localeCompare(b.address),
    );
  }
}

/** True when every table says `value` for `slot` (a plain loop: this runs 16 384 times per view). */
export function sameEverywhere(
  tables: readonly (string | undefined)[][],
  slot: number,
  value: string | undefined,
): boolean {
  for (let i = 0; i < tables.length; i++) if (tables[i]?.[slot] !== value) return false;
  return true;
}
