import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../../lib/checks/types';
import { FakeCluster } from '../../../lib/harness/fake';

/**
 * Lambda's Node.js runtime starts node with the heap bounded by the function's memory: its bootstrap
 * sets a new space of a tenth of the memory and gives the rest to the old space
 * (`--max-semi-space-size=<memory/20>`, `--max-old-space-size=<memory - memory/10>`), so a 512 MB
 * function runs with 25 MB semi-spaces and a 461 MB old space. The built CLI (the same engine the
 * check function bundles) checks 1000 fake nodes under those bounds.
 */
const LAMBDA_512 = ['--max-semi-space-size=25', '--max-old-space-size=461'];

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }),
    );
  });
}

describe('a 1000-node check with the heap of a 512 MB Lambda', () => {
  it('finishes, every node reached, status ok', async () => {
    const fake = await FakeCluster.start({ masters: 500 });
    try {
      const result = await run([
        ...LAMBDA_512,
        'bin/cluster-doctor.js',
        'check',
        fake.seeds[0] as string,
        '--json',
        '--timeout-ms',
        '120000',
      ]);
      expect(result.stderr).not.toMatch(/heap out of memory|Allocation failed/);
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout) as Report;
      expect(report.nodes.filter((n) => n.reachable)).toHaveLength(1000);
      expect(report.status).toBe('ok');
    } finally {
      await fake.stop();
    }
  });
});
