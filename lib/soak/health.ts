import type { HarnessNode, TestCluster } from '../harness';
import { SLOT_COUNT } from '../topology/types';

/** What one node says of itself and of the slot map. */
export interface NodeState {
  address: string;
  alive: boolean;
  answered: boolean;
  state?: string;
  role?: string;
  /** `[slot->-id]` / `[slot-<-id]` marks on its own line (replicas included: Valkey 8 copies them). */
  marks: string[];
  /** Slots no master serves in its view. */
  uncovered: number;
  /** Flags of other nodes that are not plain master/slave/myself (fail, fail?, handshake, noaddr). */
  badFlags: string[];
  /** For a replica: link up and no sync in progress. */
  inSync?: boolean;
  masterId?: string;
  id?: string;
}

async function stateOf(node: HarnessNode): Promise<NodeState> {
  const base: NodeState = {
    address: node.address,
    alive: node.process.alive,
    answered: false,
    marks: [],
    uncovered: SLOT_COUNT,
    badFlags: [],
  };
  if (!base.alive) return base;
  try {
    const info = String(await node.process.command('CLUSTER', 'INFO'));
    const nodes = String(await node.process.command('CLUSTER', 'NODES'));
    const replication = String(await node.process.command('INFO', 'replication'));
    const lines = nodes.trim().split('\n');
    const self = lines.find((l) => l.includes('myself')) ?? '';
    const covered = new Array<boolean>(SLOT_COUNT).fill(false);
    const badFlags: string[] = [];
    for (const line of lines) {
      const fields = line.split(' ');
      const flags = (fields[2] ?? '').split(',');
      const odd = flags.filter((f) => /fail|handshake|noaddr/.test(f));
      if (odd.length > 0) badFlags.push(`${fields[1]?.split('@')[0]}:${odd.join(',')}`);
      if (!flags.includes('master') || flags.includes('fail')) continue;
      for (const token of fields.slice(8)) {
        if (token.startsWith('[')) continue;
        const [a, b] = token.split('-').map(Number);
        if (a === undefined || Number.isNaN(a)) continue;
        for (let s = a; s <= (b ?? a); s++) covered[s] = true;
      }
    }
    const role = /role:(\w+)/.exec(replication)?.[1];
    return {
      ...base,
      answered: true,
      state: /cluster_state:(\w+)/.exec(info)?.[1],
      role,
      id: self.split(' ')[0],
      masterId: role === 'slave' ? self.split(' ')[3] : undefined,
      marks: self.match(/\[\d+-[<>]-[0-9a-f]+\]/g) ?? [],
      uncovered: covered.filter((c) => !c).length,
      badFlags,
      inSync:
        role === 'slave'
          ? replication.includes('master_link_status:up') && replication.includes('master_sync_in_progress:0')
          : undefined,
    };
  } catch {
    return base;
  }
}

export const clusterState = (cluster: TestCluster): Promise<NodeState[]> =>
  Promise.all(cluster.nodes.map(stateOf));

/**
 * Why the cluster is not healthy, from the soak's own eyes (not the service's): every node up and
 * answering, `cluster_state:ok`, every slot served in every view, no node flagged, no open slot but
 * the one the resharder is moving right now, and every master with a replica in sync.
 */
export function problemsOf(states: NodeState[], movingSlot?: number): string[] {
  const problems: string[] = [];
  for (const s of states) {
    if (!s.alive || !s.answered) {
      problems.push(`${s.address} ${s.alive ? 'does not answer' : 'is down'}`);
      continue;
    }
    if (s.state !== 'ok') problems.push(`${s.address} cluster_state:${s.state}`);
    if (s.uncovered > 0) problems.push(`${s.address} sees ${s.uncovered} slot(s) unserved`);
    if (s.badFlags.length > 0) problems.push(`${s.address} flags ${s.badFlags.join(' ')}`);
    const open = s.marks.filter((m) => Number(m.slice(1).split('-')[0]) !== movingSlot);
    if (open.length > 0) problems.push(`${s.address} has open ${open.join(' ')}`);
    if (s.role === 'slave' && !s.inSync) problems.push(`${s.address} replica not in sync`);
  }
  const masters = states.filter((s) => s.role === 'master');
  for (const m of masters) {
    if (!states.some((r) => r.role === 'slave' && r.masterId === m.id && r.inSync))
      problems.push(`${m.address} has no replica in sync`);
  }
  return problems;
}
