import { timesAt } from '../observe/times';
import type { NodeObservation, Snapshot } from '../observe/types';
import { compareText } from '../topology/compare';
import { type ClusterNodeEntry, type ClusterNodeLine, SLOT_COUNT, type SlotRange } from '../topology/types';

/** One node as the whole snapshot knows it: its own answer if it gave one, and what others say of it. */
export interface NodeFacts {
  id: string;
  /** "host:port", as dialled or announced. */
  address: string;
  /** The node's own observation, when the checker reached it (matched by id or address). */
  observation?: NodeObservation;
  /** Its own `myself` line, when reachable. */
  self?: ClusterNodeLine;
  /**
   * observer address -> the line that observer printed for this node, with that observer's clock.
   * Built on each read (a node's row of the view, not kept): {@link ClusterView.sightings} and the
   * view's counts answer the common questions without building it.
   */
  readonly seenBy: Map<string, ClusterNodeEntry>;
  /** Role by the node's own word when reachable, else by the majority of observers. */
  role: 'master' | 'replica' | 'unknown';
  masterId: string | null;
}

/** One observer's line for a node, with its clock. */
export interface Sighting {
  observer: NodeObservation;
  line: ClusterNodeLine;
  pingSent: number;
  pongRecv: number;
}

/**
 * A run of slots over which nothing the snapshot says changes: every observer names the same owner
 * for each of its slots, and the same ids claim them. A healthy cluster has about one per master's
 * range, so the checks' cost grows with ranges and nodes, not with 16 384 slots times every observer.
 */
export interface SlotSegment {
  first: number;
  last: number;
  /** The owner in each observer's view, aligned with {@link ClusterView.observers}. */
  owners: (string | undefined)[];
  /** Ids claiming these slots in any reachable view. */
  claimants: Set<string>;
  /** Owner by majority of the reachable masters' views (ties and no claim: undefined). */
  agreed: string | undefined;
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

/** Who lists a node, and who flags it `fail` / `fail?` (observers other than the node itself). */
export class FailVotes {
  private listed?: string[];

  constructor(
    private readonly sightings: () => Sighting[],
    /** How many observers list it. */
    readonly listingCount: number,
    readonly fail: string[],
    readonly pfail: string[],
  ) {}

  /** Addresses of the observers listing it, in observer order (built on first read: n of them). */
  get listing(): string[] {
    this.listed ??= this.sightings()
      .filter((s) => !s.line.myself)
      .map((s) => s.observer.address);
    return this.listed;
  }
}

class Facts implements NodeFacts {
  observation?: NodeObservation;
  self?: ClusterNodeLine;
  role: NodeFacts['role'] = 'unknown';
  masterId: string | null = null;

  constructor(
    readonly id: string,
    public address: string,
    /** Its row in the view's sightings. */
    readonly index: number,
    private readonly view: ClusterView,
  ) {}

