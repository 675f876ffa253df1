import { count, mib, ms, sample, table } from './markdown';
import { BEFORE, BEFORE_PROFILE } from './scale-before';
import type { ScaleResults, ScaleRow } from './scale-bench';

const verdict = (met: boolean | undefined) => (met === undefined ? 'not measured' : met ? 'met' : 'not met');
const x = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

/** Least squares on logarithms: y ≈ a·n^b. */
export function powerFit(points: { n: number; y: number }[]): { a: number; b: number } | undefined {
  if (points.length < 2) return undefined;
  const xs = points.map((p) => Math.log(p.n));
  const ys = points.map((p) => Math.log(p.y));
  const mx = xs.reduce((s, v) => s + v, 0) / xs.length;
  const my = ys.reduce((s, v) => s + v, 0) / ys.length;
  let cov = 0;
  let varx = 0;
  xs.forEach((v, i) => {
    cov += (v - mx) * ((ys[i] as number) - my);
    varx += (v - mx) ** 2;
  });
  const b = cov / varx;
  return { a: Math.exp(my - b * mx), b };
}

const fitText = (fit: { a: number; b: number } | undefined, unit: string) =>
  fit ? `${fit.a.toPrecision(3)}·n^${fit.b.toFixed(2)} ${unit}` : '–';

