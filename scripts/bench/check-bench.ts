import { buildReport } from '../../lib/checks/run';
import type { Report } from '../../lib/checks/types';
import { loadKeys, type TestCluster } from '../../lib/harness';
import { observeCluster } from '../../lib/observe';
import { ProxyFleet, pingRttMs } from './delay-proxy';
import {
  BenchError,
  interleaved,
  type ProcessRun,
  peakRssKiB,
  type Sample,
  summarize,
  timeProcess,
} from './measure';
import { CLI, startCluster, using } from './resources';

/** One cluster size, timed four ways in the same run. */
export interface CheckTimes {
  process: Sample;
  /** The observation inside those processes (the report's `durationMs`): cold code, no start-up. */
  processObserve: Sample;
  inProcess: Sample;
  inProcessQuick: Sample;
  redisCli: Sample;
  /** Exit status and finding ids of `cluster-doctor check` (checked to be the same in every run). */
  exitCode: number;
  findings: string[];
}

export interface LatencyTimes extends CheckTimes {
  directRtt: Sample;
  proxyRtt: Sample;
  /** How long gossip took to spread the proxy ports to every node. */
  announceMs: number;
}

export interface PeakMemory {
  doctorKiB: number;
  redisCliKiB: number;
  /** `node -e 0`: what the runtime alone takes. */
  nodeKiB: number;
  doctorMs: number;
  redisCliMs: number;
}

export interface SizeResult {
  nodes: number;
  keys: number;
  startMs: number;
  direct: CheckTimes;
  latency?: LatencyTimes;
  memory?: PeakMemory;
}

export interface CheckBenchOptions {
  runs: number;
  keys: number;
  delayMs: number;
  latency: boolean;
  memory: boolean;
  log: (line: string) => void;
}

/**
 * Starts a cluster of `nodes` nodes with `keys` keys and times `check` on it: loopback first, then
 * (with `latency`) with every node behind a delay proxy that the cluster itself advertises.
 */
export function benchCheck(nodes: number, options: CheckBenchOptions): Promise<SizeResult> {
  const started = performance.now();
  return using(startCluster(nodes), async (cluster) => {
    await loadKeys(cluster, options.keys);
    const startMs = performance.now() - started;
    options.log(`${nodes} nodes up with ${options.keys} keys in ${(startMs / 1000).toFixed(1)} s`);
    const seed = cluster.seeds[0] as string;
    const direct = await timeChecks(seed, nodes, options.runs, () => true);
    options.log(`${nodes} nodes, loopback: measured`);
    const memory = options.memory ? await peakMemory(seed, options.runs) : undefined;
    if (memory) options.log(`${nodes} nodes: peak memory measured`);
    const latency = options.latency ? await withLatency(cluster, nodes, options) : undefined;
    return { nodes, keys: options.keys, startMs, direct, latency, memory };
  });
}

async function withLatency(
  cluster: TestCluster,
  nodes: number,
  options: CheckBenchOptions,
): Promise<LatencyTimes> {
  return using(
    ProxyFleet.start(
      cluster.nodes.map((n) => n.port),
      options.delayMs,
    ),
    async (fleet) => {
      const announced = performance.now();
      await announceProxies(cluster, fleet);
      const announceMs = performance.now() - announced;
      options.log(
        `${nodes} nodes: every node advertises its delay proxy (${(announceMs / 1000).toFixed(1)} s)`,
      );
      const first = cluster.nodes[0];
      if (!first) throw new BenchError('empty cluster');
      const proxyPorts = new Set(fleet.ports.values());
      const times = await timeChecks(`127.0.0.1:${fleet.proxyFor(first.port)}`, nodes, options.runs, (port) =>
        proxyPorts.has(port),
      );
      const directRtt = await pingRttMs(first.port);
      const proxyRtt = await pingRttMs(fleet.proxyFor(first.port));
      options.log(`${nodes} nodes, through delay proxies: measured`);
      return { ...times, directRtt, proxyRtt, announceMs };
    },
  );
}

/**
 * Tells every node to announce its proxy's port (the bus port stays the real one, so gossip is not
 * delayed), then waits until every node lists every other at its proxy port and replicas are back in
 * sync (a replica re-dials its master at the new port).
 */
async function announceProxies(cluster: TestCluster, fleet: ProxyFleet): Promise<void> {
  for (const n of cluster.nodes) {
    await n.process.command(
      'CONFIG',
      'SET',
      'cluster-announce-port',
      fleet.proxyFor(n.port),
      'cluster-announce-bus-port',
      n.process.busPort,
    );
  }
  const proxyPorts = new Set(fleet.ports.values());
  await cluster.waitFor('every node lists every node at its proxy port', async () => {
    const views = await Promise.all(cluster.nodes.map((n) => n.process.command('CLUSTER', 'NODES')));
    return views.every((view) =>
      String(view)
        .trim()
        .split('\n')
        .every((line) => proxyPorts.has(Number(line.match(/^\S+ [^ ]*:(\d+)@/)?.[1]))),
    );
  });
  await cluster.waitHealthy();
}

