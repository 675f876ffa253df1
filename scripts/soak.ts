/**
 * `npm run soak -- --minutes N --seed S [--server DIR] [--out DIR]`: the chaos soak (lib/soak/run.ts).
 * A 4x1 cluster with a writer, a resharder, the scheduled check as deployed in `auto`, and a nemesis
 * drawing faults from the seed; prints the verdict and writes it as JSON (and the log as text) to
 * `--out` (default ./soak-results). Exit status 0 when the verdict holds, 1 otherwise.
 */
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { reapAll, SERVER_ENV, serverAt } from '../lib/harness';
import { runSoak } from '../lib/soak/run';
import { renderVerdict } from '../lib/soak/verdict';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    seed: { type: 'string', default: '1' },
    server: { type: 'string', default: process.env[SERVER_ENV] ?? '' },
    out: { type: 'string', default: 'soak-results' },
  },
});
const minutes = Number(values.minutes);
const seed = Number(values.seed);
if (!(minutes > 0) || !Number.isInteger(seed))
  throw new Error('--minutes must be > 0 and --seed a whole number');
const server = serverAt(values.server ? values.server : undefined);
const out = values.out ?? 'soak-results';
mkdirSync(out, { recursive: true });
const name = `soak-${server.label.replace(/[^\w.-]+/g, '_')}-seed${seed}-${minutes}min-${new Date().toISOString().replace(/[:.]/g, '-')}`;
const textFile = join(out, `${name}.txt`);
const log = (line: string) => {
  const stamped = `[${new Date().toISOString().slice(11, 19)}] ${line}`;
  console.log(stamped);
  appendFileSync(textFile, `${stamped}\n`);
};

// Every redis-server is written down, so Ctrl-C (or a kill) still stops them by PID; the check
// process exits by itself when this one is gone.
const pids = mkdtempSync(join(tmpdir(), 'cluster-doctor-soak-pids-'));
process.env.CLUSTER_DOCTOR_PID_DIR = pids;
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    const killed = reapAll(pids);
    console.error(`\n${signal}: stopped ${killed} redis-server process(es)`);
    process.exit(130);
  });

runSoak({ minutes, seed, server, log }).then(
  (verdict) => {
    const text = renderVerdict(verdict);
    console.log(`\n${text}`);
    appendFileSync(textFile, `\n${text}\n`);
    writeFileSync(join(out, `${name}.json`), `${JSON.stringify(verdict, null, 2)}\n`);
    console.log(`\nwritten: ${join(out, `${name}.json`)} and .txt`);
    process.exitCode = verdict.ok ? 0 : 1;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