/** Issue 24's goals and figures: 100 to 1000 nodes, beside redis-cli, before and after. */
export function scaleSection(s: ScaleResults | undefined): string | undefined {
  if (!s || s.rows.length === 0) return undefined;
  const fake = s.rows.filter((r) => r.kind === 'fake').sort((a, b) => a.nodes - b.nodes);
  const big = fake[fake.length - 1];
  const goals: string[][] = [];
  if (big) {
    goals.push([
      `every node reached and status ok, ${big.nodes} healthy nodes`,
      `${big.doctor.reached} of ${big.nodes}, ${big.doctor.status}`,
      '–',
      verdict(big.doctor.reached === big.nodes && big.doctor.status === 'ok'),
    ]);
    goals.push([
      `peak RSS, ${big.nodes} nodes`,
      `${mib(big.doctor.rssKiB.median)} MiB`,
      '≤ 256 MiB',
      verdict(big.doctor.rssKiB.median <= 256 * 1024),
    ]);
    const ratio = big.doctor.wall.median / big.redisCli.wall.median;
    goals.push([
      `whole process beside redis-cli, ${big.nodes} nodes`,
      `${ms(big.doctor.wall.median)} against ${ms(big.redisCli.wall.median)} ms (${x(big.doctor.wall.median, big.redisCli.wall.median)})`,
      '≤ 1× (stretch ≤ 0.5×)',
      `${verdict(ratio <= 1)}${ratio <= 0.5 ? ', stretch met' : ''}`,
    ]);
  }
  if (s.faults) {
    const expected = ['config-disagreement', 'node-unreachable', 'slot-open'];
    goals.push([
      `every injected fault found, ${s.faults.nodes} nodes (${s.faults.injected.map((f) => f.kind).join(', ')})`,
      `${s.faults.findings.join(', ')}; ${s.faults.reached} reached, ${s.faults.status}`,
      expected.join(', '),
      verdict(
        expected.every((id) => s.faults?.findings.includes(id)) && s.faults.reached === s.faults.nodes - 1,
      ),
    ]);
  }
  if (s.lambdaHeap) {
    const h = s.lambdaHeap;
    goals.push([
      `${h.nodes} nodes with a 512 MB Lambda's heap (\`${h.flags.join(' ')}\`)`,
      `exit ${h.exit}, ${h.reached} reached, ${h.status}, ${mib(h.rssKiB)} MiB`,
      'finishes, every node, ok',
      verdict(h.exit === 0 && h.reached === h.nodes && h.status === 'ok'),
    ]);
  }
  const rows = s.rows.map((r: ScaleRow) => [
    `${r.nodes} (${r.nodes / 2}×1, ${r.kind})`,
    sample(r.doctor.wall),
    sample(r.doctor.cpuMs),
    mib(r.doctor.rssKiB.median),
    `${r.doctor.reached}, ${r.doctor.status}`,
    sample(r.redisCli.wall),
    sample(r.redisCli.cpuMs),
    mib(r.redisCli.rssKiB.median),
    x(r.doctor.wall.median, r.redisCli.wall.median),
    r.fakeCpuMsPerRun === undefined ? '–' : ms(r.fakeCpuMsPerRun),
  ]);
  const after = {
    time: powerFit(fake.map((r) => ({ n: r.nodes, y: r.doctor.wall.median }))),
    cpu: powerFit(fake.map((r) => ({ n: r.nodes, y: r.doctor.cpuMs.median }))),
    rss: powerFit(fake.map((r) => ({ n: r.nodes, y: r.doctor.rssKiB.median / 1024 }))),
    cli: powerFit(fake.map((r) => ({ n: r.nodes, y: r.redisCli.wall.median }))),
  };
  const before = {
    time: powerFit(BEFORE.map((b) => ({ n: b.nodes, y: b.doctorMs }))),
    rss: powerFit(BEFORE.map((b) => ({ n: b.nodes, y: b.rssMiB }))),
    cli: powerFit(BEFORE.map((b) => ({ n: b.nodes, y: b.redisCliMs }))),
  };
  const p = s.profile;
  const profile = p
    ? `Top of the CPU profile of one ${p.nodes}-node check after (self time, ${ms(p.totalMs)} ms of samples, an unminified
bundle of the same code under \`node --cpu-prof\`):

${table(
  ['source file', 'ms', 'share'],
  p.byFile.slice(0, 10).map((f) => [f.file, ms(f.ms), `${((100 * f.ms) / p.totalMs).toFixed(1)}%`]),
)}

${table(
  ['function', 'file', 'ms', 'share'],
  p.byFunction
    .slice(0, 12)
    .map((f) => [f.name, f.file, ms(f.ms), `${((100 * f.ms) / p.totalMs).toFixed(1)}%`]),
)}`
    : '';
  return `## Scale: 100 to 1000 nodes (issue 24)

${table(['goal', 'measured', 'goal', 'verdict'], goals)}

Each fake cluster is one process serving every node over RESP2 on its own loopback port
(lib/harness/fake: INFO, CLUSTER INFO and CONFIG copied from a real node; every node's
\`CLUSTER NODES\` lists every node, in its own order, with its own ping and pong times). Both tools ran
interleaved on the same nodes, each run a whole process under \`/usr/bin/time -v\` (wall from spawn
to exit, peak RSS, user + system CPU); every run of cluster-doctor reached every node. The fake
process shares the two cores with the tool measured: its CPU per run is in the last column.

${table(
  [
    'nodes (cluster)',
    'cluster-doctor, ms',
    'its CPU, ms',
    'its peak RSS, MiB',
    'reached, status',
    'redis-cli, ms',
    'its CPU, ms',
    'its peak RSS, MiB',
    'cluster-doctor ÷ redis-cli',
    'fake server CPU per run, ms',
  ],
  rows,
)}

Growth with the node count n (least squares on logarithms over the fake rows, so 2 means n²):

${table(
  ['', 'before (recorded)', 'after (this run)'],
  [
    ['cluster-doctor whole process', fitText(before.time, 'ms'), fitText(after.time, 'ms')],
    ['cluster-doctor CPU', '–', fitText(after.cpu, 'ms')],
    ['cluster-doctor peak RSS', fitText(before.rss, 'MiB'), fitText(after.rss, 'MiB')],
    ['redis-cli whole process', fitText(before.cli, 'ms'), fitText(after.cli, 'ms')],
  ],
)}

Before (commit 841052d, recorded on this machine at a load of 4 to 11; at 1000 nodes only runs that
reached every node, as 177 to 823 healthy nodes were reported unreachable in the others):

${table(
  ['nodes', 'cluster-doctor, ms', 'peak RSS, MiB', 'redis-cli, ms', 'runs'],
  BEFORE.map((b) => [count(b.nodes), ms(b.doctorMs), count(b.rssMiB), ms(b.redisCliMs), String(b.runs)]),
)}

Its profile at 1000 nodes: ${BEFORE_PROFILE.map(([what, share]) => `${what} ${share}%`).join('; ')}.

${profile}`;
}
