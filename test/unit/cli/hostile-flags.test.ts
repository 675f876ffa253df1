import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parsePlacementSettings } from '../../../lib/config/placement-settings';
import { HostileServer } from '../../../lib/harness/hostile-server';
import { snapshotFileText } from '../../../lib/observe/snapshot-file';
import { cli } from '../../support/cli';
import { buildSnapshot, buildSnapshotV1, healthySpec } from '../checks/build';

const dir = mkdtempSync(join(tmpdir(), 'cluster-doctor-hostile-flags-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Exit 64 with exactly one line on stderr, nothing on stdout, and no stack trace. */
async function refused(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const run = await cli(argv, env);
  expect(run.status).toBe(64);
  expect(run.stdout).toBe('');
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  return run.stderr;
}

describe('durations: whole numbers in a stated range, far below 2^31 ms', () => {
  const huge = '3000000000';

  it('fix --settle-ms 3000000000 exits 64 with the allowed range (no 1 ms timer)', async () => {
    expect(await refused(['fix', '127.0.0.1:1', '--settle-ms', huge])).toMatch(
      /--settle-ms "3000000000": expected a whole number of milliseconds from 0 to 600000/,
    );
  });

  it('check --timeout-ms 3000000000 exits 64 (not UNKNOWN after 1 ms)', async () => {
    expect(await refused(['check', '127.0.0.1:1', '--timeout-ms', huge])).toMatch(/from 1 to 600000/);
  });

  it('every duration option refuses 2^31, negatives, fractions, exponents and hex', async () => {
    const options: [string, string][] = [
      ['check', '--timeout-ms'],
      ['fix', '--timeout-ms'],
      ['fix', '--settle-ms'],
      ['fix', '--ghost-min-age-ms'],
      ['fix', '--failed-master-min-age-ms'],
    ];
    for (const [command, flag] of options)
      for (const value of [String(2 ** 31), '-1', '1.5', '1e3', '0x10', ' 5', ''])
        await refused([command, '127.0.0.1:1', `${flag}=${value}`]);
    await refused(['check', '127.0.0.1:1', '--max-node-bytes', '10']);
  });

  it("the Lambda functions' settings document refuses out-of-range durations too", () => {
    const document = (cluster: Record<string, unknown>) =>
      JSON.stringify({
        format: 1,
        deployment: 'ClusterDoctor',
        placement: 'p',
        clusters: {
          c: {
            seeds: ['10.0.0.1:6379'],
            secretArn: 'arn',
            tls: 'off',
            timeoutMs: 5000,
            mode: 'dry-run',
            allow: [],
            settleMs: 300,
            ...cluster,
          },
        },
      });
    expect(parsePlacementSettings(document({}), 'doc').clusters.c?.timeoutMs).toBe(5000);
    expect(() => parsePlacementSettings(document({ timeoutMs: 3_000_000_000 }), 'doc')).toThrow(
      /clusters\.c\.timeoutMs/,
    );
    expect(() => parsePlacementSettings(document({ settleMs: 3_000_000_000 }), 'doc')).toThrow(
      /clusters\.c\.settleMs/,
    );
    expect(() => parsePlacementSettings(document({ extra: 1 }), 'doc')).toThrow(/clusters\.c/);
  });
});

describe('seeds: host:port (IPv6 in brackets), anything else exits 64 without being echoed', () => {
  const secret = 'Sup3r-s3cret-pw';

  it('a redis:// URL with a password is refused, and the password appears nowhere', async () => {
    for (const url of [
      `redis://:${secret}@127.0.0.1:6379`,
      `rediss://admin:${secret}@127.0.0.1:6379/0`,
      `admin:${secret}@127.0.0.1:6379`,
    ]) {
      const check = await refused(['check', url, '--json']);
      expect(check).toMatch(/URLs are not accepted/);
      expect(check).not.toContain(secret);
      const fix = await refused(['fix', '127.0.0.1:6379', url]);
      expect(fix).toMatch(/seed 2 of 2/);
      expect(fix).not.toContain(secret);
      const map = await refused(['check', '127.0.0.1:6379', '--map', `10.0.0.1:6379=${url}`]);
      expect(map).not.toContain(secret);
    }
  });

  it('malformed seeds name their position, never their value', async () => {
    for (const seed of [
      `${secret}`,
      `host:${secret}`,
      'host:0',
      'host:65536',
      'host:+80',
      '::1:6379',
      'a b:1',
    ]) {
      const line = await refused(['check', seed]);
      expect(line).toMatch(/seed 1 of 1: expected HOST:PORT/);
      expect(line).not.toContain(secret);
    }
    expect(await refused(['check', '::1:6379'])).toMatch(/IPv6 addresses in brackets/);
  });

  it('an unknown --flag=value is reported without its value', async () => {
    const run = await cli(['check', '127.0.0.1:1', `--password=${secret}`]);
    expect(run.status).toBe(64);
    expect(run.stderr).toContain('--password=***');
    expect(run.stderr).not.toContain(secret);
  });

  it("an unknown flag close to a known one: commander's suggestion stays on the one line", async () => {
    expect(await refused(['check', '127.0.0.1:1', '--on'])).toMatch(
      /unknown option '--on' \(Did you mean --json\?\)/,
    );
  });

  it('other labels: env var names, user and cluster names without control characters', async () => {
    await refused(['check', '127.0.0.1:1', '--password-env', 'NOT A NAME']);
    await refused(['check', '127.0.0.1:1', '--password-env', 'EMPTY_PW'], { EMPTY_PW: '' });
    await refused(['check', '127.0.0.1:1', '--user', 'bad\u001b[2Juser']);
    await refused(['check', '127.0.0.1:1', '--name', 'x\ny']);
    await refused(['check', '127.0.0.1:1', '--tls-ca', join(dir, 'missing.pem')]);
  });
});

describe('--from-snapshot: validated by a schema, one line, exit 64', () => {
  const write = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  // A file as --snapshot-out writes it (version 2), and one of version 1, as older releases wrote.
  const valid = JSON.parse(snapshotFileText(buildSnapshot(healthySpec())));
  const validV1 = buildSnapshotV1(healthySpec());

  it.each([
    [
      '{"version":1,"nodes":[{}]}',
      '{"version":1,"nodes":[{}]}',
      /not a valid snapshot: seeds: .*more problems/,
    ],
    ['a node {}', JSON.stringify({ ...valid, nodes: [{}] }), /nodes\.0\.address/],
    ['[null]', '[null]', /not a cluster-doctor snapshot/],
    ['null', 'null', /not a cluster-doctor snapshot/],
    ['truncated JSON', '{"version":1', /not JSON/],
    [
      '"clusterNodes":"x"',
      JSON.stringify({ ...valid, nodes: [{ ...valid.nodes[0], clusterNodes: 'x' }] }),
      /nodes\.0\.clusterNodes/,
    ],
    ['"durationMs":"soon"', JSON.stringify({ ...valid, durationMs: 'soon' }), /durationMs/],
    ['"takenAt":"yesterday"', JSON.stringify({ ...valid, takenAt: 'yesterday' }), /takenAt/],
    [
      'a line number past the lines',
      JSON.stringify({ ...valid, nodes: [{ ...valid.nodes[0], clusterNodes: [valid.lines.length] }] }),
      /nodes\.0\.clusterNodes\.0: line \d+ does not exist/,
    ],
    [
      'times that do not match the lines',
      JSON.stringify({
        ...valid,
        nodes: [{ ...valid.nodes[0], clusterNodeTimes: { pingSent: [0], pongRecv: [0] } }],
      }),
      /nodes\.0\.clusterNodeTimes: expected one ping-sent and one pong-recv per line/,
    ],
    [
      'version 3',
      JSON.stringify({ ...valid, version: 3 }),
      /not a cluster-doctor snapshot \(version 1 or 2\)/,
    ],
    ['a version-1 node {}', JSON.stringify({ ...validV1, nodes: [{}] }), /nodes\.0\.address/],
  ])('refuses %s', async (_name, text, reason) => {
    expect(await refused(['check', '--from-snapshot', write('bad.json', text)])).toMatch(reason);
  });

  it('"nodes":[] is refused: no "UNKNOWN (undefined ms)" and no reassuring "no findings" line', async () => {
    const line = await refused([
      'check',
      '--from-snapshot',
      write('empty.json', JSON.stringify({ ...valid, nodes: [] })),
    ]);
    expect(line).toMatch(/nodes: expected at least 1 node/);
    expect(line).not.toMatch(/undefined|No findings/);
  });

  it('a valid snapshot still gives a report, of version 2 and of version 1', async () => {
    for (const snapshot of [valid, validV1]) {
      const run = await cli([
        'check',
        '--from-snapshot',
        write('good.json', JSON.stringify(snapshot)),
        '--json',
      ]);
      expect(run.status).toBe(0);
      expect(JSON.parse(run.stdout).status).toBe('ok');
    }
  });
});

describe('--snapshot-out is checked before observing', () => {
  it('/nonexistent/dir/x.json: one line, exit 64, and no node was ever contacted', async () => {
    const server = await HostileServer.start('silent');
    try {
      const line = await refused(['check', server.address, '--snapshot-out', '/nonexistent/dir/x.json']);
      expect(line).toMatch(/--snapshot-out \/nonexistent\/dir\/x\.json: cannot write there \(ENOENT\)/);
      expect(server.connections).toBe(0);
      expect(await refused(['check', server.address, '--snapshot-out', dir])).toMatch(/is a directory/);
      expect(server.connections).toBe(0);
    } finally {
      await server.stop();
    }
  });
});
