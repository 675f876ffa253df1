import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { BUNDLE_ALIASES } from '../../lib/infra/placement-function';
import { BenchError, type Sample, summarize, timeProcess } from './measure';
import { CLI, ROOT } from './resources';

export interface FunctionBundle {
  name: string;
  entry: string;
  buildMs: number;
  jsBytes: number;
  mapBytes: number;
  /** Size of the deployment zip (index.js + index.js.map), as the asset would upload it. */
  zipBytes: number;
  /** `require()` of the bundle inside a fresh node, ms: the module-init part of a cold start. */
  init: Sample;
  /** The same with `--enable-source-maps`, which the stack sets in NODE_OPTIONS. */
  initWithSourceMaps: Sample;
  /** The packages (or our top folders) taking the most bytes of the minified output, largest first. */
  largest: { name: string; bytes: number }[];
}

export interface BundleResults {
  functions: FunctionBundle[];
  /** How zip sizes were obtained. */
  zipMethod: string;
  cliBytes: number;
  cliHelp: Sample;
  nodeBaseline: Sample;
}

const FUNCTIONS = [
  { name: 'check', entry: 'functions/check.ts' },
  { name: 'remediate', entry: 'functions/remediate.ts' },
];

// Prints only the time require() took, then exits even if the module left handles open.
const REQUIRE_TIMER =
  'const t=performance.now();require(process.argv[1]);process.stdout.write(String(performance.now()-t),()=>process.exit(0))';

const hasZip = () => spawnSync('zip', ['-v'], { stdio: 'ignore' }).status === 0;

/**
 * Bundles each Lambda entry exactly as `PlacementFunction` has NodejsFunction do it (esbuild, minified,
 * source map without sources, node22, CJS, ESM entry points first, AWS SDK bundled, the same
 * BUNDLE_ALIASES), then measures its size and how long a fresh node takes to load it.
 */
export async function benchBundles(runs: number, log: (line: string) => void): Promise<BundleResults> {
  const dir = mkdtempSync(join(tmpdir(), 'cluster-doctor-bench-bundle-'));
  const zip = hasZip();
  try {
    const functions: FunctionBundle[] = [];
    for (const fn of FUNCTIONS) {
      const outdir = join(dir, fn.name);
      const outfile = join(outdir, 'index.js');
      const started = performance.now();
      const { metafile } = await build({
        entryPoints: [join(ROOT, fn.entry)],
        outfile,
        bundle: true,
        minify: true,
        sourcemap: true,
        sourcesContent: false,
        target: 'node22',
        platform: 'node',
        format: 'cjs',
        mainFields: ['module', 'main'],
        external: [],
        alias: BUNDLE_ALIASES,
        absWorkingDir: ROOT,
        metafile: true,
        logLevel: 'warning',
      });
      const buildMs = performance.now() - started;
      const initEnv = { ...process.env, AWS_REGION: 'us-east-1', NODE_OPTIONS: '' };
      const times = async (env: NodeJS.ProcessEnv) => {
        const values: number[] = [];
        for (let i = 0; i < runs; i++) {
          const run = await timeProcess(process.execPath, ['-e', REQUIRE_TIMER, outfile], env);
          if (run.code !== 0)
            throw new BenchError(`loading the ${fn.name} bundle failed: ${run.stderr.trim()}`);
          values.push(Number(run.stdout));
        }
        return summarize(values);
      };
      functions.push({
        ...fn,
        buildMs,
        jsBytes: statSync(outfile).size,
        mapBytes: statSync(`${outfile}.map`).size,
        zipBytes: zip ? zipSize(outdir) : deflatedSize([outfile, `${outfile}.map`]),
        init: await times(initEnv),
        initWithSourceMaps: await times({ ...initEnv, NODE_OPTIONS: '--enable-source-maps' }),
        largest: largestParts(metafile),
      });
      log(`${fn.name} function bundled and loaded ${runs} times`);
    }
    const whole = async (args: string[]) => {
      const values: number[] = [];
      await timeProcess(process.execPath, args);
      for (let i = 0; i < runs; i++) {
        const run = await timeProcess(process.execPath, args);
        if (run.code !== 0)
          throw new BenchError(`node ${args.join(' ')} exited ${run.code}: ${run.stderr.trim()}`);
        values.push(run.ms);
      }
      return summarize(values);
    };
    return {
      functions,
      zipMethod: zip
        ? '`zip -q -X` (deflate, level 6) of index.js + index.js.map'
        : 'raw deflate of each file (node:zlib), summed: no `zip` on this machine, so an approximation',
      cliBytes: statSync(join(ROOT, 'dist', 'cluster-doctor.js')).size,
      cliHelp: await whole([CLI, '--help']),
      nodeBaseline: await whole(['-e', '0']),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Output bytes by npm package (the innermost node_modules folder) or by our own top folder (`lib/checks`). */
function largestParts(metafile: Metafile, count = 10): { name: string; bytes: number }[] {
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint !== undefined);
  const parts = new Map<string, number>();
  for (const [path, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const packages = path.match(/node_modules\/(@[^/]+\/)?[^/]+/g);
    const name = packages
      ? (packages[packages.length - 1] as string).slice('node_modules/'.length)
      : path.split('/').slice(0, 2).join('/');
    parts.set(name, (parts.get(name) ?? 0) + bytesInOutput);
  }
  return [...parts]
    .map(([name, bytes]) => ({ name, bytes }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, count);
}

function zipSize(dir: string): number {
  const result = spawnSync('zip', ['-q', '-X', '-r', 'bundle.zip', 'index.js', 'index.js.map'], { cwd: dir });
  if (result.status !== 0) throw new BenchError(`zip failed: ${String(result.stderr)}`);
  return statSync(join(dir, 'bundle.zip')).size;
}

function deflatedSize(files: string[]): number {
  return files.reduce((sum, f) => sum + deflateRawSync(readFileSync(f)).length, 0);
}