  get seenBy(): Map<string, ClusterNodeEntry> {
    const map = new Map<string, ClusterNodeEntry>();
    for (const { observer, line, pingSent, pongRecv } of this.view.sightingsAt(this.index))
      map.set(observer.address, { ...line, pingSent, pongRecv });
    return map;
  }
}

/**
 * Facts derived once from a snapshot and shared by every check, guard and remedy (the model: it
 * imports none of them): who is who, who owns what in each reachable node's view, and which slots
 * are open. Pure: a function of the snapshot alone.
 *
 * Built for a thousand nodes, each listing every other: the views' lines are shared objects (a
 * snapshot of version 2), so what a view adds is an index per line. Which observers print a node is
 * one compact row per node (typed arrays), and questions every check asks per node (fail votes,
 * replicas of a master) are answered once per view.
 */
export class ClusterView {
  readonly nodes = new Map<string, NodeFacts>();
  /** Reachable observations that printed a parseable `myself` line. */
  readonly observers: { observation: NodeObservation; self: ClusterNodeLine }[] = [];
  /** The slot space cut where any view changes owner, ascending, covering 0..16383. */
  private readonly segmentList: SlotSegment[];
  private readonly observerIndex = new Map<NodeObservation, number>();
  private readonly byAddress = new Map<string, NodeObservation>();
  /** Migration marks on masters' own lines: the open slots. */
  readonly openSlots: OpenSlotMarker[] = [];
  /** Marks printed by replicas on their own lines (Valkey 8 copies its primary's; see the constructor). */
  readonly replicaMarks: OpenSlotMarker[] = [];
  private readonly ownerTables = new Map<NodeObservation, (string | undefined)[]>();
  private agreed?: (string | undefined)[];
  /** Every node, by its row number. */
  private readonly factsList: Facts[] = [];
  /** Each distinct line of the observers' views -> the row of the node it describes. */
  private readonly rowOf = new Map<ClusterNodeLine, number>();
  /** Per node row: what the observers' lines say of it, tallied in one pass over every view. */
  private readonly tally = {
    /** Observers listing it, its own line left out. */
    listing: [] as number[],
    /** Observers whose line gives it the role master / replica. */
    masters: [] as number[],
    replicas: [] as number[],
    /** The first observer's line, and the master named by the first line calling it a replica. */
    first: [] as ClusterNodeLine[],
    firstMaster: [] as (string | null | undefined)[],
    /** Observers (indexes) flagging it `fail` / `fail?`: few, so kept apart by row. */
    fail: new Map<number, number[]>(),
    pfail: new Map<number, number[]>(),
  };
  /**
   * Rows of sightings, built on first need (a node whose every line is wanted: one flagged failing, a
   * ghost): node `k`'s are entries `rowStart[k]` to `rowStart[k + 1]` of the two arrays after.
   */
  private rows?: { start: Int32Array; observer: Int32Array; position: Int32Array };
  /** Two observers share an address (a hand-made or hostile snapshot): sightings then follow `seenBy`'s map. */
  private readonly sharedAddresses: boolean;
  private readonly votes = new Map<string, FailVotes>();
  private replicaGroups?: Map<string, NodeFacts[]>;
  private distinctLines?: Map<number, ClusterNodeLine[]>;

  constructor(readonly snapshot: Snapshot) {
    for (const observation of snapshot.nodes) {
      if (!this.byAddress.has(observation.address)) this.byAddress.set(observation.address, observation);
      const self = observation.clusterNodes?.find((e) => e.myself);
      if (observation.reachable && self) this.observers.push({ observation, self });
    }
    this.sharedAddresses =
      new Set(this.observers.map((o) => o.observation.address)).size !== this.observers.length;
    // One pass over every view: each distinct line is looked up once per view, and what it says of its
    // node is tallied. Views read from one summary (lib/observe/views.ts) hold the same lines at the
    // same places but for the observer's own: a line where the previous view had it takes that row
    // without a lookup (a thousand views are a million lines).
    const t = this.tally;
    let previous: readonly ClusterNodeLine[] = [];
    let previousRows = new Int32Array(0);
    let rows = new Int32Array(0);
    this.observers.forEach(({ observation }, i) => {
      this.observerIndex.set(observation, i);
      const entries = observation.clusterNodes ?? [];
      if (rows.length < entries.length) rows = new Int32Array(entries.length);
      for (let j = 0; j < entries.length; j++) {
        const entry = entries[j] as ClusterNodeLine;
        let row = entry === previous[j] ? previousRows[j] : this.rowOf.get(entry);
        if (row === undefined) {
          row = this.factsFor(entry, observation).index;
          this.rowOf.set(entry, row);
        }
        rows[j] = row;
        if (!entry.myself) t.listing[row] = (t.listing[row] as number) + 1;
        if (entry.role === 'master') t.masters[row] = (t.masters[row] as number) + 1;
        else if (entry.role === 'replica') {
          if (t.replicas[row] === 0) t.firstMaster[row] = entry.masterId;
          t.replicas[row] = (t.replicas[row] as number) + 1;
        }
        if (entry.fail && !entry.myself) push(t.fail, row, i);
        if (entry.pfail && !entry.myself) push(t.pfail, row, i);
      }
      previous = entries;
      [previousRows, rows] = [rows, previousRows];
    });
    this.segmentList = this.cutSegments();
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
    for (const facts of this.factsList) this.settleRole(facts);
    this.openSlots.sort((a, b) => a.slot - b.slot || compareText(a.node, b.node));
    this.replicaMarks.sort((a, b) => a.slot - b.slot || compareText(a.node, b.node));
  }

  private factsFor(entry: ClusterNodeLine, observation: NodeObservation): Facts {
    let facts = this.nodes.get(entry.id) as Facts | undefined;
    if (!facts) {
      const host = entry.hostname || entry.ip;
      const address = entry.myself
        ? observation.address
        : host
          ? `${host}:${entry.port}`
          : `(no address) ${entry.id}`;
      facts = new Facts(entry.id, address, this.factsList.length, this);
      this.factsList.push(facts);
      this.nodes.set(entry.id, facts);
      const t = this.tally;
      t.listing.push(0);
      t.masters.push(0);
      t.replicas.push(0);
      t.first.push(entry);
      t.firstMaster.push(undefined);
    }
    return facts;
  }

