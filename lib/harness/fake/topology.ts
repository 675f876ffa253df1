import { createHash } from 'node:crypto';
import { SLOT_COUNT } from '../../topology/types';

/**
 * Faults a fake cluster can carry, each the way a real cluster shows it:
 * - `slot-open`: the owner of `slot` has it `MIGRATING` to the next master (its own line only, as Redis
 *   prints marks), and nobody imports it: a reshard that died after its first step;
 * - `view-disagrees`: node `node`'s `CLUSTER NODES` gives `slots` to the master after their owner (a
 *   stale or split view); every other view is right;
 * - `stall`: node `node` accepts connections and never answers (a paused process: `SIGSTOP`).
 */
export type FakeFault =
  | { kind: 'slot-open'; slot: number }
  | { kind: 'view-disagrees'; node: number; slots: [number, number] }
  | { kind: 'stall'; node: number };

export interface FakeTopologyOptions {
  masters: number;
  /** Replicas of each master (default 1). */
  replicasPerMaster?: number;
  /** Keys in every slot, on its owner and the owner's replicas (default 0). */
  keysPerSlot?: number;
  faults?: FakeFault[];
  /** Seeds ids, line order and times, so two fakes with the same options look alike (default 1). */
  seed?: number;
}

/** One fake node: what it is, and where it listens once the server has its port. */
export interface FakeNode {
  index: number;
  id: string;
  runId: string;
  role: 'master' | 'replica';
  /** Index of its master (replicas). */
  master?: number;
  /** Slots it owns (masters; an empty range for none). */
  slots: [number, number] | undefined;
  /** Its config epoch as printed: a replica prints its master's. */
  epoch: number;
  port: number;
  busPort: number;
}

/** A small deterministic generator (mulberry32): the same seed gives the same cluster. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex40 = (text: string) => createHash('sha1').update(text).digest('hex');

/** The nodes of a fake cluster: masters first (slots split evenly, as `--cluster create` does), then replicas. */
export function layout(options: FakeTopologyOptions): FakeNode[] {
  const { masters } = options;
  const replicas = options.replicasPerMaster ?? 1;
  if (!(masters >= 1 && masters <= SLOT_COUNT)) throw new RangeError(`masters ${masters}: 1 to 16384`);
  const seed = options.seed ?? 1;
  const nodes: FakeNode[] = [];
  for (let i = 0; i < masters * (1 + replicas); i++) {
    const master = i < masters ? undefined : Math.floor((i - masters) / replicas);
    nodes.push({
      index: i,
      id: hex40(`fake-node ${seed} ${i}`),
      runId: hex40(`fake-run ${seed} ${i}`),
      role: master === undefined ? 'master' : 'replica',
      master,
      slots:
        master === undefined
          ? [Math.floor((i * SLOT_COUNT) / masters), Math.floor(((i + 1) * SLOT_COUNT) / masters) - 1]
          : undefined,
      epoch: (master ?? i) + 1,
      port: 0,
      busPort: 0,
    });
  }
  for (const fault of options.faults ?? []) {
    if (fault.kind !== 'slot-open' && !nodes[fault.node])
      throw new RangeError(`fault ${fault.kind}: no node ${fault.node}`);
  }
  return nodes;
}

/** The master that owns `slot` (by the true layout). */
export function ownerOf(nodes: readonly FakeNode[], slot: number): FakeNode | undefined {
  return nodes.find((n) => n.slots && n.slots[0] <= slot && slot <= n.slots[1]);
}

/** The master after `master` in index order (wrapping): a fault's other side. */
export function nextMaster(nodes: readonly FakeNode[], master: FakeNode): FakeNode {
  const masters = nodes.filter((n) => n.role === 'master');
  return masters[(masters.indexOf(master) + 1) % masters.length] as FakeNode;
}

/** Slot ranges `observer` prints for each node: the layout, bent by a `view-disagrees` fault. */
function rangesInView(
  nodes: readonly FakeNode[],
  observer: FakeNode,
  faults: readonly FakeFault[],
): Map<number, [number, number][]> {
  const ranges = new Map<number, [number, number][]>();
  for (const n of nodes) if (n.slots) ranges.set(n.index, [[n.slots[0], n.slots[1]]]);
  for (const fault of faults) {
    if (fault.kind !== 'view-disagrees' || fault.node !== observer.index) continue;
    const [first, last] = fault.slots;
    const owner = ownerOf(nodes, first);
    if (!owner) continue;
    const claimant = nextMaster(nodes, owner);
    const cut = (list: [number, number][]) =>
      list.flatMap(([a, b]): [number, number][] =>
        b < first || a > last
          ? [[a, b]]
          : [
              ...(a < first ? [[a, first - 1] as [number, number]] : []),
              ...(b > last ? [[last + 1, b] as [number, number]] : []),
            ],
      );
    ranges.set(owner.index, cut(ranges.get(owner.index) ?? []));
    ranges.set(
      claimant.index,
      [...(ranges.get(claimant.index) ?? []), [first, last] as [number, number]].sort((x, y) => x[0] - y[0]),
    );
  }
  return ranges;
}

