import type { NodeObservation, Snapshot } from '../observe/types';
import { compareText } from '../topology/compare';
import { infoNumber } from '../topology/info';
import { countSlots, formatRanges } from '../topology/slots';
import { type ClusterNodeLine, SLOT_COUNT, type SlotRange } from '../topology/types';

/** One master and what hangs off it, as `redis-cli --cluster check` shows it (and a bit more). */
export interface ShardRow {
  master: string;
  failed: boolean;
  reachable: boolean;
  slots: SlotRange[];
  keys?: number;
  usedMemory?: number;
  maxMemory?: number;
  /** `redis 7.0.15`, `valkey 8.0.1`. */
  server?: string;
  replicas: { address: string; link: string }[];
}

/** The cluster at a glance: shards and a map of 16 384 slots in 64 cells of 256. */
export interface ClusterOverview {
  shards: ShardRow[];
  /** One character a cell: `#` served, `o` open (migrating or importing), `.` uncovered, `X` owner failed. */
  slotMap: string;
}

export const SLOT_MAP_CELLS = 64;
const CELL = SLOT_COUNT / SLOT_MAP_CELLS;

const addressOf = (e: ClusterNodeLine) => `${e.hostname || e.ip}:${e.port}`;

/** Pure: the overview of one snapshot, from each node's own word where it could be asked. */
export function clusterOverview(snapshot: Snapshot): ClusterOverview {
  const byId = new Map<
    string,
    { entry: ClusterNodeLine; observation?: NodeObservation; failVotes: number }
  >();
  // Views share their lines: a line already counted changes nothing unless it votes fail or is a self.
  const walked = new Set<ClusterNodeLine>();
  for (const observation of snapshot.nodes) {
    for (const entry of observation.clusterNodes ?? []) {
      if (!entry.fail && !entry.myself && walked.has(entry)) continue;
      walked.add(entry);
      const known = byId.get(entry.id);
      const own = entry.myself ? observation : known?.observation;
      byId.set(entry.id, {
        entry: entry.myself || !known ? entry : known.entry,
        observation: own,
        failVotes: (known?.failVotes ?? 0) + (entry.fail ? 1 : 0),
      });
    }
  }
  const shards: ShardRow[] = [];
  const replicasOf = new Map<string, { address: string; link: string }[]>();
  for (const r of byId.values()) {
    if (r.entry.role !== 'replica' || r.entry.masterId === null) continue;
    const list = replicasOf.get(r.entry.masterId) ?? [];
    list.push({ address: addressOf(r.entry), link: linkOf(r.entry, r.observation) });
    replicasOf.set(r.entry.masterId, list);
  }
  for (const { entry, observation, failVotes } of byId.values()) {
    if (entry.role !== 'master' || entry.handshake || entry.noaddr) continue;
    const info = observation?.info;
    const replicas = (replicasOf.get(entry.id) ?? []).sort((a, b) => compareText(a.address, b.address));
    if (entry.slots.length === 0 && replicas.length === 0 && failVotes > 0) continue;
    shards.push({
      master: addressOf(entry),
      failed: failVotes > 0,
      reachable: observation?.reachable ?? false,
      slots: entry.slots,
      keys: info ? keysOf(info.keyspace) : undefined,
      usedMemory: info ? infoNumber(info, 'memory', 'used_memory') : undefined,
      maxMemory: info ? infoNumber(info, 'memory', 'maxmemory') : undefined,
      server: serverOf(observation),
      replicas,
    });
  }
  shards.sort(
    (a, b) =>
      (a.slots[0]?.[0] ?? SLOT_COUNT) - (b.slots[0]?.[0] ?? SLOT_COUNT) || compareText(a.master, b.master),
  );
  return { shards, slotMap: slotMap(snapshot, shards) };
}

function linkOf(entry: ClusterNodeLine, observation: NodeObservation | undefined): string {
  if (entry.fail) return 'fail';
  if (!observation?.reachable) return 'unreachable';
  return observation.info?.replication?.master_link_status ?? '?';
}

function keysOf(keyspace: Record<string, string> | undefined): number {
  let keys = 0;
  for (const value of Object.values(keyspace ?? {})) keys += Number(/keys=(\d+)/.exec(value)?.[1] ?? 0);
  return keys;
}

function serverOf(observation: NodeObservation | undefined): string | undefined {
  if (observation?.server) return `${observation.server.name} ${observation.server.version}`;
  const server = observation?.info?.server;
  if (server?.valkey_version) return `valkey ${server.valkey_version}`;
  return server?.redis_version ? `redis ${server.redis_version}` : undefined;
}

function slotMap(snapshot: Snapshot, shards: ShardRow[]): string {
  const state = new Array<string>(SLOT_COUNT).fill('.');
  for (const shard of shards)
    for (const [first, last] of shard.slots)
      for (let slot = first; slot <= last; slot++) state[slot] = shard.failed ? 'X' : '#';
  for (const observation of snapshot.nodes)
    for (const entry of observation.clusterNodes ?? [])
      if (entry.myself)
        for (const { slot } of [...entry.migrating, ...entry.importing])
          if (state[slot] === '#') state[slot] = 'o';
  const worst = ['X', '.', 'o', '#'];
  let map = '';
  for (let cell = 0; cell < SLOT_MAP_CELLS; cell++) {
    const cellStates = new Set(state.slice(cell * CELL, (cell + 1) * CELL));
    map += worst.find((s) => cellStates.has(s)) ?? '#';
  }
  return map;
}

const size = (bytes: number | undefined) => {
  if (bytes === undefined) return '?';
  const units = ['B', 'K', 'M', 'G', 'T'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 10 || unit === 0 ? Math.round(value) : value.toFixed(1)}${units[unit]}`;
};

export type Paint = (style: 'red' | 'yellow' | 'green' | 'dim', text: string) => string;

/** The shard table and the slot map as text lines; `paint` colours on a terminal only. */
export function renderOverview(overview: ClusterOverview, paint: Paint = (_, t) => t): string[] {
  const head = ['master', 'slots', 'keys', 'memory (used of max)', 'server', 'replicas (link)'];
  const rows = overview.shards.map((s) => [
    `${s.master}${s.failed ? ' FAIL' : s.reachable ? '' : ' unreachable'}`,
    s.slots.length ? `${formatRanges(s.slots)} (${countSlots(s.slots)})` : '-',
    s.keys === undefined ? '?' : String(s.keys),
    `${size(s.usedMemory)} of ${s.maxMemory ? size(s.maxMemory) : 'no limit'}`,
    s.server ?? '?',
    s.replicas.length ? s.replicas.map((r) => `${r.address} ${r.link}`).join(', ') : 'none',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) =>
    `  ${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] as number))).join('  ')}`.trimEnd();
  const painted = overview.slotMap
    .split('')
    .map((c) => (c === '#' ? paint('green', c) : c === 'o' ? paint('yellow', c) : paint('red', c)))
    .join('');
  return [
    `shards (${overview.shards.length} master(s)):`,
    line(head),
    ...rows.map((r, i) => (overview.shards[i]?.failed ? paint('red', line(r)) : line(r))),
    '',
    `slot map (${SLOT_MAP_CELLS} cells of ${CELL} slots; # served, o open, . uncovered, X owner failed):`,
    `  [${painted}]`,
  ];
}
