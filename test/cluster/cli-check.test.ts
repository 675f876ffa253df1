import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Report } from '../../lib/checks/types';
import { type HarnessNode, keysInSlot, loadKeys } from '../../lib/harness';
import { cli } from '../support/cli';
import { withCluster } from '../support/cluster';

const dir = mkdtempSync(join(tmpdir(), 'cluster-doctor-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cluster-doctor check', () => {
  it('exits 0 on a healthy cluster and --json prints exactly one JSON document', async () => {
    await withCluster({}, async (cluster) => {
      const run = await cli(['check', cluster.seeds[0] as string, '--json']);
      expect(run.status).toBe(0);
      const report = JSON.parse(run.stdout) as Report;
      expect(report.status).toBe('ok');
      expect(report.nodes).toHaveLength(6);
      expect(run.stderr).toBe('');
      const text = await cli(['check', cluster.seeds[0] as string]);
      expect(text.stdout).toMatch(/: OK \(6\/6 nodes reachable/);
    });
  });

  it('a wrong password: status unknown, exit 3, names the node and the cause, never prints the secret', async () => {
    await withCluster({ password: 'right-horse-battery' }, async (cluster) => {
      const secret = 'wrong-Pa55-staple';
      const seed = cluster.seeds[0] as string;
      for (const extra of [[], ['--json']]) {
        const run = await cli(['check', seed, '--password-env', 'CD_PW', ...extra], { CD_PW: secret });
        expect(run.status).toBe(3);
        const all = run.stdout + run.stderr;
        expect(all).toContain(seed);
        expect(all).toMatch(/authentication failed/);
        expect(all).not.toContain(secret);
        expect(all).not.toContain('right-horse-battery');
      }
      const right = await cli(['check', seed, '--password-env', 'CD_PW'], { CD_PW: 'right-horse-battery' });
      expect(right.status).toBe(0);
      const none = await cli(['check', seed]);
      expect(none.status).toBe(3);
      expect(none.stdout).toMatch(/NOAUTH|authentication/);
    });
  });

  it('exit 2 on a critical cluster; --snapshot-out then --from-snapshot gives the same findings with no network', async () => {
    await withCluster({ replicasPerMaster: 0 }, async (cluster, faults) => {
      const [a, b] = cluster.masters as [HarnessNode, HarnessNode];
      await loadKeys(cluster, 0, keysInSlot(200, 10));
      await faults.openSlot(200, a, b);
      await faults.migrateKeys(200, a, b, 3);
      await faults.delSlots(12000, 12099);
      const file = join(dir, 'snapshot.json');
      const live = await cli(['check', cluster.seeds[0] as string, '--json', '--snapshot-out', file]);
      expect(live.status).toBe(2);
      await cluster.stop();
      const replay = await cli(['check', '--from-snapshot', file, '--json']);
      expect(replay.status).toBe(2);
      const [l, r] = [JSON.parse(live.stdout) as Report, JSON.parse(replay.stdout) as Report];
      expect(r.findings).toEqual(l.findings);
      expect(r.findings.map((f) => f.id)).toEqual(expect.arrayContaining(['slots-uncovered', 'slot-open']));
      const saved = JSON.parse(readFileSync(file, 'utf8'));
      expect(saved.version).toBe(2);
      // Each distinct line of CLUSTER NODES once: fewer lines than the views print.
      const printed = saved.nodes.reduce(
        (n: number, o: { clusterNodes?: number[] }) => n + (o.clusterNodes?.length ?? 0),
        0,
      );
      expect(saved.lines.length).toBeLessThan(printed);
    });
  });

  it('refuses a file that is not a snapshot, and bad flags, with exit 64', async () => {
    const file = join(dir, 'not-a-snapshot.json');
    writeFileSync(file, '{"hello": 1}');
    expect((await cli(['check', '--from-snapshot', file])).status).toBe(64);
    expect((await cli(['check', 'no-port-here'])).status).toBe(64);
    expect((await cli(['check', '127.0.0.1:1', '--timeout-ms', 'soon'])).status).toBe(64);
    expect((await cli(['check', '127.0.0.1:1', '--password-env', 'UNSET_VAR_X'])).status).toBe(64);
  });

  it('an unreachable seed: status unknown, exit 3, within the deadline', async () => {
    const run = await cli(['check', '127.0.0.1:1', '--timeout-ms', '2000']);
    expect(run.status).toBe(3);
    expect(run.stdout).toMatch(/127\.0\.0\.1:1: refused: connection refused/);
  });
});

describe('TLS-only cluster with a password', () => {
  it('verifies the certificate with --tls-ca, refuses it without, and --tls-insecure warns', async () => {
    await withCluster({ tls: true, password: 'tls-secret' }, async (cluster) => {
      const seed = cluster.seeds[0] as string;
      const env = { PW: 'tls-secret' };
      const ca = cluster.certificates?.caFile as string;
      const verified = await cli(['check', seed, '--tls-ca', ca, '--password-env', 'PW', '--json'], env);
      expect(verified.status).toBe(0);
      expect((JSON.parse(verified.stdout) as Report).nodes).toHaveLength(6);

      const refused = await cli(['check', seed, '--tls', '--password-env', 'PW'], env);
      expect(refused.status).toBe(3);
      expect(refused.stdout).toMatch(/TLS failed .*certificate/);

      const insecure = await cli(['check', seed, '--tls-insecure', '--password-env', 'PW'], env);
      expect(insecure.status).toBe(0);
      expect(insecure.stderr).toMatch(/NOT verified/);

      const plain = await cli(['check', seed, '--password-env', 'PW', '--timeout-ms', '2000'], env);
      expect(plain.status).toBe(3);
      expect(plain.stdout + plain.stderr).not.toContain('tls-secret');
    });
  });
});

describe('the installed binary', () => {
  it('npx cluster-doctor runs the bundled CLI and returns the exit status', () => {
    const run = spawnSync(
      'npx',
      ['--no-install', 'cluster-doctor', 'check', '127.0.0.1:1', '--json', '--timeout-ms', '1000'],
      {
        encoding: 'utf8',
      },
    );
    expect(run.status).toBe(3);
    expect((JSON.parse(run.stdout) as Report).status).toBe('unknown');
  });
});