  /** Node `row`'s sightings, observer by observer. */
  sightingsAt(row: number): Sighting[] {
    const rows = this.buildRows();
    const result: Sighting[] = [];
    const end = rows.start[row + 1] ?? 0;
    for (let s = rows.start[row] ?? 0; s < end; s++) {
      const { observation } = this.observers[rows.observer[s] as number] as ClusterView['observers'][number];
      const position = rows.position[s] as number;
      result.push({
        observer: observation,
        line: observation.clusterNodes?.[position] as ClusterNodeLine,
        ...timesAt(observation, position),
      });
    }
    if (!this.sharedAddresses) return result;
    // `seenBy` keeps one line per observer address (the last), where the first stood.
    const byAddress = new Map<string, Sighting>();
    for (const s of result) byAddress.set(s.observer.address, s);
    return [...byAddress.values()];
  }

  /** Rows of sightings: counted, then placed observer by observer (`seenBy`'s order). */
  private buildRows(): NonNullable<ClusterView['rows']> {
    if (this.rows) return this.rows;
    const nodes = this.factsList.length;
    const start = new Int32Array(nodes + 1);
    const counts = new Int32Array(nodes);
    let total = 0;
    for (const { observation } of this.observers) {
      for (const entry of observation.clusterNodes ?? []) {
        const row = this.rowOf.get(entry) as number;
        counts[row] = (counts[row] as number) + 1;
      }
      total += observation.clusterNodes?.length ?? 0;
    }
    for (let k = 0; k < nodes; k++) start[k + 1] = (start[k] as number) + (counts[k] as number);
    const observer = new Int32Array(total);
    const position = new Int32Array(total);
    const next = start.slice(0, nodes);
    this.observers.forEach(({ observation }, i) => {
      (observation.clusterNodes ?? []).forEach((entry, p) => {
        const row = this.rowOf.get(entry) as number;
        const at = next[row] as number;
        next[row] = at + 1;
        observer[at] = i;
        position[at] = p;
      });
    });
    this.rows = { start, observer, position };
    return this.rows;
  }

  /** Every reachable observer's line for node `id`, with its clock, observer by observer. */
  sightings(id: string): Sighting[] {
    const facts = this.nodes.get(id) as Facts | undefined;
    return facts ? this.sightingsAt(facts.index) : [];
  }

  /**
   * The lines observers printed for `id`, each distinct line once (views share their lines): for
   * questions like "does any observer flag it handshake", asked of every node.
   */
  linesOf(id: string): readonly ClusterNodeLine[] {
    if (!this.distinctLines) {
      this.distinctLines = new Map();
      for (const [line, row] of this.rowOf) {
        const list = this.distinctLines.get(row);
        if (list) list.push(line);
        else this.distinctLines.set(row, [line]);
      }
    }
    const facts = this.nodes.get(id) as Facts | undefined;
    return (facts && this.distinctLines.get(facts.index)) ?? [];
  }

  /** How many observers (other than the node itself) list `id`. */
  listingCount(id: string): number {
    return this.failVotes(id).listingCount;
  }

  private settleRole(facts: Facts): void {
    let masters = 0;
    let replicas = 0;
    let firstMaster: string | null | undefined;
    if (facts.self) {
      if (facts.self.role === 'master') masters = 1;
      else if (facts.self.role === 'replica') [replicas, firstMaster] = [1, facts.self.masterId];
    } else if (this.sharedAddresses) {
      for (const { line } of this.sightingsAt(facts.index)) {
        if (line.role === 'master') masters++;
        else if (line.role === 'replica') {
          if (replicas === 0) firstMaster = line.masterId;
          replicas++;
        }
      }
    } else {
      masters = this.tally.masters[facts.index] as number;
      replicas = this.tally.replicas[facts.index] as number;
      firstMaster = this.tally.firstMaster[facts.index];
    }
    if (masters === 0 && replicas === 0) return;
    if (replicas > masters) {
      facts.role = 'replica';
      facts.masterId = firstMaster ?? null;
    } else facts.role = 'master';
  }

