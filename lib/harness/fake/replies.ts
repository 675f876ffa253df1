import { createHash } from 'node:crypto';
import { COUNT_SCRIPT, SURVEY } from '../../observe/key-counts';
import { VIEW_SCRIPT, writeClock } from '../../observe/view-summary';
import { SLOT_COUNT } from '../../topology/types';
import { RECORDED } from './recorded';
import { type RespValue, SimpleString } from './resp';
import {
  type FakeFault,
  type FakeNode,
  ownerOf,
  ownTokens,
  stampTimes,
  type ViewTemplate,
  viewTemplate,
} from './topology';

/** What every node of one fake cluster shares. */
export interface FakeClusterState {
  nodes: FakeNode[];
  faults: FakeFault[];
  keysPerSlot: number;
  seed: number;
  startedAt: number;
  /** Normalized views by hash (see FakeNodeReplies.summary), shared by the nodes whose views are alike. */
  summaryTexts?: Map<string, string>;
}

/** A view's clock as ages before "now", in the summary's order (see FakeNodeReplies.clockAt). */
interface ClockAges {
  ping: Int32Array;
  pong: Int32Array;
}

/** The reply to a command, or `stall` for a node that never answers. */
export type Answer = RespValue | SimpleString | { view: Buffer };

const OK = new SimpleString('OK');
const SURVEY_SCRIPT = SURVEY[1];

/** `field:value` lines of an INFO-style text, with the given fields' values replaced (order kept). */
export function withFields(text: string, values: Record<string, string | number>): string {
  return text.replace(/^([a-z_0-9]+):(.*)$/gm, (line, field: string) =>
    field in values ? `${field}:${values[field]}` : line,
  );
}

