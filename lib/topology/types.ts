/** Inclusive slot range `[first, last]`. */
export type SlotRange = [number, number];

export const SLOT_COUNT = 16384;

/** One line of `CLUSTER NODES`, parsed. Plain data: it is stored in snapshots as is. */
export interface ClusterNodeEntry {
  id: string;
  /** Announced IP; empty string when the node has no address yet (`noaddr`, `:0@0`). */
  ip: string;
  port: number;
  /** Cluster bus port. */
  cport: number;
  /** Announced hostname (Redis 7 `ip:port@cport,hostname`), when there is one. */
  hostname?: string;
  /** Raw flags, in the order the node printed them (`myself`, `master`, `slave`, `fail?`, ...). */
  flags: string[];
  role: 'master' | 'replica' | 'unknown';
  myself: boolean;
  /** `fail` flag: the cluster agreed this node is down. */
  fail: boolean;
  /** `fail?` flag: this observer cannot reach the node (PFAIL). */
  pfail: boolean;
  handshake: boolean;
  noaddr: boolean;
  nofailover: boolean;
  /** Master id of a replica; null for masters (`-`). */
  masterId: string | null;
  pingSent: number;
  pongRecv: number;
  configEpoch: number;
  linkState: 'connected' | 'disconnected';
  /** Owned slots, merged and sorted. */
  slots: SlotRange[];
  /** `[slot->-target]`: this node is migrating `slot` to `target`. Only printed on the `myself` line. */
  migrating: { slot: number; target: string }[];
  /** `[slot-<-source]`: this node is importing `slot` from `source`. Only printed on the `myself` line. */
  importing: { slot: number; source: string }[];
}

/**
 * A line of `CLUSTER NODES` without the observer's clock (`ping-sent`, `pong-recv`): what every view
 * that prints a node alike shares. Observations hold these shared and frozen (lib/topology/node-lines.ts),
 * so a thousand views of a thousand nodes are a thousand arrays of pointers, not a million objects.
 */
export type ClusterNodeLine = Readonly<Omit<ClusterNodeEntry, 'pingSent' | 'pongRecv'>>;

/**
 * The observer's clock for each line of one view, in the view's order: ms, as the node printed them.
 * Arrays, or typed arrays where a view was read from its summary (lib/observe/view-summary.ts): read
 * them by index; snapshot files write them as arrays (lib/observe/snapshot-file.ts).
 */
export interface ClusterNodeTimes {
  pingSent: readonly number[] | Float64Array;
  pongRecv: readonly number[] | Float64Array;
}

/** A line that could not be parsed: a fact to report, never an exception. */
export interface ParseProblem {
  line: string;
  reason: string;
}

export interface ClusterNodesParse {
  entries: ClusterNodeEntry[];
  problems: ParseProblem[];
}

/** `INFO` output: section name (lower case) -> field -> raw value. */
export type InfoSections = Record<string, Record<string, string>>;
