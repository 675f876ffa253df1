import type { NodeObservation, Snapshot } from '../../../lib/observe/types';
import { parseClusterNodes, parseInfo } from '../../../lib/topology';
import { LineTable } from '../../../lib/topology/node-lines';

/**
 * Builds snapshots by hand for unit tests: the `CLUSTER NODES` text each observer would print is
 * generated from one table of nodes and run through the real parser, as observe does (lines shared
 * across views, version 2). `buildSnapshotV1` builds the same as a version-1 snapshot (whole entries
 * with their clocks, the raw text kept), what old snapshot files hold.
 */

/** Views of built snapshots share their lines, as one observation's do (lines are immutable). */
const LINES = new LineTable();

/** A 40-hex node id made of a repeated hex name: `nodeId('a')`, `nodeId('0000002a')`. */
export const nodeId = (name: string): string => name.repeat(Math.ceil(40 / name.length)).slice(0, 40);

/** "Now" for every built snapshot: pongs and server clocks are relative to it. */
export const NOW = Date.parse('2026-01-01T00:00:00Z');

export interface NodeSpec {
  /** Hex characters: the node id is them repeated (see {@link nodeId}). */
  name: string;
  port: number;
  ip?: string;
  hostname?: string;
  /** Name of its master, for a replica. */
  replicaOf?: string;
  /** Slot tokens as Redis prints them: `0-5460 5461`. */
  slots?: string;
  epoch?: number;
}

/** How one observer prints one node, when it differs from the table. */
export interface LineOverride {
  flags?: string[];
  link?: 'connected' | 'disconnected';
  pongAgoMs?: number;
  slots?: string;
  epoch?: number;
  /** Leave the node out of this observer's table. */
  absent?: boolean;
}

export interface ClusterSpec {
  nodes: NodeSpec[];
  /** observer name -> node name -> override. */
  views?: Record<string, Record<string, LineOverride>>;
  /** Names of nodes the checker could not reach (they print no table). */
  unreachable?: string[];
  /** node name -> extra INFO text (`# Replication\r\n...`). */
  info?: Record<string, string>;
  /** node name -> CONFIG GET values (merged over defaults). */
  config?: Record<string, Record<string, string>>;
  /** node name -> more observation fields. */
  extra?: Record<string, Partial<NodeObservation>>;
}

export const addressOf = (spec: NodeSpec): string => `${spec.ip ?? '127.0.0.1'}:${spec.port}`;

export function nodesText(cluster: ClusterSpec, observer: string): string {
  const overrides = cluster.views?.[observer] ?? {};
  return cluster.nodes
    .filter((n) => !overrides[n.name]?.absent)
    .map((n) => {
      const o = overrides[n.name] ?? {};
      const master = n.replicaOf ? cluster.nodes.find((m) => m.name === n.replicaOf) : undefined;
      const flags = [
        ...(n.name === observer ? ['myself'] : []),
        n.replicaOf ? 'slave' : 'master',
        ...(o.flags ?? []),
      ];
      const epoch = o.epoch ?? n.epoch ?? master?.epoch ?? 1;
      const address = `${n.ip ?? '127.0.0.1'}:${n.port}@${n.port + 10000}${n.hostname ? `,${n.hostname}` : ''}`;
      const pong = n.name === observer ? 0 : NOW - (o.pongAgoMs ?? 100);
      const slots = o.slots ?? (n.replicaOf ? '' : (n.slots ?? ''));
      return [
        nodeId(n.name),
        address,
        flags.join(','),
        n.replicaOf ? nodeId(n.replicaOf) : '-',
        0,
        pong,
        epoch,
        o.link ?? 'connected',
        slots,
      ]
        .join(' ')
        .trim();
    })
    .join('\n');
}

const DEFAULT_CONFIG: Record<string, string> = {
  'cluster-require-full-coverage': 'yes',
  'cluster-node-timeout': '15000',
  'cluster-allow-reads-when-down': 'no',
  'cluster-replica-validity-factor': '10',
  'cluster-migration-barrier': '1',
  'cluster-allow-replica-migration': 'yes',
  'maxmemory-policy': 'noeviction',
  maxmemory: '0',
};

/** One observation as observe would record it, from raw `CLUSTER NODES` text. */
export function observationFrom(
  address: string,
  text: string,
  extra: Partial<NodeObservation> = {},
): NodeObservation {
  const view = LINES.parse(text);
  return {
    address,
    id: view.lines.find((e) => e.myself)?.id,
    reachable: true,
    clusterNodes: view.lines,
    clusterNodeTimes: view.times,
    ...(view.problems.length > 0 ? { parseProblems: view.problems } : {}),
    clusterInfo: { cluster_state: 'ok' },
    ...extra,
  };
}

/** The same as a snapshot of version 1 held it: a whole entry per line, and the raw text. */
export function observationV1From(
  address: string,
  text: string,
  extra: Partial<NodeObservation> = {},
): NodeObservation {
  const parsed = parseClusterNodes(text);
  return {
    address,
    id: parsed.entries.find((e) => e.myself)?.id,
    reachable: true,
    clusterNodesRaw: text,
    clusterNodes: parsed.entries,
    ...(parsed.problems.length > 0 ? { parseProblems: parsed.problems } : {}),
    clusterInfo: { cluster_state: 'ok' },
    ...extra,
  };
}

export function snapshotOf(nodes: NodeObservation[], version: 1 | 2 = 2): Snapshot {
  return {
    version,
    seeds: nodes.slice(0, 1).map((n) => n.address),
    takenAt: new Date(NOW).toISOString(),
    durationMs: 5,
    deadlineHit: false,
    nodes,
  };
}

export function buildSnapshot(cluster: ClusterSpec): Snapshot {
  return build(cluster, observationFrom, 2);
}

/** {@link buildSnapshot} as a version-1 snapshot (what files written before version 2 hold). */
export function buildSnapshotV1(cluster: ClusterSpec): Snapshot {
  return build(cluster, observationV1From, 1);
}

function build(cluster: ClusterSpec, observe: typeof observationFrom, version: 1 | 2): Snapshot {
  return snapshotOf(
    cluster.nodes.map((n) => {
      const address = addressOf(n);
      if (cluster.unreachable?.includes(n.name)) {
        return {
          address,
          id: nodeId(n.name),
          reachable: false,
          error: { kind: 'refused', message: 'connection refused' },
        };
      }
      const role = n.replicaOf
        ? 'role:slave\r\nmaster_link_status:up\r\nmaster_sync_in_progress:0'
        : 'role:master';
      const info = parseInfo(
        `# Server\r\nserver_time_usec:${NOW * 1000}\r\n# Replication\r\n${role}\r\n${cluster.info?.[n.name] ?? ''}`,
      );
      return observe(address, nodesText(cluster, n.name), {
        info,
        config: { ...DEFAULT_CONFIG, ...cluster.config?.[n.name] },
        slotKeyCounts: {},
        ...cluster.extra?.[n.name],
      });
    }),
    version,
  );
}

/** Three masters with one replica each, as the harness lays them out. */
export function healthySpec(): ClusterSpec {
  return {
    nodes: [
      { name: 'a', port: 7000, slots: '0-5460', epoch: 1 },
      { name: 'b', port: 7001, slots: '5461-10921', epoch: 2 },
      { name: 'c', port: 7002, slots: '10922-16383', epoch: 3 },
      { name: 'd', port: 7003, replicaOf: 'a' },
      { name: 'e', port: 7004, replicaOf: 'b' },
      { name: 'f', port: 7005, replicaOf: 'c' },
    ],
  };
}
