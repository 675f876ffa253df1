import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { candidateActions } from '../../lib/guard/plan';
import { DEFAULT_BUDGET } from '../../lib/guard/types';
import { defaultServer, type HarnessNode, keysInSlot, loadKeys } from '../../lib/harness';
import { observeCluster } from '../../lib/observe';
import { DEFAULT_SETTINGS } from '../../lib/remedies/types';
import { withCluster } from '../support/cluster';

const PASSWORD = 'runbook-Pa55word';
const SLOT = 200;

/** Runs one runbook line through a shell, as a person would paste it, with the password in REDISCLI_AUTH. */
const shell = (line: string) => {
  // The line names the cluster's own client (valkey-cli on Valkey): put the build's folder first.
  const dir = defaultServer().dir;
  const PATH = dir ? `${dir}:${process.env.PATH}` : process.env.PATH;
  return spawnSync('sh', ['-c', line], {
    encoding: 'utf8',
    env: { ...process.env, PATH, REDISCLI_AUTH: PASSWORD },
  });
};

describe("the runbook's MIGRATE ... KEYS on a password cluster", () => {
  it('works as printed, with the password read from REDISCLI_AUTH and never written in the line', async () => {
    await withCluster({ replicasPerMaster: 0, password: PASSWORD }, async (cluster, faults) => {
      const [a, b] = cluster.masters as [HarnessNode, HarnessNode];
      await loadKeys(cluster, 0, keysInSlot(SLOT, 10));
      await faults.openSlot(SLOT, a, b);
      await faults.migrateKeys(SLOT, a, b, 3);
      const snapshot = await observeCluster(cluster.seeds, { password: PASSWORD, timeoutMs: 5000 });
      expect(snapshot.auth).toEqual({});
      expect(JSON.stringify(snapshot)).not.toContain(PASSWORD);
      const policy = {
        mode: 'auto' as const,
        settleMs: 0,
        budget: DEFAULT_BUDGET,
        settings: DEFAULT_SETTINGS,
      };
      const action = candidateActions(snapshot, policy).find((x) => x.remedy === 'stabilize-open-slot');
      expect(action?.subCase).toBe('complete');
      const migrate = action?.commands.find((c) => c.includes(' MIGRATE ')) ?? '';
      expect(migrate).toContain('AUTH "$REDISCLI_AUTH" KEYS <keys...>');
      expect(action?.commands.join('\n')).not.toContain(PASSWORD);

      const keys = (await a.process.command('CLUSTER', 'GETKEYSINSLOT', SLOT, 100)) as string[];
      expect(keys).toHaveLength(7);
      const run = shell(migrate.replace('<keys...>', keys.join(' ')));
      expect(run.stdout.trim()).toBe('OK');
      expect(await b.process.command('CLUSTER', 'COUNTKEYSINSLOT', SLOT)).toBe(10);
    });
  });
});
