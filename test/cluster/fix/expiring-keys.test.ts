import { describe, expect, it } from 'vitest';
import { Faults, type HarnessNode, keysInSlot } from '../../../lib/harness';
import { withCluster } from '../../support/cluster';
import { expectOkEverywhere, fix } from '../../support/fix';

const SLOT = 900; // owned by the first master

/**
 * A cache: keys with a TTL expire while `fix` completes a half-moved slot. The key counts of the slot
 * fall by what expired, which the servers counted (`expired_keys`): the action is applied, and no
 * `keys-lost` critical is raised for the data's own life. Active expiry is paused on the source so
 * the doomed keys are still counted when the action starts and expire, for certain, during it
 * (MIGRATE and MEMORY USAGE look them up, which expires them), whatever the machine's speed.
 */
describe('fix --yes on a slot whose keys expire meanwhile', () => {
  it('a fall the servers expired is not a lost key: applied, no keys-lost, every live key moved', async () => {
    await withCluster({}, async (cluster) => {
      const [a, b] = cluster.masters as [HarnessNode, HarnessNode];
      const client = a.process.redis();
      const keys = keysInSlot(SLOT, 10, 'cache');
      for (const key of keys) await client.set(key, `v-${key}`);
      await a.process.command('DEBUG', 'SET-ACTIVE-EXPIRE', 0);
      const faults = new Faults(cluster);
      await faults.openSlot(SLOT, a, b);
      await faults.migrateKeys(SLOT, a, b, 3);
      await cluster.waitHealthy();
      const onSource = (await client.call('CLUSTER', 'GETKEYSINSLOT', SLOT, 100)) as string[];
      expect(onSource).toHaveLength(7);
      const doomed = onSource.slice(0, 5);
      for (const key of doomed) await client.call('PEXPIRE', key, 1);
      // Expired by now, yet still in the slot: nothing has looked them up.
      expect(Number(await a.process.command('CLUSTER', 'COUNTKEYSINSLOT', SLOT))).toBe(7);

      const run = await fix(cluster, ['--yes', '--settle-ms', '300']);
      const [action, ...rest] = run.result.actions;
      expect(rest).toEqual([]);
      expect(action, JSON.stringify(action)).toMatchObject({
        subCase: 'complete',
        status: 'applied',
        keysBefore: { [SLOT]: 10 },
        keysAfter: { [SLOT]: 5 },
      });
      expect(action?.keysExpired).toBeGreaterThanOrEqual(5);
      expect(run.result.after.findings.map((f) => f.id)).not.toContain('keys-lost');
      expect(run.result.after.status, JSON.stringify(run.result.after.findings)).toBe('ok');
      await expectOkEverywhere(cluster);
      // Every key that had not expired is on the target, the source holds none.
      const live = keys.filter((k) => !doomed.includes(k)).sort();
      const onTarget = ((await b.process.command('CLUSTER', 'GETKEYSINSLOT', SLOT, 100)) as string[]).sort();
      expect(onTarget).toEqual(live);
      expect(Number(await a.process.command('CLUSTER', 'COUNTKEYSINSLOT', SLOT))).toBe(0);
    });
  });
});
