import { compareText, parseClusterInfo, parseInfo } from '../topology';
import { emptyRecord, serverOf } from '../topology/info';
import type { ClusterNodeLine } from '../topology/types';
import { type ConnectionOptions, connectNode, type NodeClient } from './connection';
import {
  countKeys,
  countReplicaKeys,
  parseSurvey,
  replicasNamedByMarks,
  SURVEY,
  type Survey,
  slotsThatMatter,
} from './key-counts';
import { NodeClock } from './node-clock';
import type { NodeObservation, Snapshot } from './types';
import { ViewBook } from './views';

export interface ObserveOptions extends Omit<ConnectionOptions, 'nodeTimeoutMs'> {
  /** Deadline for the whole observation, ms (default 10 000). */
  timeoutMs?: number;
  /** Per-node timeout, ms (default: a quarter of the deadline, between 250 and 3 000). */
  nodeTimeoutMs?: number;
  /** Cluster name for the report. */
  cluster?: string;
  /**
   * Count the keys of every owned slot on every master (default true): the only way to find keys
   * stranded in slots a node does not own. About 16 384 cheap commands spread over the masters.
   */
  deepKeyScan?: boolean;
  /** Slots whose key counts are always recorded (a remedy's slots, before and after it acts). */
  extraSlots?: number[];
}

/** The address the checker dials for a node: announced hostname or IP, then the address map. */
export function dialAddress(entry: ClusterNodeLine, addressMap?: Record<string, string>): string | undefined {
  if (!entry.ip && !entry.hostname) return undefined;
  const host = entry.hostname || entry.ip;
  const announced = `${host.includes(':') ? `[${host}]` : host}:${entry.port}`;
  return addressMap?.[announced] ?? announced;
}

/**
 * Observes a cluster: discovers every node from the seeds, then asks every node in parallel for its
 * own view, each under the per-node timeout and all under one deadline. Never throws for a node's
 * sake: an unreachable, hung or refusing node is a fact in the snapshot. A node's timeout counts only
 * the time the checker was free to hear it (lib/observe/node-clock.ts), so a thousand replies being
 * parsed never make a healthy node "unreachable"; the deadline is wall-clock time.
 *
 * @example
 * const snapshot = await observeCluster(['10.0.0.5:6379'], { password, timeoutMs: 10_000 });
 */
export async function observeCluster(seeds: string[], options: ObserveOptions = {}): Promise<Snapshot> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 10_000;
  const nodeTimeoutMs = options.nodeTimeoutMs ?? Math.min(3000, Math.max(250, Math.floor(timeoutMs / 4)));
  const connection: ConnectionOptions = { ...options, nodeTimeoutMs, clock: new NodeClock() };
  const session = new ObservationSession(connection, options.deepKeyScan ?? true, options.extraSlots ?? []);
  let deadlineHit = false;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'deadline'>((resolve) => {
    timer = setTimeout(() => resolve('deadline'), timeoutMs);
  });
  try {
    const work = session.run(seeds.map((s) => options.addressMap?.[s] ?? s));
    deadlineHit = (await Promise.race([work, deadline])) === 'deadline';
  } finally {
    clearTimeout(timer);
    session.closeAll();
  }
  return {
    version: 2,
    cluster: options.cluster,
    seeds,
    takenAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    deadlineHit,
    ...(options.password ? { auth: options.username ? { user: options.username } : {} } : {}),
    nodes: session.results(deadlineHit),
  };
}

/** The mutable state of one observation; what it returns is plain data. */
class ObservationSession {
  private readonly clients = new Map<string, NodeClient>();
  private readonly observations = new Map<string, NodeObservation>();
  private readonly surveys = new Map<string, Survey>();
  /** Every view: lines shared across views, views alike summarized on the nodes. */
  private readonly views = new ViewBook();
  /** The deadline passed: nothing more is started. */
  private closed = false;

  constructor(
    private readonly options: ConnectionOptions,
    private readonly deepKeyScan: boolean,
    private readonly extraSlots: number[],
  ) {}

