/**
 * `npm run bench`: cluster-doctor against redis-cli on the same harness clusters in one run —
 * `check` on loopback and behind delay proxies, `fix` of a stuck 100k-key slot, the Lambda bundles'
 * size and module-init time, and peak memory — printed as one markdown report and written to
 * docs/bench.md.
 *
 *   npm run bench -- [--quick] [--sizes 6,20,40] [--memory-nodes 100] [--latency-sizes 6,20] [--sections check,fix]
 *                    [--scale-sizes 100,300,1000] [--scale-real 100]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { reapAll } from '../../lib/harness';
import { benchBundles } from './bundle-bench';
import { benchCheck, type SizeResult } from './check-bench';
import { benchFixOnce, type FixRun, type FixTool } from './fix-bench';
import { describeMachine, LoadMonitor } from './machine';
import { renderReport } from './report';
import { ROOT, stopEverything } from './resources';
import type { BenchResults, BenchSettings } from './results';
import { benchScale, type ScaleResults } from './scale-bench';

const SECTIONS = ['check', 'latency', 'fix', 'bundle', 'memory', 'scale'] as const;
type Section = (typeof SECTIONS)[number];

const argv = process.argv.slice(2);
const { values } = parseArgs({
  args: argv,
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    sizes: { type: 'string', default: '6,20,40' },
    'memory-nodes': { type: 'string', default: '100' },
    'latency-sizes': { type: 'string' },
    'delay-ms': { type: 'string', default: '1' },
    keys: { type: 'string', default: '20000' },
    'fix-keys': { type: 'string', default: '100000' },
    'fix-runs': { type: 'string' },
    sections: { type: 'string', default: SECTIONS.join(',') },
    'scale-sizes': { type: 'string', default: '100,300,1000' },
    'scale-real': { type: 'string', default: '100' },
    out: { type: 'string', default: join(ROOT, 'docs', 'bench.md') },
  },
});

const whole = (flag: string, text: string | undefined, fallback: number, min = 1): number => {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min)
    throw new RangeError(`--${flag} ${text}: expected a whole number >= ${min}`);
  return n;
};
const list = (flag: string, text: string): number[] =>
  text.split(',').map((t) => whole(flag, t.trim(), 0, 6));

const sections = new Set(
  (values.sections ?? '').split(',').map((s) => {
    if (!SECTIONS.includes(s as Section))
      throw new RangeError(`--sections: unknown ${s} (${SECTIONS.join(', ')})`);
    return s as Section;
  }),
);
const sizes = list('sizes', values.sizes ?? '');
const fixKeys = whole('fix-keys', values['fix-keys'], 100_000, 2);
const settings: BenchSettings = {
  runs: whole('runs', values.runs, values.quick ? 3 : 5),
  fixRuns: whole('fix-runs', values['fix-runs'], values.quick ? 1 : 3),
  sizes,
  memoryNodes: whole('memory-nodes', values['memory-nodes'], 100, 6),
  latencySizes: values['latency-sizes'] ? list('latency-sizes', values['latency-sizes']) : sizes,
  delayMs: whole('delay-ms', values['delay-ms'], 1, 0),
  keys: whole('keys', values.keys, 20_000, 0),
  fixKeys,
  // A reshard that died early (redis-cli then rolls back) and one that died late (both tools finish it).
  fixPremoved: [Math.min(1000, fixKeys - 1), Math.round(fixKeys * 0.6)],
  settleMs: 200,
  scaleSizes: list('scale-sizes', values['scale-sizes'] ?? ''),
  scaleReal: whole('scale-real', values['scale-real'], 100, 0),
  argv,
};
if (settings.scaleSizes.some((n) => n % 2 !== 0))
  throw new RangeError('--scale-sizes: node counts must be even (masters with one replica each)');

const t0 = performance.now();
let lastStep = t0;
function log(text: string): void {
  const now = performance.now();
  process.stderr.write(
    `[${((now - t0) / 1000).toFixed(1)} s] ${text}  (+${((now - lastStep) / 1000).toFixed(1)} s)\n`,
  );
  lastStep = now;
}

// Every redis-server the harness starts is recorded here, so none survives a crash of the bench.
const pidDir = mkdtempSync(join(tmpdir(), 'cluster-doctor-bench-pids-'));
process.env.CLUSTER_DOCTOR_PID_DIR = pidDir;

async function main(): Promise<number> {
  const startedAt = new Date();
  const monitor = new LoadMonitor(pidDir);
  const machine = describeMachine();
  log(`bench: ${JSON.stringify(settings)}; load average ${loadavg()[0]?.toFixed(2)}, ${machine.cores} cores`);

  const bundles = sections.has('bundle') ? await benchBundles(Math.max(settings.runs, 5), log) : undefined;

  const checks: SizeResult[] = [];
  // Latency rows need the loopback row of the same cluster as their baseline, so both run together.
  const checkSizes = [
    ...(sections.has('check') ? settings.sizes : []),
    ...(sections.has('memory') ? [settings.memoryNodes] : []),
    ...(sections.has('latency') ? settings.latencySizes : []),
  ];
  for (const nodes of [...new Set(checkSizes)].sort((a, b) => a - b)) {
    checks.push(
      await benchCheck(nodes, {
        runs: settings.runs,
        keys: settings.keys,
        delayMs: settings.delayMs,
        latency: sections.has('latency') && settings.latencySizes.includes(nodes),
        memory: sections.has('memory') && nodes === settings.memoryNodes,
        log,
      }),
    );
  }

  const scale: ScaleResults | undefined = sections.has('scale')
    ? await benchScale({
        sizes: settings.scaleSizes,
        realNodes: settings.scaleReal,
        runs: settings.runs,
        log,
      })
    : undefined;

  const fixes: FixRun[] = [];
  if (sections.has('fix')) {
    for (const premoved of settings.fixPremoved) {
      for (let i = 0; i < settings.fixRuns; i++) {
        for (const tool of ['cluster-doctor', 'redis-cli'] as FixTool[]) {
          fixes.push(
            await benchFixOnce(tool, {
              slotKeys: settings.fixKeys,
              premoved,
              spreadKeys: settings.keys,
              settleMs: settings.settleMs,
              log,
            }),
          );
        }
      }
    }
  }

  const results: BenchResults = {
    startedAt,
    totalMs: performance.now() - t0,
    machine,
    load: await monitor.stop(),
    settings,
    checks,
    fixes,
    bundles,
    scale,
  };
  const markdown = renderReport(results);
  process.stdout.write(markdown);
  if (values.out) {
    mkdirSync(dirname(values.out), { recursive: true });
    writeFileSync(values.out, markdown);
    log(`report written to ${values.out}`);
  }
  const badFixes = fixes.filter(
    (f) => f.ledgerAfter < f.ledgerBefore || !f.slotClosed || !f.stateOk || f.owner === 'no single owner',
  );
  return badFixes.length > 0 ? 1 : 0;
}

async function cleanUp(): Promise<void> {
  await stopEverything();
  const survivors = reapAll(pidDir);
  if (survivors > 0) log(`killed ${survivors} redis-server(s) left behind`);
  rmSync(pidDir, { recursive: true, force: true });
}

process.once('SIGINT', () => {
  log('interrupted: stopping every cluster the bench started');
  cleanUp().finally(() => process.exit(130));
});

main()
  .then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  )
  .finally(async () => {
    await cleanUp();
    log('done; every redis-server the bench started is stopped');
  });
