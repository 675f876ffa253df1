/**
 * The nemesis's catalog and its seeded schedule. The same seed draws the same list of faults (kind,
 * which candidate node, how long, the gap after); which node a pick lands on depends on the roles the
 * cluster has by then, so the list is replayed, not the exact cluster history.
 */
export const FAULT_KINDS = [
  'kill-master',
  'kill-replica',
  'stop-below-timeout',
  'stop-beyond-timeout',
  'kill-resharder',
  'kill-fix',
  'delslots-empty',
  'failover-mid-move',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** How often each kind is drawn, relative to the others. */
const WEIGHTS: Record<FaultKind, number> = {
  'kill-master': 2,
  'kill-replica': 1,
  'stop-below-timeout': 1,
  'stop-beyond-timeout': 2,
  'kill-resharder': 2,
  'kill-fix': 2,
  'delslots-empty': 1,
  'failover-mid-move': 2,
};

export interface PlannedFault {
  n: number;
  kind: FaultKind;
  /** Index into the candidates of the moment (masters, replicas, sides of a move), modulo their count. */
  pick: number;
  /** How long a node stays down or stopped, or how long after the lock is taken a fix is killed, ms. */
  holdMs: number;
  /** After how many MIGRATE batches of a move the resharder is killed or held for a failover. */
  afterBatches: number;
  /** How many empty slots DELSLOTS removes. */
  slots: number;
  /** Pause after the cluster healed, before the next fault, ms. */
  gapMs: number;
}

/** mulberry32: small, fast, and the same on every platform. */
export class Prng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** A whole number in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
}

function pickWeighted(roll: number): FaultKind {
  let left = roll;
  for (const k of FAULT_KINDS) {
    left -= WEIGHTS[k];
    if (left < 0) return k;
  }
  return 'kill-master';
}

export function drawSchedule(seed: number, count: number, nodeTimeoutMs: number): PlannedFault[] {
  const prng = new Prng(seed);
  const total = FAULT_KINDS.reduce((n, k) => n + WEIGHTS[k], 0);
  const faults: PlannedFault[] = [];
  for (let n = 1; n <= count; n++) {
    const kind = pickWeighted(prng.next() * total);
    const holdMs =
      kind === 'stop-below-timeout'
        ? prng.int(Math.round(nodeTimeoutMs * 0.2), Math.round(nodeTimeoutMs * 0.5))
        : kind === 'stop-beyond-timeout'
          ? prng.int(nodeTimeoutMs * 2, nodeTimeoutMs * 4)
          : kind === 'kill-fix'
            ? prng.int(0, 2500)
            : prng.int(500, 4000);
    faults.push({
      n,
      kind,
      pick: prng.int(0, 1_000),
      holdMs,
      afterBatches: prng.int(0, 4),
      slots: prng.int(1, 16),
      gapMs: prng.int(0, 3000),
    });
  }
  return faults;
}

export const describeFault = (f: PlannedFault): string => {
  const detail: Record<FaultKind, string> = {
    'kill-master': `restart ${f.holdMs} ms after its replica took over and no mark names it`,
    'kill-replica': `restart after ${f.holdMs} ms`,
    'stop-below-timeout': `SIGSTOP ${f.holdMs} ms`,
    'stop-beyond-timeout': `SIGSTOP ${f.holdMs} ms`,
    'kill-resharder': `after ${f.afterBatches} batch(es) of a move`,
    'kill-fix': `a resharder killed after ${f.afterBatches} batch(es), then the fix ${f.holdMs} ms into its run`,
    'delslots-empty': `${f.slots} empty slot(s)`,
    'failover-mid-move': `after ${f.afterBatches} batch(es), on the ${f.pick % 2 === 0 ? 'source' : 'target'}'s replica`,
  };
  return `#${f.n} ${f.kind} (pick ${f.pick}): ${detail[f.kind]}; then ${f.gapMs} ms quiet`;
};