/** Times the four contenders on one seed; every run is checked to have reached all `nodes` nodes. */
async function timeChecks(
  seed: string,
  nodes: number,
  runs: number,
  portOk: (port: number) => boolean,
): Promise<CheckTimes> {
  let outcome: { exitCode: number; findings: string[] } | undefined;
  const observeMs: number[] = [];
  const samples = await interleaved(runs, {
    process: async () => {
      const run = await timeProcess(process.execPath, [CLI, 'check', seed, '--json']);
      const report = doctorReport(run);
      verifyReport(report, nodes, portOk);
      const now = { exitCode: run.code ?? -1, findings: report.findings.map((f) => f.id) };
      if (outcome && JSON.stringify(outcome) !== JSON.stringify(now))
        throw new BenchError(`check results changed between runs: ${JSON.stringify([outcome, now])}`);
      outcome = now;
      observeMs.push(report.durationMs);
      return run.ms;
    },
    inProcess: () => timeEngine(seed, nodes, portOk, true),
    inProcessQuick: () => timeEngine(seed, nodes, portOk, false),
    redisCli: async () => {
      const run = await timeProcess('redis-cli', ['--cluster', 'check', seed]);
      verifyRedisCli(run, nodes, portOk);
      return run.ms;
    },
  });
  if (!outcome) throw new BenchError('no cluster-doctor run');
  // The warm-up run's observation is left out, as its wall time is.
  return { ...samples, processObserve: summarize(observeMs.slice(1)), ...outcome };
}

/** observe + buildReport, as the check Lambda and the CLI run them, inside this process. */
async function timeEngine(
  seed: string,
  nodes: number,
  portOk: (port: number) => boolean,
  deepKeyScan: boolean,
): Promise<number> {
  const started = performance.now();
  const report = buildReport(await observeCluster([seed], { deepKeyScan }));
  const elapsed = performance.now() - started;
  verifyReport(report, nodes, portOk);
  return elapsed;
}

/** `check --json` of a healthy test cluster: exit 0 (replica-colocated is info) or 1 (a warning). */
function doctorReport(run: ProcessRun): Report {
  if (run.code !== 0 && run.code !== 1)
    throw new BenchError(
      `cluster-doctor check exited ${run.code}: ${run.stderr.trim() || run.stdout.slice(0, 500)}`,
    );
  return JSON.parse(run.stdout) as Report;
}

function verifyReport(report: Report, nodes: number, portOk: (port: number) => boolean): void {
  const reached = report.nodes.filter((n) => n.reachable && portOk(Number(n.address.split(':').pop())));
  if (reached.length !== nodes)
    throw new BenchError(
      `cluster-doctor reached ${reached.length} of ${nodes} nodes as expected: ${report.nodes.map((n) => n.address).join(' ')}`,
    );
}

function verifyRedisCli(run: ProcessRun, nodes: number, portOk: (port: number) => boolean): void {
  if (run.code !== 0 || !run.stdout.includes('All 16384 slots covered'))
    throw new BenchError(`redis-cli --cluster check exited ${run.code}: ${run.stdout.slice(-500)}`);
  const listed = [...run.stdout.matchAll(/[MS]: [0-9a-f]{40} \S+:(\d+)/g)].filter((m) =>
    portOk(Number(m[1])),
  );
  if (listed.length !== nodes)
    throw new BenchError(`redis-cli listed ${listed.length} of ${nodes} nodes at the expected ports`);
}

/** Peak RSS of whole `check` processes (median of `runs`), ours and redis-cli's, and of bare Node. */
async function peakMemory(seed: string, runs: number): Promise<PeakMemory | undefined> {
  const kib = { doctor: [] as number[], redisCli: [] as number[], node: [] as number[] };
  const wall = { doctor: [] as number[], redisCli: [] as number[] };
  for (let i = 0; i < runs; i++) {
    const ours = await peakRssKiB(process.execPath, [CLI, 'check', seed, '--json']);
    const theirs = await peakRssKiB('redis-cli', ['--cluster', 'check', seed]);
    const bare = await peakRssKiB(process.execPath, ['-e', '0']);
    if (!ours || !theirs || !bare) return undefined;
    doctorReport(ours.run);
    kib.doctor.push(ours.kib);
    kib.redisCli.push(theirs.kib);
    kib.node.push(bare.kib);
    wall.doctor.push(ours.run.ms);
    wall.redisCli.push(theirs.run.ms);
  }
  const median = (xs: number[]) => summarize(xs).median;
  return {
    doctorKiB: median(kib.doctor),
    redisCliKiB: median(kib.redisCli),
    nodeKiB: median(kib.node),
    doctorMs: median(wall.doctor),
    redisCliMs: median(wall.redisCli),
  };
}