/** `cluster-*` → a regular expression, as Redis matches CONFIG GET patterns (case-insensitive glob). */
function glob(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

/** The sections of an `INFO` text by lower-case name, in order. */
function sectionsOf(text: string): Map<string, string> {
  const sections = new Map<string, string>();
  for (const part of text.split(/\r\n(?=# )/)) {
    const name = part.match(/^# (\S+)/)?.[1]?.toLowerCase();
    if (name) sections.set(name, part.endsWith('\r\n') ? part : `${part}\r\n`);
  }
  return sections;
}

/** Sections whose values are this node's own; the others are the recorded node's, as they were. */
const GENERATED = new Set(['server', 'replication', 'memory', 'keyspace']);
type Generated = 'server' | 'replication' | 'memory' | 'keyspace';

const CONFIG_PAIRS: [string, string][] = Object.values(RECORDED.config).flatMap((list) =>
  list.flatMap((value, i): [string, string][] => (i % 2 === 0 ? [[value, list[i + 1] as string]] : [])),
);

/**
 * One fake node's answers to the commands the observation and `redis-cli --cluster check` send,
 * shaped like the recorded replies of a real node (lib/harness/fake/recorded.ts): the same fields in
 * the same order, with this node's ids, ports, times and offsets.
 */
export class FakeNodeReplies {
  private readonly view: ViewTemplate;
  private readonly master: FakeNode;
  private readonly replicas: FakeNode[];
  private readonly replId: string;
  /** The view as the summary script normalizes it: its hash, its text, and its clock as a template. */
  private readonly summary: { hash: string; text: string; clock: ClockAges };
  /** Answers that never change, by command: a fake serves a thousand nodes from one thread. */
  private readonly memo = new Map<string, Answer>();

  constructor(
    private readonly cluster: FakeClusterState,
    readonly node: FakeNode,
  ) {
    this.view = viewTemplate(cluster.nodes, node, cluster.faults, cluster.seed);
    this.master = node.master === undefined ? node : (cluster.nodes[node.master] as FakeNode);
    this.replicas = cluster.nodes.filter((n) => n.master === this.master.index);
    this.replId = createHash('sha1').update(`fake-replid ${this.master.id}`).digest('hex');
    const order = Int32Array.from(this.view.normalized.keys()).sort((a, b) => {
      const x = this.view.normalized[a] as string;
      const y = this.view.normalized[b] as string;
      return x < y ? -1 : x > y ? 1 : 0;
    });
    const text = Array.from(order, (i) => this.view.normalized[i]).join('\n');
    const hash = createHash('sha1').update(text).digest('hex');
    // Views alike share one text (a healthy cluster's are all alike).
    cluster.summaryTexts ??= new Map();
    if (!cluster.summaryTexts.has(hash)) cluster.summaryTexts.set(hash, text);
    this.summary = { hash, text: cluster.summaryTexts.get(hash) as string, clock: this.clockTemplate(order) };
    this.view.normalized = [];
  }

  /** Each line's ping age (-1: none in flight) and pong age (-1: now, rounded), in the normalized order. */
  private clockTemplate(order: Int32Array): ClockAges {
    return {
      ping: Int32Array.from(order, (i) => this.view.pingAges[i] as number),
      pong: Int32Array.from(order, (i) => this.view.pongAges[i] as number),
    };
  }

  get stalled(): boolean {
    return this.cluster.faults.some((f) => f.kind === 'stall' && f.node === this.node.index);
  }

  answer(args: string[]): Answer {
    const [name = '', ...rest] = args;
    const upper = name.toUpperCase();
    // INFO (but its server section, which tells the time), CONFIG, CLUSTER INFO and the scripts that
    // read nothing but the topology answer the same every time.
    const fixed =
      (upper === 'INFO' && rest.length > 0 && !rest.some((r) => r.toLowerCase() === 'server')) ||
      upper === 'CONFIG' ||
      (upper === 'CLUSTER' && (rest[0] ?? '').toUpperCase() === 'INFO') ||
      (upper === 'EVAL' && rest[0] !== VIEW_SCRIPT);
    if (!fixed) return this.compute(name, rest);
    const key = args.join('\u0000');
    let answer = this.memo.get(key);
    if (answer === undefined) {
      answer = this.compute(name, rest);
      this.memo.set(key, answer);
    }
    return answer;
  }

  private compute(name: string, rest: string[]): Answer {
    switch (name.toUpperCase()) {
      case 'PING':
        return rest.length > 0 ? (rest[0] as string) : new SimpleString('PONG');
      case 'CLUSTER':
        return this.clusterCommand(rest);
      case 'INFO':
        return this.info(rest);
      case 'CONFIG':
        return this.config(rest);
      case 'DBSIZE':
        return this.dbsize();
      case 'EVAL':
        return this.eval(rest);
      case 'SELECT':
      case 'READONLY':
      case 'READWRITE':
      case 'QUIT':
        return OK;
      case 'CLIENT':
        return (rest[0] ?? '').toUpperCase() === 'ID' ? this.node.index + 1 : OK;
      case 'AUTH':
        return new Error(
          'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
        );
      default:
        return unknownCommand(name, rest);
    }
  }

  private clusterCommand([sub = '', ...rest]: string[]): Answer {
    switch (sub.toUpperCase()) {
      case 'NODES':
        return { view: stampTimes(this.view, Date.now()) };
      case 'INFO':
        return this.clusterInfo();
      case 'MYID':
        return this.node.id;
      case 'COUNTKEYSINSLOT': {
        const slot = Number(rest[0]);
        if (!Number.isInteger(slot) || slot < 0 || slot >= SLOT_COUNT) return new Error('ERR Invalid slot');
        return this.keysIn(slot);
      }
      default:
        return new Error(RECORDED.errors.unknownSubcommand.replace("'FOO'", `'${sub}'`));
    }
  }

  /** Keys of `slot` here: its owner and the owner's replicas hold them. */
  private keysIn(slot: number): number {
    return ownerOf(this.cluster.nodes, slot) === this.master ? this.cluster.keysPerSlot : 0;
  }

  private dbsize(): number {
    const slots = this.master.slots;
    return slots ? (slots[1] - slots[0] + 1) * this.cluster.keysPerSlot : 0;
  }

  private clusterInfo(): string {
    const template = this.node.role === 'master' ? RECORDED.master.clusterInfo : RECORDED.replica.clusterInfo;
    const masters = this.cluster.nodes.filter((n) => n.slots);
    return withFields(template, {
      cluster_known_nodes: this.cluster.nodes.length,
      cluster_size: masters.length,
      cluster_current_epoch: Math.max(...this.cluster.nodes.map((n) => n.epoch)),
      cluster_my_epoch: this.node.epoch,
    });
  }

  private info(sections: string[]): string {
    const recorded = this.node.role === 'master' ? RECORDED.master.info : RECORDED.replica.info;
    const known = sectionsOf(recorded.default);
    const wanted = sections.length === 0 ? ['default'] : sections.map((s) => s.toLowerCase());
    const all = wanted.some((s) => s === 'default' || s === 'all' || s === 'everything');
    return [...known]
      .filter(([name]) => all || wanted.includes(name))
      .map(([name, text]) => (GENERATED.has(name) ? this.section(name as Generated) : text))
      .join('\r\n');
  }

  private section(name: Generated): string {
    const recorded = this.node.role === 'master' ? RECORDED.master.info : RECORDED.replica.info;
    const now = Date.now();
    const offset = 1000 + 14 * this.master.index;
    switch (name) {
      case 'server':
        return withFields(recorded.server, {
          process_id: 100_000 + this.node.index,
          run_id: this.node.runId,
          tcp_port: this.node.port,
          server_time_usec: now * 1000 + (this.node.index % 1000),
          uptime_in_seconds: Math.floor((now - this.cluster.startedAt) / 1000),
          lru_clock: Math.floor(now / 1000) & 0xffffff,
          executable: '/tmp/cluster-doctor-fake/redis-server',
        });
      case 'replication':
        if (this.node.role === 'replica')
          return withFields(recorded.replication, {
            master_port: this.master.port,
            slave_read_repl_offset: offset,
            slave_repl_offset: offset,
            master_replid: this.replId,
            master_repl_offset: offset,
          });
        return withFields(recorded.replication, {
          connected_slaves: this.replicas.length,
          master_replid: this.replId,
          master_repl_offset: offset,
        }).replace(
          /^slave0:.*\r\n/m,
          this.replicas
            .map((r, i) => `slave${i}:ip=127.0.0.1,port=${r.port},state=online,offset=${offset},lag=0\r\n`)
            .join(''),
        );
      case 'memory':
        return recorded.memory;
      case 'keyspace': {
        const keys = this.dbsize();
        return keys > 0 ? `${recorded.keyspace}db0:keys=${keys},expires=0,avg_ttl=0\r\n` : recorded.keyspace;
      }
    }
  }

  private config([sub = '', ...patterns]: string[]): Answer {
    if (sub.toUpperCase() !== 'GET')
      return new Error(
        RECORDED.errors.unknownSubcommand.replace("'FOO'", `'${sub}'`).replace('CLUSTER', 'CONFIG'),
      );
    const result: string[] = [];
    for (const pattern of patterns) {
      const match = glob(pattern);
      for (const [name, value] of CONFIG_PAIRS) {
        if (!match.test(name) || result.includes(name)) continue;
        result.push(name, name === 'cluster-port' ? String(this.node.busPort) : value);
      }
    }
    return result;
  }

  /** The observation's two read-only scripts, answered as they would run here; any other is refused. */
  private eval([script = '', numkeys = '0', ...args]: string[]): Answer {
    const argv = args.slice(Number(numkeys));
    if (script === SURVEY_SCRIPT) return this.survey();
    if (script === VIEW_SCRIPT) return this.viewSummary(argv[0] ?? '');
    if (script === COUNT_SCRIPT) return this.countScript(argv);
    return new Error(
      "ERR the fake cluster runs only the observation's own scripts (lib/observe/key-counts.ts)",
    );
  }

  /** What lib/observe/view-summary.ts's script returns here: hash, own line, clock, text unless known. */
  private viewSummary(known: string): RespValue {
    const now = Date.now();
    const rounded = Math.floor(now / 1000) * 1000;
    const { own } = this.view;
    return [
      this.summary.hash,
      `${own.before}0 ${rounded}${own.after}`,
      this.clockAt(now, rounded),
      this.summary.hash === known ? '' : this.summary.text,
    ];
  }

  /** The summary's clock at `now`, as the script writes it. */
  private clockAt(now: number, rounded: number): string {
    const { ping, pong } = this.summary.clock;
    const times = new Float64Array(ping.length * 2);
    for (let i = 0; i < ping.length; i++) {
      const p = ping[i] as number;
      const q = pong[i] as number;
      times[2 * i] = p < 0 ? 0 : now - p;
      times[2 * i + 1] = q < 0 ? rounded : now - q;
    }
    return writeClock(times);
  }

  private survey(): RespValue {
    if (this.node.role !== 'master') return ['other', '', 0, 0];
    const slots = this.node.slots;
    const sum = slots ? (slots[1] - slots[0] + 1) * this.cluster.keysPerSlot : 0;
    const out: RespValue[] = [
      'master',
      ownTokens(this.cluster.nodes, this.node, this.cluster.faults),
      this.dbsize(),
      sum,
    ];
    for (const fault of this.cluster.faults) {
      if (fault.kind === 'slot-open' && ownerOf(this.cluster.nodes, fault.slot) === this.node) {
        out.push(fault.slot, this.keysIn(fault.slot));
      }
    }
    return out;
  }

  private countScript(argv: string[]): RespValue {
    const out: RespValue[] = [0];
    let sum = 0;
    for (let i = 0; i + 2 < argv.length; i += 3) {
      const report = argv[i + 2];
      for (let s = Number(argv[i]); s <= Number(argv[i + 1]); s++) {
        const n = this.keysIn(s);
        sum += n;
        if (report === 'all' || (report === 'nonzero' && n > 0)) out.push(s, n);
      }
    }
    out[0] = sum;
    return out;
  }
}

function unknownCommand(name: string, args: string[]): Error {
  const quoted = args.map((a) => `'${a.slice(0, 128)}' `).join('');
  return new Error(`ERR unknown command '${name.slice(0, 128)}', with args beginning with: ${quoted}`);
}
