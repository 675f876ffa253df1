import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isHostPort } from '../../../lib/cli/options';
import { snapshotFileText } from '../../../lib/observe/snapshot-file';
import { cli } from '../../support/cli';
import { buildSnapshot, buildSnapshotV1, healthySpec } from '../checks/build';

/**
 * "Exit 64 or a report, never a stack trace, never a hang past the deadline", over generated command
 * lines and snapshot files. The CLI runs in-process (the same `runCli` the binary calls); the only
 * seeds that can be valid refuse at once (port 1), so runs stay fast and never touch another host.
 */

const dir = mkdtempSync(join(tmpdir(), 'cluster-doctor-props-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SECRET = 'Pr0p-secret';
const STACK = /\n\s+at \S+/;
const REPORT_OR_USAGE = [0, 1, 2, 3, 64];

/** Valid durations are short (so a run never waits long); invalid ones are anything but. */
const duration = fc.oneof(
  fc.integer({ min: 0, max: 400 }).map(String),
  fc.integer({ min: 600_001, max: 2 ** 33 }).map(String),
  fc.integer({ min: -1000, max: -1 }).map(String),
  fc.constantFrom('', '1e3', '0x10', '3000000000', '2147483648', '-0', ' 7', 'NaN', '1.5', '+5'),
  fc.string({ maxLength: 12 }).filter((v) => !/^\d+$/.test(v)),
);
const bytes = fc.oneof(fc.integer({ min: -5, max: 2 ** 33 }).map(String), fc.string({ maxLength: 12 }));
const seed = fc.oneof(
  fc.constantFrom('127.0.0.1:1', '[::1]:1'),
  fc.constantFrom(`redis://:${SECRET}@127.0.0.1:1`, `u:${SECRET}@127.0.0.1:1`, `${SECRET}:1:2`),
  // Anything else that is not a seed (a valid-looking host name would be looked up in DNS).
  fc.string({ maxLength: 20 }).filter((s) => !isHostPort(s)),
);
const option = fc.oneof(
  duration.map((v) => ['--timeout-ms', v]),
  duration.map((v) => ['--settle-ms', v]),
  bytes.map((v) => ['--max-node-bytes', v]),
  duration.map((v) => ['--ghost-min-age-ms', v]),
  fc.string({ maxLength: 10 }).map((v) => ['--password-env', v]),
  fc.string({ maxLength: 10 }).map((v) => ['--user', v]),
  fc.string({ maxLength: 10 }).map((v) => ['--name', v]),
  seed.map((v) => ['--map', `10.0.0.1:6379=${v}`]),
  fc.constantFrom(['--json'], ['--quick'], ['--dry-run'], ['--tls'], ['--yes'], ['--allow', 'nope']),
  fc.constantFrom(['--snapshot-out', '/nonexistent/x.json'], ['--from-snapshot', '/nonexistent/x.json']),
  fc.stringMatching(/^--[a-z-]{1,12}(=[a-zA-Z0-9]{0,8})?$/).map((v) => [v]),
);

/** The last value given for `flag` (commander keeps the last); an invalid one exits 64 at once. */
const last = (argv: string[], flag: string) => {
  const value = argv[argv.lastIndexOf(flag) + 1] ?? '';
  return /^\d+$/.test(value) ? Math.min(Number(value), 10_000) : 0;
};

/**
 * What a run may take: its deadline (fix observes twice, `--settle-ms` apart), plus slack for a
 * loaded machine. Defaults come first on the command line, so generated values override them.
 */
const patience = (argv: string[]) =>
  argv[0] === 'fix'
    ? 2 * last(argv, '--timeout-ms') + last(argv, '--settle-ms') + 3_000
    : last(argv, '--timeout-ms') + 3_000;

describe('property: any command line gives exit 64 or a report', () => {
  // The CLI loads its commands on first use (start-up): load them here, so the first run's time is
  // the command's, not the test runner's first transform of ioredis and the checks.
  beforeAll(async () => {
    await Promise.all([import('../../../lib/cli/check-command'), import('../../../lib/cli/fix-command')]);
  });

  it('never a stack trace, never a secret echoed, never past the deadline', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('check', 'fix'),
        fc.array(seed, { maxLength: 3 }),
        fc.array(option, { maxLength: 4 }),
        async (command, seeds, options) => {
          const defaults =
            command === 'fix' ? ['--timeout-ms', '300', '--settle-ms', '0'] : ['--timeout-ms', '300'];
          const argv = [command, ...defaults, ...seeds, ...options.flat()];
          const started = Date.now();
          const run = await cli(argv, { PW: 'x' });
          expect(REPORT_OR_USAGE).toContain(run.status);
          expect(run.stdout + run.stderr).not.toMatch(STACK);
          expect(run.stdout + run.stderr).not.toContain(SECRET);
          if (run.status === 64) expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
          expect(Date.now() - started).toBeLessThan(patience(argv));
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('property: any snapshot file gives exit 64 or a report', () => {
  // Files of version 2 (as --snapshot-out writes them) and of version 1 (as older releases did).
  const files: Record<string, unknown>[] = [
    JSON.parse(snapshotFileText(buildSnapshot(healthySpec()))),
    JSON.parse(JSON.stringify(buildSnapshotV1(healthySpec()))),
  ];
  const file = join(dir, 'snapshot.json');

  it.each(files.map((f) => [f.version, f] as const))(
    'random JSON, and valid snapshots of version %s with a field replaced or removed',
    async (_version, valid) => {
      const fields = Object.keys(valid);
      const nodes = valid.nodes as Record<string, unknown>[];
      const nodeFields = Object.keys(nodes[0] ?? {});
      const mutated = fc.oneof(
        fc.tuple(fc.constantFrom(...fields), fc.jsonValue()).map(([k, v]) => ({ ...valid, [k]: v })),
        fc
          .tuple(fc.constantFrom(...nodeFields), fc.jsonValue())
          .map(([k, v]) => ({ ...valid, nodes: [{ ...nodes[0], [k]: v }, ...nodes.slice(1)] })),
        fc.constantFrom(...nodeFields).map((k) => {
          const { [k]: _gone, ...rest } = nodes[0] ?? {};
          return { ...valid, nodes: [rest] };
        }),
      );
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.jsonValue(), mutated), fc.boolean(), async (content, json) => {
          writeFileSync(file, JSON.stringify(content) ?? 'undefined');
          const run = await cli(['check', '--from-snapshot', file, ...(json ? ['--json'] : [])]);
          expect(REPORT_OR_USAGE).toContain(run.status);
          expect(run.stdout + run.stderr).not.toMatch(STACK);
          if (run.status === 64) expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
          else expect(run.stdout).not.toMatch(/undefined|NaN/);
        }),
        { numRuns: 150 },
      );
    },
  );
});
