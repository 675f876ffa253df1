import type { HarnessNode, TestCluster } from '../harness';
import { Faults, sleep } from '../harness';
import { SLOT_COUNT } from '../topology/types';
import { clusterState } from './health';
import type { MoveRecord, Resharder } from './resharder';
import type { FaultKind, PlannedFault } from './schedule';
import type { Ticker } from './ticker';

export interface FaultRecord {
  n: number;
  kind: FaultKind;
  startedAt: number;
  /** What was done, to which node or move. */
  detail: string;
  /** False when the fault found nothing to act on (no move caught, no fix run caught). */
  landed: boolean;
  healedAt?: number;
  healMs?: number;
  /** What the soak did as the person an escalation asks for, when the loop could not heal alone. */
  operator?: string[];
  /** Why the cluster was not healthy when the wait gave up. */
  unhealed?: string[];
  error?: string;
}

const WAIT_FOR_MOVE_MS = 30_000;

async function within<T>(ms: number, promise: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function waitUntil(predicate: () => Promise<boolean> | boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      if (await predicate()) return true;
    } catch {
      // not yet
    }
    await sleep(50);
  }
  return false;
}

const at = <T>(items: T[], pick: number): T | undefined => items[pick % Math.max(1, items.length)];

/** Draws nothing itself: applies one planned fault to the cluster as it stands. */
export class Nemesis {
  private readonly faults: Faults;

  constructor(
    private readonly cluster: TestCluster,
    private readonly resharder: Resharder,
    private readonly ticker: Ticker,
    /** Slots that hold (or may hold) a soak key: never chosen for DELSLOTS. */
    private readonly keyedSlots: Set<number>,
  ) {
    this.faults = new Faults(cluster);
  }

  private async byRole(role: 'master' | 'slave'): Promise<HarnessNode[]> {
    const states = await clusterState(this.cluster);
    return this.cluster.nodes.filter((n) => states.find((s) => s.address === n.address)?.role === role);
  }

  async apply(f: PlannedFault): Promise<FaultRecord> {
    const record: FaultRecord = { n: f.n, kind: f.kind, startedAt: Date.now(), detail: '', landed: true };
    try {
      switch (f.kind) {
        case 'kill-master':
          await this.killMaster(f, record);
          break;
        case 'kill-replica': {
          const node = at(await this.byRole('slave'), f.pick);
          if (!node) throw new Error('no replica');
          record.detail = `SIGKILL replica ${node.address}, restart after ${f.holdMs} ms`;
          await node.process.kill();
          await sleep(f.holdMs);
          await node.process.restart();
          break;
        }
        case 'stop-below-timeout':
        case 'stop-beyond-timeout': {
          const live = this.cluster.nodes.filter((n) => n.process.alive);
          const node = at(live, f.pick) as HarnessNode;
          const role = (await this.byRole('master')).includes(node) ? 'master' : 'replica';
          record.detail = `SIGSTOP ${role} ${node.address} for ${f.holdMs} ms`;
          node.process.pause();
          await sleep(f.holdMs);
          node.process.resume();
          break;
        }
        case 'kill-resharder': {
          const move = await this.killResharder(f.afterBatches);
          record.landed = move !== undefined;
          record.detail = move ? `resharder killed in ${describeMove(move)}` : 'no move caught';
          break;
        }
        case 'kill-fix':
          await this.killFix(f, record);
          break;
        case 'delslots-empty':
          await this.delSlots(f, record);
          break;
        case 'failover-mid-move':
          await this.failoverMidMove(f, record);
          break;
      }
    } catch (error) {
      record.error = String(error).slice(0, 300);
    }
    return record;
  }