  async run(seeds: string[]): Promise<void> {
    // Discovery: every seed in parallel; each reachable one tells us the nodes it knows.
    await Promise.all(seeds.map((address) => this.observeSeed(address)));
    const known = new Set(this.observations.keys());
    // A seed given by IP is the same node as its announced hostname (or NAT-mapped port): match by id.
    const seen = new Set([...this.observations.values()].flatMap((o) => (o.id ? [o.id] : [])));
    const discovered = new Map<string, string>();
    const walked = new Set<ClusterNodeLine>();
    for (const observation of this.observations.values()) {
      for (const entry of observation.clusterNodes ?? []) {
        if (walked.has(entry)) continue;
        walked.add(entry);
        const address = dialAddress(entry, this.options.addressMap);
        if (address && !known.has(address) && !seen.has(entry.id) && !entry.handshake) {
          discovered.set(address, entry.id);
          seen.add(entry.id);
        }
      }
    }
    // Every node is in the snapshot from now on, observed or not (a deadline names those it cut short).
    for (const [address, id] of discovered) this.observations.set(address, { address, id, reachable: false });
    await eachAtMost(IN_FLIGHT, [...discovered.keys()], (address) => this.ask(address));
    const observed = [...this.observations.values()];
    const matter = slotsThatMatter(observed);
    for (const slot of this.extraSlots) matter.add(slot);
    const namedReplicas = replicasNamedByMarks(observed);
    await eachAtMost(IN_FLIGHT, observed, async (o) => {
      const client = this.clients.get(o.address);
      if (o.reachable && client && !this.closed) {
        // A replica a migration mark names: its keys of those slots (the proofs of a demotion).
        const named = o.id ? namedReplicas.get(o.id) : undefined;
        if (named) await countReplicaKeys(client, o, named);
        else await countKeys(client, o, matter, this.deepKeyScan, this.surveys.get(o.address));
      }
      // Done with this node: its connection and buffers go now, not when the slowest node is done.
      client?.close();
      this.clients.delete(o.address);
    });
  }

  private async observeSeed(address: string): Promise<void> {
    if (this.observations.has(address)) return;
    this.observations.set(address, { address, reachable: false });
    await this.ask(address, true);
  }

  /** Asks one node its view and details, recording them in its observation. */
  private async ask(address: string, seeding = false): Promise<void> {
    const observation = this.observations.get(address) as NodeObservation;
    const expectedId = observation.id;
    // The deadline passed while this node waited its turn: it is left as the deadline found it.
    if (this.closed) return;
    const client = connectNode(address, this.options);
    this.clients.set(address, client);
    try {
      const t0 = Date.now();
      await client.connect();
      // The view and every detail in one write and one round trip: per node, each write costs a system
      // call and a wake-up of the server, and each round trip the network's latency.
      const asked = this.views.questions(seeding);
      const pipeline = client.redis.pipeline();
      // The whole view as bytes (lib/observe/views.ts decodes it).
      if (asked.whole) pipeline.callBuffer('CLUSTER', 'NODES');
      // As bytes: its clock is read from them (lib/observe/view-summary.ts), the rest decoded there.
      if (asked.summary) pipeline.callBuffer(...asked.summary);
      for (const command of DETAIL_QUESTIONS) pipeline.call(...command);
      if (this.deepKeyScan) pipeline.call(...SURVEY);
      const replies = ((await client.exec(pipeline)) ?? []) as [Error | null, unknown][];
      const base = ViewBook.count(asked);
      const reply = (i: number): [Error | null, unknown] =>
        replies[base + i] ?? [new Error('no reply'), null];
      const view = await this.views.read(asked, replies.slice(0, base), async () => {
        const again = client.redis.pipeline();
        again.callBuffer('CLUSTER', 'NODES');
        return ((await client.exec(again)) ?? [])[0] ?? [new Error('no reply'), null];
      });
      observation.latencyMs = Date.now() - t0;
      observation.reachable = true;
      observation.clusterNodes = view.lines;
      observation.clusterNodeTimes = view.times;
      if (view.problems.length > 0) observation.parseProblems = view.problems;
      observation.id = view.lines.find((e) => e.myself)?.id ?? expectedId;
      recordDetails(observation, reply);
      const survey = this.deepKeyScan ? parseSurvey(reply(DETAIL_QUESTIONS.length)) : undefined;
      if (survey) this.surveys.set(address, survey);
    } catch (error) {
      // A failure after the first reply (a node paused mid-way) keeps what was already seen.
      observation.error = client.describe(error);
      if (observation.error.kind === 'auth' || observation.error.kind === 'tls')
        observation.reachable = false;
    }
  }

