import type { HarnessNode, TestCluster } from '../harness';
import { sleep } from '../harness';
import { Prng } from './schedule';

export interface MoveRecord {
  slot: number;
  source: string;
  target: string;
  startedAt: number;
  endedAt?: number;
  /** Epoch ms of the last command that changed the move (a mark, a batch, a SETSLOT NODE). */
  progressAt: number;
  outcome?: 'done' | 'killed' | 'failed';
  batches: number;
  keys: number;
  error?: string;
}

interface Request {
  kind: 'kill' | 'hold';
  afterBatches: number;
  resolve: (hold: { move: MoveRecord; release: () => void }) => void;
}

class Killed extends Error {}

const BATCH = 10;

/**
 * Moves slots between masters the way `redis-cli --cluster reshard` does, one slot at a time:
 * `SETSLOT IMPORTING` on the target, `MIGRATING` on the source, `MIGRATE ... KEYS` in batches,
 * `SETSLOT NODE` on the target, the source and every other master. Like redis-cli it starts a move
 * only on a cluster that checks clean (every node ok, no open slot, no failed node); an error mid-move
 * leaves the slot as it is, as redis-cli exits. The nemesis can kill it after some batches of a move
 * (the move is left open; it restarts a moment later) or hold it there while it fails a node over.
 */
export class Resharder {
  readonly moves: MoveRecord[] = [];
  current?: MoveRecord;
  private request?: Request;
  private stopping = false;
  private loop?: Promise<void>;
  private readonly prng: Prng;

  constructor(
    private readonly cluster: TestCluster,
    private readonly slots: number[],
    seed: number,
  ) {
    this.prng = new Prng(seed);
  }

  start(): void {
    this.loop = (async () => {
      while (!this.stopping) {
        await sleep(this.prng.int(200, 1200));
        if (this.stopping) break;
        try {
          const plan = await this.choose();
          if (plan) await this.move(...plan);
        } catch {
          // a node that does not answer the pre-move check: try again later
        }
      }
    })();
  }

  /** Stops after the move in progress, if any (the quiet period's resharder finishes its work). */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop;
  }

  /** Resolves with the move once the resharder has died in it (after `afterBatches` batches). */
  kill(afterBatches: number): Promise<MoveRecord> {
    return new Promise((resolve) => {
      this.request = { kind: 'kill', afterBatches, resolve: ({ move }) => resolve(move) };
    });
  }

  /** Resolves once a move is held after `afterBatches` batches; it resumes on `release()`. */
  hold(afterBatches: number): Promise<{ move: MoveRecord; release: () => void }> {
    return new Promise((resolve) => {
      this.request = { kind: 'hold', afterBatches, resolve };
    });
  }

  cancelRequest(): void {
    this.request = undefined;
  }

  private async choose(): Promise<[number, HarnessNode, HarnessNode] | undefined> {
    const live = this.cluster.nodes.filter((n) => n.process.alive);
    if (live.length < this.cluster.nodes.length) return undefined;
    const masters: HarnessNode[] = [];
    for (const n of live) {
      const info = String(await n.process.command('CLUSTER', 'INFO'));
      if (!info.includes('cluster_state:ok')) return undefined;
      const nodes = String(await n.process.command('CLUSTER', 'NODES'));
      if (/\[\d+-[<>]-|fail|handshake/.test(nodes)) return undefined;
      const self = nodes.split('\n').find((l) => l.includes('myself')) ?? '';
      if (self.includes('master')) masters.push(n);
    }
    const slot = this.slots[this.prng.int(0, this.slots.length - 1)] as number;
    const source = await this.cluster.ownerOf(slot);
    const targets = masters.filter((m) => m !== source);
    if (!source || targets.length === 0) return undefined;
    return [slot, source, targets[this.prng.int(0, targets.length - 1)] as HarnessNode];
  }

  private async move(slot: number, source: HarnessNode, target: HarnessNode): Promise<void> {
    const now = Date.now();
    const move: MoveRecord = {
      slot,
      source: source.address,
      target: target.address,
      startedAt: now,
      progressAt: now,
      batches: 0,
      keys: 0,
    };
    this.current = move;
    this.moves.push(move);
    try {
      await target.process.command('CLUSTER', 'SETSLOT', slot, 'IMPORTING', source.id);
      move.progressAt = Date.now();
      // From here on a kill leaves something open (importing only, at the least).
      await this.checkpoint(move);
      await source.process.command('CLUSTER', 'SETSLOT', slot, 'MIGRATING', target.id);
      move.progressAt = Date.now();
      for (;;) {
        await this.checkpoint(move);
        const keys = (await source.process.command('CLUSTER', 'GETKEYSINSLOT', slot, BATCH)) as string[];
        if (keys.length === 0) break;
        await source.process.command('MIGRATE', '127.0.0.1', target.port, '', 0, 5000, 'KEYS', ...keys);
        move.batches++;
        move.keys += keys.length;
        move.progressAt = Date.now();
        await sleep(20);
      }
      await this.checkpoint(move, true);
      await target.process.command('CLUSTER', 'SETSLOT', slot, 'NODE', target.id);
      await source.process.command('CLUSTER', 'SETSLOT', slot, 'NODE', target.id);
      const others = this.cluster.nodes.filter((n) => n !== source && n !== target && n.process.alive);
      for (const n of others) {
        // redis-cli tells every master; a replica refuses, and gossip tells it anyway.
        await n.process.command('CLUSTER', 'SETSLOT', slot, 'NODE', target.id).catch(() => undefined);
      }
      move.outcome = 'done';
    } catch (error) {
      move.outcome = error instanceof Killed ? 'killed' : 'failed';
      if (!(error instanceof Killed)) move.error = String(error).slice(0, 200);
    } finally {
      move.endedAt = Date.now();
      this.current = undefined;
    }
    // A killed resharder is started again by its operator a little later.
    if (move.outcome === 'killed') await sleep(2000);
  }

  /** Where the nemesis's request takes effect: before a command of the move, once enough batches ran. */
  private async checkpoint(move: MoveRecord, finalising = false): Promise<void> {
    const request = this.request;
    if (!request) return;
    if (move.batches < request.afterBatches && !finalising) return;
    this.request = undefined;
    if (request.kind === 'kill') {
      request.resolve({ move, release: () => {} });
      throw new Killed('killed by the nemesis');
    }
    await new Promise<void>((release) => request.resolve({ move, release }));
    move.progressAt = Date.now();
  }
}
