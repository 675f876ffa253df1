import { count, mib, ms, table } from './markdown';
import { summarize } from './measure';
import type { BenchResults } from './results';

const median = (xs: number[]) => (xs.length > 0 ? summarize(xs).median : undefined);
const x = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
const verdict = (met: boolean | undefined) => (met === undefined ? 'not measured' : met ? 'met' : 'not met');

/**
 * Issue 16's goals, one row each, beside redis-cli (or the reference the goal names) from this same
 * run; the sections below hold the detail each figure comes from.
 */
export function goalsSection(r: BenchResults): string {
  const rows: string[][] = [];
  // The engine goal is set at 40 nodes: the largest of --sizes, not the memory row's cluster.
  const largest = [...r.checks]
    .filter((c) => r.settings.sizes.includes(c.nodes))
    .sort((a, b) => b.nodes - a.nodes)[0];
  const latency = [...r.checks].filter((c) => c.latency).sort((a, b) => b.nodes - a.nodes)[0];
  if (latency?.latency) {
    const { process: doctor, redisCli } = latency.latency;
    const rtt = latency.latency.proxyRtt.median;
    rows.push([
      `(a) \`check\`, ${latency.nodes} nodes behind proxies (PING ${ms(rtt)} ms), whole process`,
      ms(doctor.median),
      ms(redisCli.median),
      x(doctor.median, redisCli.median),
      '≤ 0.5×',
      verdict(doctor.median <= 0.5 * redisCli.median),
    ]);
  } else rows.push(['(a) `check` behind delay proxies', '–', '–', '–', '≤ 0.5×', verdict(undefined)]);
  if (largest) {
    const { inProcess, redisCli } = largest.direct;
    rows.push([
      `(b) engine in-process (observe + checks), ${largest.nodes} nodes, loopback`,
      ms(inProcess.median),
      `${ms(redisCli.median)} (whole process)`,
      x(inProcess.median, redisCli.median),
      '≤ 1×',
      verdict(inProcess.median <= redisCli.median),
    ]);
  }
  const b = r.bundles;
  if (b) {
    const added = b.cliHelp.median - b.nodeBaseline.median;
    rows.push([
      '(c) `cluster-doctor --help` beside `node -e 0`',
      ms(b.cliHelp.median),
      `${ms(b.nodeBaseline.median)} (node -e 0)`,
      `${added < 0 ? '−' : '+'}${ms(Math.abs(added))} ms`,
      '≤ +15 ms',
      verdict(added <= 15),
    ]);
    const check = b.functions.find((f) => f.name === 'check');
    if (check) {
      rows.push([
        '(d) check Lambda bundle, minified / module init',
        `${count(check.jsBytes / 1000)} KB / ${ms(check.init.median)} ms`,
        '–',
        '–',
        '≤ 500 KB / ≤ 60 ms',
        `size ${verdict(check.jsBytes <= 500_000)}, init ${verdict(check.init.median <= 60)}`,
      ]);
    }
  }
  const late = Math.max(...r.settings.fixPremoved);
  const fixes = r.fixes.filter((f) => f.premoved === late);
  const ours = median(fixes.filter((f) => f.tool === 'cluster-doctor').map((f) => f.wallMs));
  const theirs = median(fixes.filter((f) => f.tool === 'redis-cli').map((f) => f.wallMs));
  if (ours !== undefined && theirs !== undefined) {
    const doctor = fixes.filter((f) => f.tool === 'cluster-doctor');
    const rate = median(doctor.flatMap((f) => (f.actionMs ? [(f.moved * 1000) / f.actionMs] : [])));
    const restore = median(doctor.flatMap((f) => (f.restoreKeysPerSec ? [f.restoreKeysPerSec] : [])));
    const moved = median(doctor.map((f) => f.moved)) ?? 0;
    rows.push([
      `(e) \`fix\` of the ${count(r.settings.fixKeys)}-key slot, ${count(moved)} keys to move, whole process`,
      ms(ours),
      ms(theirs),
      x(ours, theirs),
      '≤ 0.5×',
      verdict(ours <= 0.5 * theirs),
    ]);
    const pace = median(doctor.flatMap((f) => (f.migrateKeysPerSec ? [f.migrateKeysPerSec] : [])));
    if (rate !== undefined && restore !== undefined)
      rows.push([
        "(e) move rate in cluster-doctor's action beside the target's RESTORE rate (the issue's physical limit)",
        `${count(rate)} keys/s`,
        `${count(restore)} keys/s (RESTORE)`,
        `${Math.round((100 * rate) / restore)}% of it`,
        '–',
        '–',
      ]);
    if (rate !== undefined && pace !== undefined)
      rows.push([
        "(e) the same beside the migrating side's own pace inside MIGRATE (the limit measured here, section 3)",
        `${count(rate)} keys/s`,
        `${count(pace)} keys/s (MIGRATE)`,
        `${Math.round((100 * rate) / pace)}% of it`,
        '–',
        '–',
      ]);
  }
  const memory = r.checks.find((c) => c.memory);
  if (memory?.memory) {
    rows.push([
      `(f) peak RSS of \`check\`, ${memory.nodes} nodes${memory.nodes === 100 ? '' : ' (the goal names 100)'}`,
      `${mib(memory.memory.doctorKiB)} MiB`,
      `${mib(memory.memory.redisCliKiB)} MiB`,
      '–',
      '≤ 128 MiB at 100 nodes',
      memory.nodes >= 100
        ? verdict(memory.memory.doctorKiB <= 128 * 1024)
        : `${verdict(memory.memory.doctorKiB <= 128 * 1024)} at ${memory.nodes}`,
    ]);
  }
  const progress = r.fixes.find((f) => f.tool === 'cluster-doctor' && f.lastProgress);
  rows.push([
    '(g) progress of a long `fix` on stderr',
    progress?.lastProgress ? `\`${progress.lastProgress}\`` : '–',
    'redis-cli prints a dot per batch',
    '–',
    'keys moved of total, rate, time left',
    verdict(progress ? true : r.fixes.length > 0 ? false : undefined),
  ]);
  return `## Goals (issue 16)

${table(['goal', 'cluster-doctor', 'redis-cli / reference', 'ratio', 'goal', 'verdict'], rows)}

Medians of this run; every figure is detailed in the sections below. Timings on a loaded, shared
machine move by tens of percent between runs (see the load line above).`;
}
