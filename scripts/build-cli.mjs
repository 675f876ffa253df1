// Bundles the CLI into minified ES modules so `cluster-doctor` starts in a few tens of milliseconds
// instead of the 0.7 s a TypeScript runner costs. Run by `npm install`/`npm ci` (prepare) and by
// `npm run build`.
//
// Split on dynamic imports (esbuild `splitting`, which needs ESM): the entry holds the argument parser
// only, so `--help` and usage errors compile about 30 KB; `check` and `fix` load their own chunk
// (ioredis, the checks, the remedies); the snapshot schema (and zod, about 460 KB) loads only with
// `--from-snapshot`. Node compiles each file it loads in full, so what is not loaded costs nothing.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist', { recursive: true, force: true });
mkdirSync('dist');
// The chunks are ES modules with a .js name: this marks them so for Node.
writeFileSync('dist/package.json', '{ "type": "module" }\n');
await build({
  entryPoints: {
    'cluster-doctor': 'bin/cluster-doctor.ts',
    // Its own named file (not a hashed chunk), so a test can see zod lives there and not in the entry.
    'snapshot-schema': 'lib/observe/snapshot-schema.ts',
  },
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  minify: true,
  sourcemap: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // Bundled CommonJS dependencies (ioredis, commander) call require() for Node's own modules.
  banner: {
    js: "import { createRequire as __cdRequire } from 'node:module'; const require = __cdRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