  /**
   * Cuts the slot space where any observer's view changes, then fills each segment's owners (the
   * first line claiming a slot wins, as a node prints each slot under one line and only damaged text
   * has two: test/cluster/checks/owner-table.test.ts), claimants and majority owner. Work grows with
   * the distinct lines and the ranges each view prints, not with the 16 384 slots.
   */
  private cutSegments(): SlotSegment[] {
    // The ranges of each distinct line, clipped to the slot space, once.
    const rangesOf = new Map<ClusterNodeLine, SlotRange[]>();
    const cuts = new Set<number>([0]);
    for (const line of this.rowOf.keys()) {
      if (line.slots.length === 0) continue;
      const clipped = line.slots
        .map(([a, b]): SlotRange => [Math.max(0, a), Math.min(SLOT_COUNT - 1, b)])
        .filter(([a, b]) => a <= b);
      for (const [a, b] of clipped) {
        cuts.add(a);
        if (b + 1 < SLOT_COUNT) cuts.add(b + 1);
      }
      rangesOf.set(line, clipped);
    }
    const starts = [...cuts].sort((a, b) => a - b);
    const segments: SlotSegment[] = starts.map((first, i) => ({
      first,
      last: (starts[i + 1] ?? SLOT_COUNT) - 1,
      owners: new Array<string | undefined>(this.observers.length).fill(undefined),
      claimants: new Set<string>(),
      agreed: undefined,
    }));
    // Each distinct line's ranges as runs of segment indexes, and its claims, once.
    const spans = new Map<ClusterNodeLine, Span>();
    for (const [line, ranges] of rangesOf) {
      // One string per id across views: comparing the same string is a pointer check.
      const id = this.nodes.get(line.id)?.id ?? line.id;
      const runs: number[] = [];
      for (const [a, b] of ranges) {
        const from = segmentIndex(segments, a);
        let to = from;
        while (to + 1 < segments.length && (segments[to + 1] as SlotSegment).first <= b) to++;
        runs.push(from, to);
        for (let i = from; i <= to; i++) (segments[i] as SlotSegment).claimants.add(id);
      }
      spans.set(line, { id, runs });
    }
    // A line where the previous view had it takes that view's span without a lookup (see the constructor).
    let previous: readonly ClusterNodeLine[] = [];
    let previousSpans: (Span | undefined)[] = [];
    let found: (Span | undefined)[] = [];
    this.observers.forEach(({ observation }, observer) => {
      const lines = observation.clusterNodes ?? [];
      // Dense, written from the end: every place below the view's length is written before it is read.
      if (found.length < lines.length) found = new Array<Span | undefined>(lines.length).fill(undefined);
      // Reversed so that the first line claiming a slot is written last and wins.
      for (let e = lines.length - 1; e >= 0; e--) {
        const line = lines[e] as ClusterNodeLine;
        found[e] = undefined;
        if (line.slots.length === 0) continue;
        const span = line === previous[e] ? previousSpans[e] : spans.get(line);
        found[e] = span;
        if (!span) continue;
        const { id, runs } = span;
        for (let r = 0; r < runs.length; r += 2)
          for (let i = runs[r] as number; i <= (runs[r + 1] as number); i++)
            (segments[i] as SlotSegment).owners[observer] = id;
      }
      previous = lines;
      [previousSpans, found] = [found, previousSpans];
    });
    const masters = this.observers.flatMap((o, i) => (o.self.role === 'master' ? [i] : []));
    for (const segment of segments) segment.agreed = agreedOwner(segment.owners, masters);
    return segments;
  }

  /** The slot space in runs over which no view changes, ascending (see {@link SlotSegment}). */
  segments(): readonly SlotSegment[] {
    return this.segmentList;
  }

  /** The segment holding `slot`. */
  segmentAt(slot: number): SlotSegment | undefined {
    if (!(slot >= 0 && slot < SLOT_COUNT)) return undefined;
    return this.segmentList[segmentIndex(this.segmentList, slot)];
  }

  /** Ids claiming `slot` in any reachable view. */
  claimants(slot: number): Set<string> {
    return this.segmentAt(slot)?.claimants ?? new Set();
  }

  /** The owner of `slot` in one observer's view (its {@link ownersIn} table). */
  ownerIn(observer: NodeObservation, slot: number): string | undefined {
    const index = this.observerIndex.get(observer);
    if (index === undefined) return this.ownersIn(observer)[slot];
    return this.segmentAt(slot)?.owners[index];
  }

  /** Owner by majority of the reachable masters' views (ties and no claim: undefined). */
  majorityOwner(slot: number): string | undefined {
    return this.segmentAt(slot)?.agreed;
  }