  private async killMaster(f: PlannedFault, record: FaultRecord): Promise<void> {
    const node = at(await this.byRole('master'), f.pick);
    if (!node) throw new Error('no master');
    const moving = this.resharder.current;
    const midMove = moving && (moving.source === node.address || moving.target === node.address);
    record.detail = `SIGKILL master ${node.address}${midMove ? ' (mid-move)' : ''}, restarted ${f.holdMs} ms after its replica took over and no mark names it`;
    await node.process.kill();
    // Without persistence a master restarted before its replica took over would come back empty
    // and still owning its slots: wait for the promotion first, as an operator would.
    const promoted = await waitUntil(async () => (await this.byRole('master')).length >= 4, 30_000);
    if (!promoted) record.detail += ' (no replica took over within 30 s)';
    // A host brought back while a mark still names it returns empty (no persistence here) and
    // resyncs in full, which leaves nothing to prove its heir took its stream over: the fix escalates
    // that by design (the first 10-minute soak on 7.0 met it). It stays down until the loop has
    // re-targeted the moves that name it, as a rebooting host would, 30 s at most.
    const unnamed = await waitUntil(async () => {
      const states = await clusterState(this.cluster);
      return !states.some((s) => s.marks.some((m) => m.includes(node.id)));
    }, 30_000);
    if (!unnamed) record.detail += ' (still named by a mark after 30 s)';
    await sleep(f.holdMs);
    await node.process.restart();
  }

  private async killResharder(afterBatches: number): Promise<MoveRecord | undefined> {
    const move = await within(WAIT_FOR_MOVE_MS, this.resharder.kill(afterBatches));
    if (!move) this.resharder.cancelRequest();
    return move;
  }

  private async killFix(f: PlannedFault, record: FaultRecord): Promise<void> {
    const move = await this.killResharder(f.afterBatches);
    if (!move) {
      record.landed = false;
      record.detail = 'no move caught to leave open';
      return;
    }
    const running = await waitUntil(() => this.ticker.lockHeld(), 30_000);
    if (!running) {
      record.landed = false;
      record.detail = `resharder killed in ${describeMove(move)}; no fix run started within 30 s`;
      return;
    }
    await sleep(f.holdMs);
    record.landed = this.ticker.lockHeld();
    record.detail = `resharder killed in ${describeMove(move)}; the check/fix process SIGKILLed ${f.holdMs} ms after the fix took the lock${record.landed ? '' : ' (the run had already ended)'}`;
    if (record.landed) await this.ticker.kill();
  }

  private async delSlots(f: PlannedFault, record: FaultRecord): Promise<void> {
    const empty: number[] = [];
    for (let s = 0; s < SLOT_COUNT; s++) if (!this.keyedSlots.has(s)) empty.push(s);
    const first = at(empty, f.pick * 37) as number;
    let last = first;
    while (last - first + 1 < f.slots && !this.keyedSlots.has(last + 1) && last + 1 < SLOT_COUNT) last++;
    record.detail = `DELSLOTSRANGE ${first} ${last} (no keys) on every node`;
    await this.faults.delSlots(first, last);
  }

  private async failoverMidMove(f: PlannedFault, record: FaultRecord): Promise<void> {
    const held = await within(WAIT_FOR_MOVE_MS, this.resharder.hold(f.afterBatches));
    if (!held) {
      this.resharder.cancelRequest();
      record.landed = false;
      record.detail = 'no move caught';
      return;
    }
    try {
      const side = f.pick % 2 === 0 ? held.move.source : held.move.target;
      const master = this.cluster.node(side);
      const states = await clusterState(this.cluster);
      const replica = this.cluster.nodes.find(
        (n) => states.find((s) => s.address === n.address)?.masterId === master.id,
      );
      if (!replica) throw new Error(`${side} has no replica`);
      record.detail = `CLUSTER FAILOVER on ${replica.address}, replica of the ${f.pick % 2 === 0 ? 'source' : 'target'} ${side}, in ${describeMove(held.move)}`;
      await replica.process.command('CLUSTER', 'FAILOVER');
      // The resharder resumes once the old master knows it was replaced (15 s at most), as a tool
      // whose MIGRATE the failover's pause held would. Resumed earlier, on a loaded host, a MIGRATE
      // once ran on the old master after its pause ended and before it learned of its heir: the
      // moved keys were then on both sides (BUSYKEY): the likeliest cause, not proven; the fix stops
      // there and escalates, as it must.
      const done = await waitUntil(
        async () =>
          String(await replica.process.command('INFO', 'replication')).includes('role:master') &&
          String(await master.process.command('INFO', 'replication')).includes('role:slave'),
        15_000,
      );
      if (!done) record.detail += ' (not complete after 15 s)';
    } finally {
      held.release();
    }
  }
}

export const describeMove = (m: MoveRecord): string =>
  `the move of slot ${m.slot} ${m.source} -> ${m.target} after ${m.batches} batch(es)`;
