// Measures the CLI against each hostile server: peak RSS (GNU time's %M) and wall time to process exit.
// Usage: tsx scripts/hostile-measure.ts [path/to/cluster-doctor.js] [--timeout-ms N]
import { spawn } from 'node:child_process';
import { HOSTILE_BEHAVIOURS, HostileServer } from '../lib/harness/hostile-server';

const bundle = process.argv[2] ?? 'bin/cluster-doctor.js';
const timeoutMs = process.argv[3] ?? '3000';

function run(args: string[]): Promise<{ status: number | null; ms: number; peakKb: number; out: string }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn('/usr/bin/time', ['-f', 'PEAK_KB=%M', 'node', bundle, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('close', (status) => {
      const peakKb = Number(/PEAK_KB=(\d+)/.exec(err)?.[1] ?? Number.NaN);
      resolve({ status, ms: Date.now() - started, peakKb, out });
    });
  });
}

async function main(): Promise<void> {
  const rows: string[] = [];
  for (const behaviour of HOSTILE_BEHAVIOURS) {
    const server = await HostileServer.start(behaviour);
    const r = await run(['check', server.address, '--timeout-ms', timeoutMs, '--json']);
    await server.stop();
    const report = (() => {
      try {
        return JSON.parse(r.out) as { durationMs: number; nodes: { error?: string }[] };
      } catch {
        return undefined;
      }
    })();
    const line = `report at ${report?.durationMs} ms: ${report?.nodes[0]?.error ?? r.out}`;
    rows.push(
      `${behaviour.padEnd(10)} exit ${r.status} after ${r.ms} ms, peak RSS ${Math.round(r.peakKb / 1024)} MB, sent ${Math.round(server.bytesSent / 1024 / 1024)} MB | ${line?.trim().slice(0, 140)}`,
    );
  }
  const refused = await run(['check', '127.0.0.1:1', '--timeout-ms', '500']);
  const bare = await run(['--help']);
  rows.push(
    `127.0.0.1:1 --timeout-ms 500: exit ${refused.status} after ${refused.ms} ms, peak RSS ${Math.round(refused.peakKb / 1024)} MB`,
  );
  rows.push(`--help (start-up alone): ${bare.ms} ms, peak RSS ${Math.round(bare.peakKb / 1024)} MB`);
  console.log(rows.join('\n'));
}

void main();
