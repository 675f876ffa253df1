import { bundleSection } from './bundle-report';
import { checkSection, latencySection, memorySection } from './check-report';
import { fixSection } from './fix-report';
import { goalsSection } from './goals-report';
import type { BenchResults } from './results';
import { scaleSection } from './scale-report';

/** The whole report, one markdown document: printed on stdout and written to docs/bench.md. */
export function renderReport(r: BenchResults): string {
  const s = r.settings;
  return [
    header(r),
    goalsSection(r),
    scaleSection(r.scale),
    checkSection(r.checks, r.bundles?.nodeBaseline.median),
    latencySection(r.checks, s.delayMs),
    fixSection(r.fixes, s.fixKeys, s.keys, s.settleMs),
    bundleSection(r.bundles),
    memorySection(r.checks, s.runs),
    caveats(r),
  ]
    .filter((section): section is string => Boolean(section))
    .join('\n\n')
    .concat('\n');
}

function header(r: BenchResults): string {
  const { machine: m, settings: s, load: l } = r;
  const args = s.argv.length > 0 ? ` -- ${s.argv.join(' ')}` : '';
  return `# cluster-doctor benchmarks

Measured ${r.startedAt.toISOString()} by \`npm run bench${args}\`, in ${(r.totalMs / 1000).toFixed(0)} s. Check
timings are the median of ${s.runs} run(s) after one warm-up, with the range in brackets; the contenders of a
row ran interleaved, on the same cluster, in the same run. Times are wall-clock milliseconds.

- machine: ${m.cpu}, ${m.cores} cores, ${m.ramGiB.toFixed(1)} GiB RAM, ${m.kernel}
- software: Node ${m.node}, redis-server ${m.redisServer}, redis-cli ${m.redisCli}
- load: 1-minute load average ${l.loadStart.toFixed(2)} at the start, at most ${l.loadMax.toFixed(2)} (sampled every
  5 s; the bench itself keeps both cores busy), ${l.loadEnd.toFixed(2)} at the end
- redis-servers the bench did not start: ${l.foreignStart} at the start, at most ${l.foreignMax} during the run,
  ${l.foreignEnd} at the end${l.foreignMax > 0 ? ' — someone else was running tests meanwhile, so timings are noisier than on an idle machine' : ''}

Reproduce on Debian with Node 20 and \`redis-server\`/\`redis-tools\` 7: \`npm ci && npm run bench\`. Options
(after \`--\`): \`--quick\` (3 runs per cell, one fix per tool and scenario), \`--runs N\`, \`--sizes 6,20,40\` (node counts,
masters with one replica each), \`--memory-nodes 100\` (the cluster whose peak memory is measured), \`--latency-sizes 6,20\`, \`--delay-ms 1\`, \`--keys 20000\`, \`--fix-keys 100000\`,
\`--fix-runs N\`, \`--sections check,latency,fix,bundle,memory,scale\`, \`--scale-sizes 100,300,1000\` (fake clusters),
\`--scale-real 100\` (a real one beside them; 0 for none), \`--out docs/bench.md\`. Every cluster is
started on free loopback ports by lib/harness and stopped before the bench exits. Progress goes to
stderr, this report to stdout and to the \`--out\` file.`;
}

function caveats(r: BenchResults): string {
  return `## Caveats

- One ${r.machine.cores}-core machine runs the cluster, the delay proxies and the tool under test, so they
  compete for CPU; absolute numbers are for comparison within this report, not capacity planning.
- Lambda runs Node 22 on arm64; these module-init times are Node ${r.machine.node} on this CPU.
- The delay proxy forwards each chunk after \`setTimeout\`, whose resolution is about 1 ms, so the real
  added round trip is the measured one above, not exactly ${2 * r.settings.delayMs} ms.`;
}
