import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Report } from '../../lib/checks/types';
import type { TestCluster } from '../../lib/harness';
import { FakeCluster, type FakeFault } from '../../lib/harness/fake';
import { BenchError, type ProcessRun, type Sample, summarize, timeProcess } from './measure';
import { type CpuProfileSummary, summarizeProfile } from './profile';
import { CLI, ROOT, startCluster, using } from './resources';

/** One whole process under `/usr/bin/time -v`: wall, peak RSS and CPU. */
export interface MeasuredRun {
  ms: number;
  rssKiB: number;
  cpuMs: number;
  run: ProcessRun;
}

export interface ScaleRow {
  nodes: number;
  /** `fake`: lib/harness/fake, one process serving every node; `real`: redis-servers. */
  kind: 'fake' | 'real';
  startMs: number;
  doctor: {
    wall: Sample;
    rssKiB: Sample;
    cpuMs: Sample;
    reached: number;
    status: string;
    findings: string[];
  };
  redisCli: { wall: Sample; rssKiB: Sample; cpuMs: Sample; listed: number };
  /** The fake process's own CPU during this row's runs, ms per run of either tool (what serving costs). */
  fakeCpuMsPerRun?: number;
}

export interface ScaleResults {
  rows: ScaleRow[];
  /** The fault scenario at the largest fake size: finding ids, nodes reached, status. */
  faults?: { nodes: number; injected: FakeFault[]; findings: string[]; reached: number; status: string };
  /** The largest fake size checked with a 512 MB Lambda's heap bounds. */
  lambdaHeap?: {
    nodes: number;
    flags: string[];
    exit: number | null;
    reached: number;
    status: string;
    rssKiB: number;
  };
  profile?: CpuProfileSummary & { nodes: number };
}

export interface ScaleOptions {
  sizes: number[];
  /** Also a real cluster of this many nodes (0: none). */
  realNodes: number;
  runs: number;
  log: (line: string) => void;
}

const TIME = '/usr/bin/time';
/** What Lambda's Node runtime sets for a 512 MB function (a tenth new space, the rest old space). */
export const LAMBDA_512_FLAGS = ['--max-semi-space-size=25', '--max-old-space-size=461'];

/** Runs a command under GNU time: wall clock from spawn to exit, peak RSS, user + system CPU. */
export async function measured(command: string, args: string[]): Promise<MeasuredRun> {
  const run = await timeProcess(TIME, ['-v', command, ...args]);
  const field = (name: string) => run.stderr.match(new RegExp(`${name}: ([\\d.]+)`))?.[1];
  const rss = field('Maximum resident set size \\(kbytes\\)');
  if (rss === undefined) throw new BenchError(`${TIME} -v gave no peak RSS: ${run.stderr.slice(-300)}`);
  const cpu = Number(field('User time \\(seconds\\)')) + Number(field('System time \\(seconds\\)'));
  return { ms: run.ms, rssKiB: Number(rss), cpuMs: cpu * 1000, run };
}

function doctorReport(run: ProcessRun): Report {
  try {
    return JSON.parse(run.stdout) as Report;
  } catch {
    throw new BenchError(`cluster-doctor check exited ${run.code}: ${run.stderr.trim().slice(-500)}`);
  }
}

/** CPU time of a process so far, ms (Linux /proc). */
function cpuOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Times both tools on one cluster, interleaved, after one warm-up run of each. */
async function timeBoth(seed: string, nodes: number, runs: number, fakePid?: number) {
  const doctor: MeasuredRun[] = [];
  const cli: MeasuredRun[] = [];
  let outcome: { reached: number; status: string; findings: string[] } | undefined;
  let listed = 0;
  const fakeStart = fakePid ? cpuOf(fakePid) : 0;
  for (let i = 0; i <= runs; i++) {
    const ours = await measured(process.execPath, [CLI, 'check', seed, '--json']);
    const report = doctorReport(ours.run);
    const now = {
      reached: report.nodes.filter((n) => n.reachable).length,
      status: report.status,
      findings: report.findings.map((f) => f.id),
    };
    // Every run must reach every node: a run that did not is a result to see, not a timing to keep.
    if (now.reached !== nodes)
      throw new BenchError(`cluster-doctor reached ${now.reached} of ${nodes} nodes: ${JSON.stringify(now)}`);
    outcome = now;
    const theirs = await measured('redis-cli', ['--cluster', 'check', seed]);
    if (theirs.run.code !== 0 || !theirs.run.stdout.includes('All 16384 slots covered'))
      throw new BenchError(
        `redis-cli --cluster check exited ${theirs.run.code}: ${theirs.run.stdout.slice(-300)}`,
      );
    listed = [...theirs.run.stdout.matchAll(/[MS]: [0-9a-f]{40} /g)].length;
    if (i === 0) continue;
    doctor.push(ours);
    cli.push(theirs);
  }
  if (!outcome) throw new BenchError('no run');
  const sample = (xs: MeasuredRun[], f: (m: MeasuredRun) => number) => summarize(xs.map(f));
  return {
    doctor: {
      wall: sample(doctor, (m) => m.ms),
      rssKiB: sample(doctor, (m) => m.rssKiB),
      cpuMs: sample(doctor, (m) => m.cpuMs),
      ...outcome,
    },
    redisCli: {
      wall: sample(cli, (m) => m.ms),
      rssKiB: sample(cli, (m) => m.rssKiB),
      cpuMs: sample(cli, (m) => m.cpuMs),
      listed,
    },
    fakeCpuMsPerRun: fakePid ? (cpuOf(fakePid) - fakeStart) / (2 * (runs + 1)) : undefined,
  };
}

