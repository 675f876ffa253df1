import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tempFileLock } from '../../../lib/guard/lock';
import { DEFAULT_BUDGET } from '../../../lib/guard/types';
import type { HarnessNode } from '../../../lib/harness';
import { keyLedger, keysInSlot, loadKeys } from '../../../lib/harness';
import { type FixResult, fixCluster } from '../../../lib/remediate/fix';
import { DEFAULT_SETTINGS } from '../../../lib/remedies/types';
import { checkUntil, findingsWith } from '../../support/check';
import { cli } from '../../support/cli';
import { withCluster } from '../../support/cluster';
import { expectNoKeyLost, expectOkEverywhere, fix } from '../../support/fix';
import { BUNDLE, killFixWhen } from '../../support/fix-process';

const SLOT = 500;

const openMarkers = async (node: HarnessNode) =>
  (String(await node.process.command('CLUSTER', 'NODES')).match(/\[\d+-[<>]-[0-9a-f]+\]/g) ?? []).sort();

describe('the single-flight lock', () => {
  it('two concurrent fix --yes runs on one cluster: one acts, the other is refused by the lock', async () => {
    await withCluster({}, async (cluster, faults) => {
      const [a, b] = cluster.masters as [HarnessNode, HarnessNode];
      await loadKeys(cluster, 0, keysInSlot(SLOT, 50));
      await faults.openSlot(SLOT, a, b);
      const before = await keyLedger(cluster);
      // Seeds given differently, as two operators would: the lock is per cluster, not per seed.
      const [first, second] = await Promise.all([
        fix(cluster, ['--yes', '--settle-ms', '1500']),
        cli(['fix', b.address, '--json', '--yes', '--settle-ms', '1500']).then(
          (run) => JSON.parse(run.stdout) as FixResult,
        ),
      ]);
      const statuses = [first.result, second].map((r) => r.actions.map((x) => `${x.status}:${x.guard}`));
      expect(statuses.sort()).toEqual([['applied:verify'], ['refused:lock']]);
      const refused = [first.result, second].find((r) => r.actions[0]?.status === 'refused');
      expect(refused?.actions[0]?.reason).toMatch(/another remediation run holds the lock \(pid \d+/);
      await expectOkEverywhere(cluster);
      await expectNoKeyLost(cluster, before);
    });
  });
});

describe('a fix run killed mid-remedy', () => {
  it('SIGKILL at several points of a 20 000-key move, then a re-run converges with no key lost', async () => {
    expect(existsSync(BUNDLE), 'run `npm run build` first').toBe(true);
    await withCluster({}, async (cluster, faults) => {
      const [a, b] = cluster.masters as [HarnessNode, HarnessNode];
      await loadKeys(cluster, 2000);
      await loadKeys(cluster, 0, keysInSlot(SLOT, 20_000));
      await faults.openSlot(SLOT, a, b);
      await faults.migrateKeys(SLOT, a, b, 500);
      const before = await keyLedger(cluster);
      const onB = async () => Number(await b.process.command('CLUSTER', 'COUNTKEYSINSLOT', SLOT));
      const onA = async () => Number(await a.process.command('CLUSTER', 'COUNTKEYSINSLOT', SLOT));

      // 1. Just as it starts applying (after the settle wait, around its first MIGRATE).
      expect(await killFixWhen(cluster, async (err) => err.includes('applying'))).toBe(true);
      // 2. In the middle of moving keys.
      const killedMidMove = await killFixWhen(cluster, async () => (await onB()) >= 8000);
      // 3. Once the source is empty: between the last MIGRATE and the SETSLOT NODE commands.
      const killedAtFinalise = await killFixWhen(cluster, async () => (await onA()) === 0);
      const counts = { onA: await onA(), onB: await onB() };
      expect(counts.onA + counts.onB).toBe(20_000);
      // Whatever state the kills left, every step is derived from what is observed: a re-run finishes.
      const last = await fix(cluster, ['--yes', '--settle-ms', '200']);
      expect(last.result.after.status, JSON.stringify({ killedMidMove, killedAtFinalise, counts })).toBe(
        'ok',
      );
      expect(last.status).toBe(0);
      await expectOkEverywhere(cluster);
      await expectNoKeyLost(cluster, before);
      expect(await onB()).toBe(20_000);
      expect(killedMidMove || killedAtFinalise).toBe(true);
    });
  });
});

describe('stops rather than guess', () => {
  it('BUSYKEY: a key already on the target stops the move; nothing is overwritten or deleted', async () => {
    await withCluster({}, async (cluster, faults) => {
      const [a, b] = cluster.masters as [HarnessNode, HarnessNode];
      const keys = keysInSlot(SLOT, 300);
      await loadKeys(cluster, 0, keys);
      await faults.openSlot(SLOT, a, b);
      await faults.migrateKeys(SLOT, a, b, 50);
      // A key that is still on the source also written to the target (ASKING), with another value.
      const onA = (await a.process.command('CLUSTER', 'GETKEYSINSLOT', SLOT, 1000)) as string[];
      const conflict = onA[onA.length - 1] as string;
      const target = b.process.redis();
      await target.call('ASKING');
      await target.set(conflict, 'written-on-the-target');
      const before = await keyLedger(cluster);
      const run = await fix(cluster, ['--yes', '--settle-ms', '200']);
      const [action] = run.result.actions;
      expect(action).toMatchObject({ subCase: 'complete', status: 'failed', guard: 'apply' });
      expect(action?.reason).toMatch(/BUSYKEY/);
      expect(action?.reason).toMatch(/nothing overwritten or deleted/);
      expect(action?.commands.join('\n')).not.toMatch(/REPLACE|SETSLOT \d+ NODE/);
      expect(run.status).not.toBe(0);
      expect(await a.process.command('GET', conflict)).toBe(`value-of-${conflict}`);
      await target.call('ASKING');
      expect(await target.get(conflict)).toBe('written-on-the-target');
      const after = await keyLedger(cluster);
      expect(after.total).toBe(before.total);
      expect(after.perSlot.get(SLOT)).toBe(before.perSlot.get(SLOT));
      // Every original key still readable on one side or the other.
      for (const key of keys) {
        const value =
          (await a.process.command('GET', key).catch(() => null)) ??
          (await target.call('ASKING').then(() => target.get(key)));
        expect(value, key).not.toBeNull();
      }
      expect(await openMarkers(a)).toEqual([`[${SLOT}->-${b.id}]`]);
      expect(await openMarkers(b)).toEqual([`[${SLOT}-<-${a.id}]`]);
    });
  });

  it('an ACL user without CLUSTER SETSLOT: the remedy is unavailable, the slot left as it was', async () => {
    await withCluster({}, async (cluster, faults) => {
      const [a, b] = cluster.masters as [HarnessNode, HarnessNode];
      await faults.aclUserWithout('doctor', 'doctor-pw', '-cluster|setslot');
      await faults.openSlot(SLOT, a, b);
      const env = { DOCTOR_PW: 'doctor-pw' };
      const run = await cli(
        [
          'fix',
          a.address,
          '--json',
          '--yes',
          '--settle-ms',
          '200',
          '--user',
          'doctor',
          '--password-env',
          'DOCTOR_PW',
        ],
        env,
      );
      const result = JSON.parse(run.stdout) as FixResult;
      expect(result.actions).toHaveLength(1);
      expect(result.actions[0]).toMatchObject({ subCase: 'rollback', status: 'unavailable' });
      expect(result.actions[0]?.reason).toMatch(/NOPERM|no permissions/i);
      expect(run.stdout + run.stderr).not.toContain('doctor-pw');
      expect(await openMarkers(a)).toEqual([`[${SLOT}->-${b.id}]`]);
      expect(await openMarkers(b)).toEqual([`[${SLOT}-<-${a.id}]`]);
    });
  });

  it('a managed service (CONFIG renamed away): remedies unavailable, nothing attempted', async () => {
    await withCluster({ extraArgs: ['--rename-command', 'CONFIG', ''] }, async (cluster, faults) => {
      const [a, b] = cluster.masters as [HarnessNode, HarnessNode];
      await faults.openSlot(SLOT, a, b);
      await faults.delSlots(16_000, 16_100);
      const run = await fix(cluster, ['--yes', '--settle-ms', '200']);
      expect(run.result.actions.map((x) => [x.remedy, x.status, x.guard])).toEqual([
        ['assign-uncovered-slots', 'unavailable', 'managed-service'],
        ['stabilize-open-slot', 'unavailable', 'managed-service'],
      ]);
      expect(run.status).toBe(2);
      expect(await openMarkers(a)).toEqual([`[${SLOT}->-${b.id}]`]);
      expect(String(await a.process.command('CLUSTER', 'INFO'))).toContain('cluster_state:fail');
    });
  });
});

describe('modes and the allow-list on a real cluster', () => {
  it('without --yes: the plan with exact commands and verdicts, and nothing changes', async () => {
    await withCluster({}, async (cluster, faults) => {
      const [a, b] = cluster.masters as [HarnessNode, HarnessNode];
      await faults.openSlot(SLOT, a, b);
      await faults.delSlots(16_000, 16_100);
      const run = await cli(['fix', a.address, '--settle-ms', '200']);
      expect(run.stdout).toMatch(/dry-run/i);
      expect(run.stdout).toContain(`CLUSTER SETSLOT ${SLOT} STABLE`);
      expect(run.stdout).toContain('CLUSTER ADDSLOTSRANGE 16000 16100');
      expect(run.status).toBe(2);
      expect(await openMarkers(a)).toEqual([`[${SLOT}->-${b.id}]`]);
      expect(String(await a.process.command('CLUSTER', 'INFO'))).toContain('cluster_state:fail');
    });
  });

  it('--allow names one remedy: only that one acts; the other is refused by the allow-list', async () => {
    await withCluster({}, async (cluster, faults) => {
      const [a, b] = cluster.masters as [HarnessNode, HarnessNode];
      await faults.openSlot(SLOT, a, b);
      await faults.delSlots(16_000, 16_100);
      const run = await fix(cluster, ['--yes', '--settle-ms', '200', '--allow', 'assign-uncovered-slots']);
      expect(run.result.actions.map((x) => [x.remedy, x.status, x.guard])).toEqual([
        ['assign-uncovered-slots', 'applied', 'verify'],
        ['stabilize-open-slot', 'refused', 'allow-list'],
      ]);
      expect(String(await a.process.command('CLUSTER', 'INFO'))).toContain('cluster_state:ok');
      expect(await openMarkers(a)).toEqual([`[${SLOT}->-${b.id}]`]);
      expect(run.status, JSON.stringify(run.result.after.findings.map((f) => [f.id, f.summary]))).toBe(1);
    });
  });
});

describe('the key ledger of every action', () => {
  it('keys that vanish while a remedy runs (a client DELs some) are a critical keys-lost finding, and the run stops', async () => {
    await withCluster({ nodeTimeoutMs: 1000 }, async (cluster, faults) => {
      const [a, b] = cluster.masters as [HarnessNode, HarnessNode];
      await loadKeys(cluster, 0, keysInSlot(SLOT, 5000));
      await faults.openSlot(SLOT, a, b);
      await faults.migrateKeys(SLOT, a, b, 100);
      // A ghost for forget-ghost-node, planned after the stabilize action.
      const ghost = cluster.nodes[5] as HarnessNode;
      await faults.kill(ghost);
      await checkUntil(cluster, (r) =>
        findingsWith(r, 'node-failed').some((f) => f.nodes?.includes(ghost.address)),
      );
      let deleted = 0;
      const result = await fixCluster([a.address], {
        observe: {},
        policy: {
          mode: 'auto',
          allow: ['stabilize-open-slot', 'forget-ghost-node'],
          settleMs: 200,
          budget: DEFAULT_BUDGET,
          settings: { ...DEFAULT_SETTINGS, ghostMinAgeMs: 0 },
        },
        lock: tempFileLock,
        log: (line) => {
          // Just as the move starts, an application deletes five keys that already reached the target.
          if (!line.startsWith('applying stabilize-open-slot')) return;
          const target = b.process.redis();
          void (async () => {
            const keys = (await target.call('CLUSTER', 'GETKEYSINSLOT', SLOT, 5)) as string[];
            const replies = await target
              .pipeline()
              .call('ASKING')
              .del(...keys)
              .exec();
            deleted = Number(replies?.[1]?.[1]);
          })();
        },
      });
      expect(deleted).toBe(5);
      expect(result.actions.map((x) => [x.remedy, x.status])).toEqual([
        ['stabilize-open-slot', 'failed'],
        ['forget-ghost-node', 'skipped'],
      ]);
      const [stabilize, forget] = result.actions;
      expect(stabilize?.reason).toBe('keys lost: 5000 before, 4995 after');
      expect(stabilize?.keysBefore).toEqual({ [SLOT]: 5000 });
      expect(stabilize?.keysAfter).toEqual({ [SLOT]: 4995 });
      expect(forget?.reason).toBe('an earlier action stopped the run');
      expect(result.after.status).toBe('critical');
      expect(result.after.findings[0]).toMatchObject({
        id: 'keys-lost',
        severity: 'critical',
        slots: [[SLOT, SLOT]],
      });
      // The ghost is still known: nothing ran after the loss.
      expect(String(await a.process.command('CLUSTER', 'NODES'))).toContain(ghost.id);
    });
  });
});
