// Bundles the CLI into minified CommonJS files so `cluster-doctor` starts in a few tens of milliseconds
// instead of the 0.7 s a TypeScript runner costs. Run by `npm install`/`npm ci` (prepare) and by
// `npm run build`.
//
// One file per thing a command needs, loaded on use: the entry holds the argument parser only, so
// `--help` and usage errors compile about 40 KB; `check` and `fix` load their own file (ioredis, the
// checks, the remedies); the snapshot schema (and zod) loads only with `--from-snapshot`. Node compiles
// each file it loads, so what is not loaded costs nothing.
//
// CommonJS, not ES modules with esbuild's `splitting`: Node 20 spends about 12 ms of start-up on its
// ES module loader (measured on `--help`: +28 ms over `node -e 0` as ESM chunks, +16 ms as CommonJS).
// Without splitting, each file carries its own copy of what it imports, so the few modules whose
// identity matters across files (the error classes `program.ts` tells apart with `instanceof`) are a
// file of their own that the others require.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

/** Source module (as imported from lib/cli) -> the file it becomes in dist/. */
const SEPARATE = {
  './check-command': 'check-command',
  './fix-command': 'fix-command',
  '../observe/snapshot-schema': 'snapshot-schema',
  './options': 'options',
};
/** Loaded on use only: a static import of these is bundled in (fix-command reuses check-command's exit codes). */
const LAZY = new Set(['check-command', 'fix-command', 'snapshot-schema']);

const separateFiles = {
  name: 'separate-files',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\/[\w./-]+$/ }, (args) => {
      const file = SEPARATE[args.path];
      if (!file || !args.importer.includes('/lib/cli/') || args.kind === 'entry-point') return undefined;
      if (LAZY.has(file) && args.kind !== 'dynamic-import') return undefined;
      return { path: `./${file}.js`, external: true };
    });
  },
};

/**
 * commander requires `child_process` at load for subcommands that are separate executables, which this
 * CLI does not have. Loading it costs about 6 ms of every start (it pulls in net, dgram and the
 * streams), so the bundle gets a stand-in that loads the real module on first use instead.
 */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(build) {
    build.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      args.importer.includes('/node_modules/commander/')
        ? { path: 'child_process', namespace: 'lazy' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'lazy' }, () => ({
      contents:
        "let real; module.exports = new Proxy({}, { get: (_, name) => (real ??= require('node:child_process'))[name] });",
      loader: 'js',
    }));
  },
};

rmSync('dist', { recursive: true, force: true });
mkdirSync('dist');
// The root package.json says CommonJS already; this keeps dist/ so if that ever changes.
writeFileSync('dist/package.json', '{ "type": "commonjs" }\n');
await build({
  entryPoints: {
    'cluster-doctor': 'bin/cluster-doctor.ts',
    ...Object.fromEntries(Object.entries(SEPARATE).map(([source, file]) => [file, `lib/cli/${source}.ts`])),
  },
  outdir: 'dist',
  bundle: true,
  minify: true,
  sourcemap: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // `import()` of a file becomes `require()`: Node's ES module loader never starts.
  supported: { 'dynamic-import': false },
  plugins: [separateFiles, lazyChildProcess],
  logLevel: 'warning',
});