  /** The same as {@link majorityOwner}. */
  agreedOwner(slot: number): string | undefined {
    return this.segmentAt(slot)?.agreed;
  }

  /** Address of a node id, or the id itself when the snapshot never saw it. */
  addressOf(id: string): string {
    return this.nodes.get(id)?.address ?? id;
  }

  /** Keys of `slot` on the node at `address`, when counted. */
  keysIn(address: string, slot: number): number | undefined {
    return this.byAddress.get(address)?.slotKeyCounts?.[String(slot)];
  }

  /**
   * slot -> owner id in one observer's view, built on demand for callers that want a table (a
   * guard). Checks read {@link segments} instead.
   */
  ownersIn(observer: NodeObservation): (string | undefined)[] {
    let table = this.ownerTables.get(observer);
    if (!table) {
      table = new Array<string | undefined>(SLOT_COUNT).fill(undefined);
      const index = this.observerIndex.get(observer);
      if (index !== undefined) {
        for (const s of this.segmentList) {
          const owner = s.owners[index];
          if (owner !== undefined) table.fill(owner, s.first, s.last + 1);
        }
      } else {
        // Not an observer (no `myself` line, or unreachable): its own lines, first one wins.
        for (const entry of [...(observer.clusterNodes ?? [])].reverse()) {
          const id = this.nodes.get(entry.id)?.id ?? entry.id;
          for (const [first, last] of entry.slots) table.fill(id, Math.max(0, first), last + 1);
        }
      }
      this.ownerTables.set(observer, table);
    }
    return table;
  }

  /** slot -> {@link majorityOwner} for every slot at once, computed once. */
  agreedOwners(): (string | undefined)[] {
    if (this.agreed) return this.agreed;
    const agreed = new Array<string | undefined>(SLOT_COUNT).fill(undefined);
    for (const s of this.segmentList) if (s.agreed) agreed.fill(s.agreed, s.first, s.last + 1);
    this.agreed = agreed;
    return agreed;
  }

  /** Owner id -> the ranges the majority gives it, ascending, owners in the order of their first slot. */
  agreedRangesByOwner(): Map<string, SlotRange[]> {
    const result = new Map<string, SlotRange[]>();
    for (const { first, last, agreed } of this.segmentList) {
      if (!agreed) continue;
      const ranges = result.get(agreed);
      const tail = ranges?.[ranges.length - 1];
      if (tail && tail[1] === first - 1) tail[1] = last;
      else if (ranges) ranges.push([first, last]);
      else result.set(agreed, [[first, last]]);
    }
    return result;
  }

  /** Owner id -> the slots the majority gives it, ascending (from {@link agreedRangesByOwner}). */
  slotsByAgreedOwner(): Map<string, number[]> {
    const result = new Map<string, number[]>();
    for (const [owner, ranges] of this.agreedRangesByOwner()) {
      const slots: number[] = [];
      for (const [first, last] of ranges) for (let slot = first; slot <= last; slot++) slots.push(slot);
      result.set(owner, slots);
    }
    return result;
  }

  /** Slots no reachable view assigns to anyone, merged. */
  uncoveredRanges(): SlotRange[] {
    const result: SlotRange[] = [];
    for (const { first, last, claimants } of this.segmentList) {
      if (claimants.size > 0) continue;
      const tail = result[result.length - 1];
      if (tail && tail[1] === first - 1) tail[1] = last;
      else result.push([first, last]);
    }
    return result;
  }

  /** The line that best describes a node: its own `myself` line, else the first observer's. */
  lineOf(id: string): ClusterNodeLine | undefined {
    const facts = this.nodes.get(id) as Facts | undefined;
    if (!facts) return undefined;
    if (facts.self) return facts.self;
    if (this.sharedAddresses) return this.sightingsAt(facts.index)[0]?.line;
    return this.tally.first[facts.index];
  }

  /**
   * Which observers (other than the node itself) list `id`, and which of them flag it `fail` / `fail?`.
   * Asked by several checks for every node: counted once per node and kept.
   */
  failVotes(id: string): FailVotes {
    let votes = this.votes.get(id);
    if (votes) return votes;
    const facts = this.nodes.get(id) as Facts | undefined;
    const sightings = () => (facts ? this.sightingsAt(facts.index) : []);
    if (facts && !this.sharedAddresses) {
      const address = (i: number) => this.observers[i]?.observation.address ?? '';
      votes = new FailVotes(
        sightings,
        this.tally.listing[facts.index] as number,
        (this.tally.fail.get(facts.index) ?? []).map(address),
        (this.tally.pfail.get(facts.index) ?? []).map(address),
      );
    } else {
      let listing = 0;
      const fail: string[] = [];
      const pfail: string[] = [];
      for (const { observer, line } of sightings()) {
        if (line.myself) continue;
        listing++;
        if (line.fail) fail.push(observer.address);
        if (line.pfail) pfail.push(observer.address);
      }
      votes = new FailVotes(sightings, listing, fail, pfail);
    }
    this.votes.set(id, votes);
    return votes;
  }