/**
 * One observer's `CLUSTER NODES`, as bytes with its times left to fill in: Redis prints its node table
 * in hash order (a different order on every node), `pong-recv` is when that observer last heard from
 * each node (a different time in every view), `ping-sent` is 0 unless a ping is in flight, and the
 * `myself` line's `pong-recv` is rounded to the second. {@link stampTimes} writes the times of a reply.
 */
export interface ViewTemplate {
  bytes: Buffer;
  /** Byte offsets of 13-digit time fields, and how many ms before "now" each is (-1: now, rounded). */
  offsets: Int32Array;
  ages: Int32Array;
  /**
   * The view as lib/observe/view-summary.ts's script normalizes it: each printed line without its clock
   * (`0 0`), the `myself` flag and marks; and each line's ping age (-1: none in flight) and pong age (-1:
   * now, rounded), in printed order.
   */
  normalized: string[];
  pingAges: Int32Array;
  pongAges: Int32Array;
  /** The observer's own line around its clock: `${before}0 ${pong}${after}`. */
  own: { before: string; after: string };
}

const TIME_DIGITS = 13;
const PLACEHOLDER = '0'.repeat(TIME_DIGITS);

export function viewTemplate(
  nodes: readonly FakeNode[],
  observer: FakeNode,
  faults: readonly FakeFault[],
  seed: number,
): ViewTemplate {
  const next = random(seed * 1_000_003 + observer.index);
  const order = nodes.map((n) => n.index);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  const ranges = rangesInView(nodes, observer, faults);
  const parts: string[] = [];
  const offsets: number[] = [];
  const ages: number[] = [];
  const normalized: string[] = [];
  const pingAges: number[] = [];
  const pongAges: number[] = [];
  const own = { before: '', after: '' };
  let length = 0;
  const push = (text: string) => {
    parts.push(text);
    length += text.length;
  };
  const time = (age: number) => {
    offsets.push(length);
    ages.push(age);
    push(PLACEHOLDER);
  };
  for (const index of order) {
    const n = nodes[index] as FakeNode;
    const self = n === observer;
    const role = n.role === 'master' ? 'master' : 'slave';
    const masterId = n.master === undefined ? '-' : (nodes[n.master] as FakeNode).id;
    const address = `${n.id} 127.0.0.1:${n.port}@${n.busPort}`;
    const before = `${address} ${self ? `myself,${role}` : role} ${masterId} `;
    push(before);
    // About one ping in fifty is in flight at any moment in a busy cluster's view.
    const pingAge = !self && next() < 0.02 ? Math.floor(next() * 50) : -1;
    if (pingAge >= 0) time(pingAge);
    else push('0');
    push(' ');
    const pongAge = self ? -1 : Math.floor(next() * 1000);
    time(pongAge);
    let after = ` ${n.epoch} connected`;
    for (const [a, b] of ranges.get(n.index) ?? []) after += a === b ? ` ${a}` : ` ${a}-${b}`;
    normalized.push(`${address} ${role} ${masterId} 0 0${after}`);
    pingAges.push(pingAge);
    pongAges.push(pongAge);
    if (self) {
      for (const fault of faults) {
        if (fault.kind === 'slot-open' && ownerOf(nodes, fault.slot) === n)
          after += ` [${fault.slot}->-${nextMaster(nodes, n).id}]`;
      }
      Object.assign(own, { before, after });
    }
    push(`${after}\n`);
  }
  return {
    bytes: Buffer.from(parts.join(''), 'latin1'),
    offsets: Int32Array.from(offsets),
    ages: Int32Array.from(ages),
    normalized,
    pingAges: Int32Array.from(pingAges),
    pongAges: Int32Array.from(pongAges),
    own,
  };
}

/** A copy of the template with its times written for `now` (ms). */
export function stampTimes(template: ViewTemplate, now: number): Buffer {
  const bytes = Buffer.from(template.bytes);
  const rounded = Math.floor(now / 1000) * 1000;
  for (let i = 0; i < template.offsets.length; i++) {
    const age = template.ages[i] as number;
    bytes.write(String(age < 0 ? rounded : now - age), template.offsets[i] as number, TIME_DIGITS, 'latin1');
  }
  return bytes;
}

/** The slot tokens of `node`'s own line, as the survey script joins them. */
export function ownTokens(nodes: readonly FakeNode[], node: FakeNode, faults: readonly FakeFault[]): string {
  const tokens = [...(rangesInView(nodes, node, faults).get(node.index) ?? [])].map(([a, b]) =>
    a === b ? `${a}` : `${a}-${b}`,
  );
  for (const fault of faults) {
    if (fault.kind === 'slot-open' && ownerOf(nodes, fault.slot) === node)
      tokens.push(`[${fault.slot}->-${nextMaster(nodes, node).id}]`);
  }
  return tokens.join(' ');
}
