import type { BundleResults } from './bundle-bench';
import { bytes, count, ms, sample, table } from './markdown';

/** Section 4: what a deployment uploads and what loading it costs. */
export function bundleSection(b: BundleResults | undefined): string | undefined {
  if (!b) return undefined;
  const rows = b.functions.map((f) => [
    `${f.name} function (${f.entry})`,
    bytes(f.jsBytes),
    bytes(f.mapBytes),
    bytes(f.zipBytes),
    sample(f.init),
    sample(f.initWithSourceMaps),
  ]);
  rows.push(['CLI bundle (dist/cluster-doctor.js)', bytes(b.cliBytes), '–', '–', '–', '–']);
  return `## 4. Lambda bundles and start-up

Each handler is bundled the way \`PlacementFunction\` has NodejsFunction bundle it (\`BUNDLING\` in
lib/infra/placement-function.ts): esbuild, minified, source map without sources, target node22, platform
node, CommonJS, \`mainFields: module, main\`, nothing external (the AWS SDK is bundled in), and the same
\`BUNDLE_ALIASES\` (the SDK's default credential chain replaced by lib/service/env-credentials.ts, which
reads the credentials Lambda puts in the environment). Zip: ${b.zipMethod}. Module init is \`require()\`
of the bundle timed inside a fresh \`node\` (so Node's own start-up is left out): the part of a cold start
the code controls. It is measured on this machine's Node, not Lambda's Node 22 on arm64.

${table(
  [
    'artifact',
    'minified JS',
    'source map',
    'zip',
    'module init, ms',
    'module init with --enable-source-maps, ms',
  ],
  rows,
)}

${table(
  ['whole process', 'wall, ms'],
  [
    ['`node -e 0` (Node start-up alone)', sample(b.nodeBaseline)],
    ['`node bin/cluster-doctor.js --help`', sample(b.cliHelp)],
  ],
)}

${b.functions.map((f) => `Largest parts of the ${f.name} bundle (esbuild metafile, minified bytes): ${f.largest.map((p) => `${p.name} ${count(p.bytes)}`).join(', ')}.`).join('\n\n')}

What this shows: the upload size and module-init cost of each function (the stack sets
\`NODE_OPTIONS=--enable-source-maps\`, hence the last column), what the bytes are, and that the CLI
adds ${ms(b.cliHelp.median - b.nodeBaseline.median)} ms to bare Node start-up before it does any work.`;
}