  /** True when a strict majority of the observers that list the node (other than itself) flag it `fail`. */
  failedByMajority(id: string): boolean {
    const { listingCount, fail } = this.failVotes(id);
    return fail.length > 0 && fail.length * 2 > listingCount;
  }

  /** Replicas of master `id`, by each node's settled role (grouped once for every master). */
  replicasOf(id: string): NodeFacts[] {
    if (!this.replicaGroups) {
      this.replicaGroups = new Map();
      for (const n of this.list()) {
        if (n.role !== 'replica' || n.masterId === null) continue;
        const group = this.replicaGroups.get(n.masterId);
        if (group) group.push(n);
        else this.replicaGroups.set(n.masterId, [n]);
      }
    }
    return [...(this.replicaGroups.get(id) ?? [])];
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
    return facts?.self?.role === 'master' && this.replid2(id) !== undefined;
  }

  /** `master_replid2` of a reachable node, when it has one (not all zeros). */
  replid2(id: string): string | undefined {
    const replid2 = this.nodes.get(id)?.observation?.info?.replication?.master_replid2;
    return replid2 !== undefined && !/^0+$/.test(replid2) ? replid2 : undefined;
  }

  /**
   * The master a reachable node replicates by its own word (its `myself` line says replica), e.g. a
   * master demoted after it stalled past the node timeout and a replica took over: it answers, but it
   * is no longer a master.
   */
  replicating(id: string): string | undefined {
    const self = this.nodes.get(id)?.self;
    return self?.role === 'replica' ? (self.masterId ?? undefined) : undefined;
  }

  /** Keys of `slot` on a replica a migration mark names, when counted (`replicaSlotKeyCounts`). */
  replicaKeysIn(id: string, slot: number): number | undefined {
    return this.nodes.get(id)?.observation?.replicaSlotKeyCounts?.[String(slot)];
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

  /** Nodes the snapshot knows, masters first, by address (a copy: the order is sorted once). */
  list(): NodeFacts[] {
    this.sortedNodes ??= [...this.nodes.values()].sort(
      (a, b) =>
        Number(b.role === 'master') - Number(a.role === 'master') || compareText(a.address, b.address),
    );
    return [...this.sortedNodes];
  }

  /** Sorted on first use; `replicasOf` asks for every master, and checks loop over masters. */
  private sortedNodes?: NodeFacts[];
}

function push(map: Map<number, number[]>, key: number, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Index of the segment holding `slot` (binary search over the ascending starts). */
function segmentIndex(segments: readonly SlotSegment[], slot: number): number {
  let lo = 0;
  let hi = segments.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((segments[mid] as SlotSegment).first <= slot) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The owner most views name; a tie between the first two, or no owner at all, is undefined. */
/**
 * The owner most of the `voters` give (see {@link majority}). Where every voter that names an owner
 * names the same one (a healthy cluster: every segment), that one, without counting.
 */
/** A line's claims: its node id, and its ranges as runs of segment indexes (first, last, first, ...). */
interface Span {
  id: string;
  runs: number[];
}

function agreedOwner(owners: readonly (string | undefined)[], voters: readonly number[]): string | undefined {
  let only: string | undefined;
  for (const i of voters) {
    const owner = owners[i];
    if (!owner) continue;
    if (only === undefined) only = owner;
    else if (owner !== only) return majority(voters.map((v) => owners[v]));
  }
  return only;
}

function majority(owners: (string | undefined)[]): string | undefined {
  const votes = new Map<string, number>();
  for (const owner of owners) if (owner) votes.set(owner, (votes.get(owner) ?? 0) + 1);
  let best: string | undefined;
  let bestVotes = 0;
  let tie = false;
  for (const [owner, n] of votes) {
    if (n > bestVotes) [best, bestVotes, tie] = [owner, n, false];
    else if (n === bestVotes) tie = true;
  }
  return tie ? undefined : best;
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
