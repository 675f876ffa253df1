import type { ServerIdentity } from '../topology/info';
import type { ClusterNodeLine, ClusterNodeTimes, InfoSections, ParseProblem } from '../topology/types';

export type NodeErrorKind = 'timeout' | 'refused' | 'auth' | 'tls' | 'protocol' | 'restricted' | 'other';

/** Why a node could not be observed (fully). Never contains a secret. */
export interface NodeError {
  kind: NodeErrorKind;
  message: string;
}

/** What one node said about itself and the cluster, as seen from the checker. */
export interface NodeObservation {
  /** "host:port" the checker connected to (after any address map). */
  address: string;
  /** "host:port" the cluster announces for this node, when different from `address`. */
  announced?: string;
  /** Node id, from its `myself` line (or from other nodes' views when unreachable). */
  id?: string;
  reachable: boolean;
  error?: NodeError;
  /** Round trip of the first command, ms. */
  latencyMs?: number;
  /** Raw `CLUSTER NODES` text: in snapshots of version 1 only (the text is dropped once parsed). */
  clusterNodesRaw?: string;
  /**
   * Its `CLUSTER NODES`, one line per node it lists, in its order. Lines that views print alike are
   * one shared, frozen object (lib/topology/node-lines.ts): read them, never change them. The
   * observer's clock (`ping-sent`, `pong-recv`) is in {@link clusterNodeTimes}; a snapshot of version 1
   * keeps it in each line (read either with `timesAt`, lib/observe/times.ts).
   */
  clusterNodes?: readonly ClusterNodeLine[];
  /** `ping-sent` and `pong-recv` of each line of {@link clusterNodes}, in its order. */
  clusterNodeTimes?: ClusterNodeTimes;
  parseProblems?: ParseProblem[];
  /** `CLUSTER INFO` fields. */
  clusterInfo?: Record<string, string>;
  /** `INFO server`, `replication`, `memory`, `keyspace` sections. */
  info?: InfoSections;
  /** The server and version it runs (from `INFO server`). */
  server?: ServerIdentity;
  /** `CONFIG GET` of the settings that matter; absent when `CONFIG` is refused. */
  config?: Record<string, string>;
  /** Commands this node refused as unknown or renamed (managed services). */
  restrictedCommands?: string[];
  /** `CLUSTER COUNTKEYSINSLOT` for the slots that matter (open, uncovered, unowned with keys). */
  slotKeyCounts?: Record<string, number>;
  /**
   * On a replica that a master's migration mark names (a master of the move demoted to a replica, e.g.
   * after a stall past the node timeout): its keys of the slots those marks name. Apart from
   * `slotKeyCounts`, which counts masters only (every ledger sums it).
   */
  replicaSlotKeyCounts?: Record<string, number>;
}

/**
 * One observation of a whole cluster. Plain, serialisable data: no sockets. Version 2 shares the lines
 * of `CLUSTER NODES` across views and keeps each view's clock apart; version 1 (replayed from old files)
 * has a whole entry per line. Files: lib/observe/snapshot-file.ts.
 */
export interface Snapshot {
  version: 1 | 2;
  cluster?: string;
  seeds: string[];
  takenAt: string;
  durationMs: number;
  /** True when the global deadline cut some node's observation short. */
  deadlineHit: boolean;
  /**
   * Present when the checker authenticated with a password (which is never recorded): runbooks then
   * add `AUTH`/`AUTH2` where a node must authenticate to another (MIGRATE).
   */
  auth?: { user?: string };
  nodes: NodeObservation[];
}