  results(deadlineHit: boolean): NodeObservation[] {
    const list = [...this.observations.values()];
    if (deadlineHit) {
      for (const o of list) {
        if (!o.reachable && !o.error)
          o.error = { kind: 'timeout', message: 'the observation deadline passed first' };
      }
    }
    // After a deadline, replies still in flight may write to these objects: hand out copies. Without
    // one every command has settled, and copying 40 nodes' answers cost more than the checks.
    const settled = deadlineHit ? list.map(detach) : list;
    return settled.sort((a, b) => compareText(a.address, b.address));
  }

  closeAll(): void {
    this.closed = true;
    for (const client of this.clients.values()) client.close();
    this.options.clock?.close();
  }
}

/**
 * A copy that late replies cannot change. The view's lines and times are only ever replaced whole,
 * never changed (the lines are frozen and shared): they are kept, not copied, so a thousand views are
 * not turned into a million objects just when a deadline passed.
 */
function detach(observation: NodeObservation): NodeObservation {
  const { clusterNodes, clusterNodeTimes, ...rest } = observation;
  return {
    ...structuredClone(rest),
    ...(clusterNodes ? { clusterNodes } : {}),
    ...(clusterNodeTimes ? { clusterNodeTimes } : {}),
  };
}

/**
 * Most nodes asked at once. Each one's reply arrives in pieces that are kept until it is whole; a
 * thousand nodes asked at once held a thousand partial 126 KB replies (peak RSS), and queued a
 * thousand answers behind one thread. A node waiting for its turn is not being timed.
 */
const IN_FLIGHT = 128;

/** Runs `fn` on every item, at most `limit` at a time; `fn` must not throw. */
async function eachAtMost<T>(limit: number, items: T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** What each node is asked after its view (lib/observe/views.ts), in the same pipeline: the details the checks read. */
export const DETAIL_QUESTIONS: [string, ...string[]][] = [
  ['CLUSTER', 'INFO'],
  ['INFO', 'server'],
  ['INFO', 'replication'],
  ['INFO', 'memory'],
  ['INFO', 'keyspace'],
  ['CONFIG', 'GET', 'cluster-*'],
  ['CONFIG', 'GET', 'maxmemory*'],
];

/** Records the replies to {@link DETAIL_QUESTIONS} (`reply(i)` answers the i-th). A refused command is recorded, not fatal. */
function recordDetails(observation: NodeObservation, reply: (i: number) => [Error | null, unknown]): void {
  const [infoError, clusterInfo] = reply(0);
  if (infoError) throw infoError;
  observation.clusterInfo = parseClusterInfo(String(clusterInfo));
  observation.info = emptyRecord();
  for (let i = 1; i <= 4; i++) {
    const [error, text] = reply(i);
    if (!error) Object.assign(observation.info, parseInfo(String(text)));
  }
  const server = serverOf(observation.info);
  if (server) observation.server = server;
  const restricted: string[] = [];
  const config: Record<string, string> = emptyRecord();
  for (const i of [5, 6]) {
    const [error, pairs] = reply(i);
    if (error) {
      if (/unknown command|NOPERM|disabled/i.test(error.message) && !restricted.includes('CONFIG'))
        restricted.push('CONFIG');
      continue;
    }
    const list = pairs as string[];
    for (let k = 0; k + 1 < list.length; k += 2) config[String(list[k])] = String(list[k + 1]);
  }
  if (Object.keys(config).length > 0) observation.config = config;
  if (restricted.length > 0) observation.restrictedCommands = restricted;
}
