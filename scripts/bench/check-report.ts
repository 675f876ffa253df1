import type { LatencyTimes, SizeResult } from './check-bench';
import { count, mib, ms, ratio, sample, table } from './markdown';

const topology = (nodes: number) => `${nodes} (${nodes / 2}×1)`;
/** The deep key scan's share of the warm engine's time, percent. */
const share = (c: SizeResult) =>
  Math.round(
    (100 * (c.direct.inProcess.median - c.direct.inProcessQuick.median)) / c.direct.inProcess.median,
  );
const added = (after: number, before: number) => `${after >= before ? '+' : ''}${ms(after - before)}`;

/** Section 1: `check` on loopback. */
export function checkSection(checks: SizeResult[], nodeStartMs?: number): string | undefined {
  if (checks.length === 0) return undefined;
  const rows = checks.map((c) => [
    topology(c.nodes),
    count(c.keys),
    sample(c.direct.process),
    sample(c.direct.processObserve),
    sample(c.direct.inProcess),
    sample(c.direct.inProcessQuick),
    sample(c.direct.redisCli),
    `${c.direct.exitCode}: ${c.direct.findings.join(', ') || 'no findings'}`,
  ]);
  const big = checks[checks.length - 1] as SizeResult;
  const start = nodeStartMs === undefined ? '' : ` (\`node -e 0\` alone: ${ms(nodeStartMs)} ms)`;
  return `## 1. \`check\` on loopback

${table(
  [
    'nodes (masters×replicas)',
    'keys',
    'cluster-doctor (process), ms',
    'of which observation inside that process, ms',
    'cluster-doctor (in-process), ms',
    'cluster-doctor (in-process, no deep key scan), ms',
    'redis-cli --cluster check, ms',
    'cluster-doctor exit: findings',
  ],
  rows,
)}

What this shows: a whole \`cluster-doctor check\` costs Node start-up${start} plus an observation run on
cold (not yet optimised) code; warm, in-process, the engine takes ${ms(big.direct.inProcess.median)} ms at
${big.nodes} nodes, ${share(big)}% of it the deep key scan (\`COUNTKEYSINSLOT\` for all 16 384 slots, which finds keys
stranded in unowned slots; redis-cli does not look for them) — ${ms(big.direct.inProcessQuick.median)} ms
without it — against ${ms(big.direct.redisCli.median)} ms for the whole redis-cli process.

- **cluster-doctor (process)**: \`node bin/cluster-doctor.js check 127.0.0.1:PORT --json\` spawned and
  timed until it exits; "observation inside that process" is the report's own \`durationMs\`.
- **cluster-doctor (in-process)**: \`observeCluster([seed])\` + \`buildReport\` in the bench process after a
  warm-up, as a warm Lambda runs them; "no deep key scan" is what \`check --quick\` does.
- **redis-cli --cluster check**: the whole process. Every run of every contender is checked to have
  reached every node; exit 0 with \`replica-colocated\` (info) is expected on a one-host test cluster.`;
}

/** Section 2: the same with every node behind a delay proxy. */
export function latencySection(checks: SizeResult[], delayMs: number): string | undefined {
  const rows = checks.flatMap((c) => (c.latency ? [{ c, l: c.latency }] : []));
  const first = rows[0];
  const last = rows[rows.length - 1];
  if (!first || !last) return undefined;
  type Row = { c: SizeResult; l: LatencyTimes };
  const cli = (x: Row) => x.l.redisCli.median - x.c.direct.redisCli.median;
  const ours = (x: Row) => x.l.inProcess.median - x.c.direct.inProcess.median;
  const rtt = first.l.proxyRtt.median;
  const list = (f: (x: Row) => number) => rows.map((x) => `${added(f(x), 0)} at ${x.c.nodes}`).join(', ');
  const noisiest = Math.max(...rows.map((x) => x.c.direct.inProcess.max - x.c.direct.inProcess.min));
  const small = rows.every((x) => Math.abs(ours(x)) <= noisiest);
  return `## 2. \`check\` with injected network latency (${delayMs} ms each way)

Every node sits behind its own TCP delay proxy (in a child process; each chunk is forwarded after
\`setTimeout(${delayMs})\`, in both directions) and announces the proxy's port (\`CONFIG SET
cluster-announce-port\`; the bus port is unchanged, so gossip is not delayed). The bench waited until every
node's \`CLUSTER NODES\` listed every node at its proxy port, so both tools reach every node through a
proxy. \`PING\` round trip: ${sample(first.l.directRtt)} ms direct, ${sample(first.l.proxyRtt)} ms through a proxy.

${table(
  [
    'nodes (masters×replicas)',
    'cluster-doctor (process), ms',
    'cluster-doctor (in-process), ms',
    'cluster-doctor (in-process, no deep key scan), ms',
    'redis-cli --cluster check, ms',
    'added by latency: cluster-doctor (in-process), ms',
    'added by latency: cluster-doctor (in-process, no deep key scan), ms',
    'added by latency: redis-cli, ms',
    'redis-cli ÷ cluster-doctor (in-process)',
  ],
  rows.map(({ c, l }) => [
    topology(c.nodes),
    sample(l.process),
    sample(l.inProcess),
    sample(l.inProcessQuick),
    sample(l.redisCli),
    added(l.inProcess.median, c.direct.inProcess.median),
    added(l.inProcessQuick.median, c.direct.inProcessQuick.median),
    added(l.redisCli.median, c.direct.redisCli.median),
    ratio(l.redisCli.median, l.inProcess.median),
  ]),
)}

What this shows: redis-cli visits the nodes one after another, so the time latency adds to it grows with
the node count (${list(cli)} nodes; about ${(cli(last) / rtt).toFixed(0)} round trips at ${last.c.nodes}).
cluster-doctor asks all nodes at once: latency adds ${list(ours)} nodes to its engine${
    small ? `, within the run-to-run spread of its loopback timings (max − min up to ${ms(noisiest)} ms)` : ''
  }. Behind the proxies at ${last.c.nodes} nodes, cluster-doctor's engine (deep key scan included) takes
${ms(last.l.inProcess.median)} ms and the whole redis-cli process ${ms(last.l.redisCli.median)} ms. "Added" compares medians with
section 1 on the same cluster.`;
}

/** Section 5: peak memory of the largest check. */
export function memorySection(checks: SizeResult[], runs: number): string | undefined {
  const c = checks.find((x) => x.memory);
  const m = c?.memory;
  if (!c || !m) return undefined;
  return `## 5. Peak memory of a ${c.nodes}-node check

${table(
  ['whole process', 'peak RSS, MiB', 'wall under /usr/bin/time, ms'],
  [
    [`cluster-doctor check --json, ${topology(c.nodes)} nodes`, mib(m.doctorKiB), ms(m.doctorMs)],
    [`redis-cli --cluster check, ${topology(c.nodes)} nodes`, mib(m.redisCliKiB), ms(m.redisCliMs)],
    ['`node -e 0` (the runtime alone)', mib(m.nodeKiB), '–'],
  ],
)}

What this shows: "Maximum resident set size" from \`/usr/bin/time -v\` (median of ${runs} run(s), loopback
cluster of section 1). Of cluster-doctor's ${mib(m.doctorKiB)} MiB, the Node runtime alone accounts for
${mib(m.nodeKiB)} MiB; the rest is the loaded bundle (ioredis among it) and the check's working set, a
snapshot of every node's answers. redis-cli, a C program, needs ${mib(m.redisCliKiB)} MiB.`;
}