/**
 * The scale section: `check` beside `redis-cli --cluster check` on fake clusters of each size (and a
 * real one), the fault scenario and a 512 MB Lambda's heap at the largest size, and a CPU profile.
 */
export async function benchScale(options: ScaleOptions): Promise<ScaleResults> {
  const rows: ScaleRow[] = [];
  const largest = Math.max(...options.sizes);
  let results: ScaleResults = { rows };
  for (const nodes of [...options.sizes].sort((a, b) => a - b)) {
    const started = performance.now();
    await using(FakeCluster.start({ masters: nodes / 2 }), async (fake) => {
      const startMs = performance.now() - started;
      options.log(`scale: ${nodes} fake nodes up in ${(startMs / 1000).toFixed(1)} s`);
      const seed = fake.seeds[0] as string;
      rows.push({ nodes, kind: 'fake', startMs, ...(await timeBoth(seed, nodes, options.runs, fake.pid)) });
      options.log(`scale: ${nodes} fake nodes measured`);
      if (nodes !== largest) return;
      const heap = await measured(process.execPath, [...LAMBDA_512_FLAGS, CLI, 'check', seed, '--json']);
      const report = doctorReport(heap.run);
      results.lambdaHeap = {
        nodes,
        flags: LAMBDA_512_FLAGS,
        exit: heap.run.code,
        reached: report.nodes.filter((n) => n.reachable).length,
        status: report.status,
        rssKiB: heap.rssKiB,
      };
      results.profile = { nodes, ...(await profileCheck(seed)) };
      options.log(`scale: ${nodes} fake nodes under a 512 MB Lambda's heap, and profiled`);
    });
  }
  results = { ...results, faults: await faultScenario(largest, options.log) };
  if (options.realNodes > 0) {
    const started = performance.now();
    await using(startCluster(options.realNodes), async (cluster: TestCluster) => {
      const startMs = performance.now() - started;
      options.log(`scale: ${options.realNodes} real nodes up in ${(startMs / 1000).toFixed(1)} s`);
      rows.push({
        nodes: options.realNodes,
        kind: 'real',
        startMs,
        ...(await timeBoth(cluster.seeds[0] as string, options.realNodes, options.runs)),
      });
    });
  }
  return results;
}

/** A slot open on its owner, a replica whose view gives ten slots elsewhere, a replica that stalls. */
async function faultScenario(nodes: number, log: (line: string) => void): Promise<ScaleResults['faults']> {
  const injected: FakeFault[] = [
    { kind: 'slot-open', slot: 100 },
    { kind: 'view-disagrees', node: Math.floor(nodes * 0.7), slots: [5000, 5009] },
    { kind: 'stall', node: nodes - 1 },
  ];
  return using(FakeCluster.start({ masters: nodes / 2, faults: injected }), async (fake) => {
    const run = await measured(process.execPath, [CLI, 'check', fake.seeds[0] as string, '--json']);
    const report = doctorReport(run.run);
    log(`scale: ${nodes} fake nodes with faults checked`);
    return {
      nodes,
      injected,
      findings: [...new Set(report.findings.map((f) => f.id))].sort(),
      reached: report.nodes.filter((n) => n.reachable).length,
      status: report.status,
    };
  });
}

/**
 * `check` under `--cpu-prof`, from an unminified bundle of the CLI (the shipped one is minified, its
 * names unreadable), summarized by function and by source file.
 */
async function profileCheck(seed: string): Promise<CpuProfileSummary> {
  const dir = mkdtempSync(join(tmpdir(), 'cluster-doctor-profile-'));
  try {
    const bundle = join(dir, 'cli.js');
    await build({
      entryPoints: [join(ROOT, 'bin', 'cluster-doctor.ts')],
      outfile: bundle,
      bundle: true,
      minify: false,
      keepNames: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      supported: { 'dynamic-import': false },
      logLevel: 'warning',
    });
    const run = await timeProcess(process.execPath, [
      '--cpu-prof',
      `--cpu-prof-dir=${dir}`,
      bundle,
      'check',
      seed,
      '--json',
    ]);
    if (run.code !== 0 && run.code !== 1) throw new BenchError(`profiled check exited ${run.code}`);
    const profile = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!profile) throw new BenchError('no CPU profile written');
    return summarizeProfile(join(dir, profile), bundle);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
