import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileLock } from '../../../lib/guard/lock';
import { DEFAULT_BUDGET } from '../../../lib/guard/types';
import type { HarnessNode } from '../../../lib/harness';
import { fixCluster } from '../../../lib/remediate/fix';
import { DEFAULT_SETTINGS } from '../../../lib/remedies/types';
import { withCluster } from '../../support/cluster';

describe('the remediation runner and the Lambda limit', () => {
  it('past its deadline it starts no action, says why, reports, and releases the lock', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cluster-doctor-deadline-'));
    try {
      await withCluster({ replicasPerMaster: 0 }, async (cluster, faults) => {
        const [a, b] = cluster.masters as [HarnessNode, HarnessNode];
        await faults.openSlot(900, a, b);
        const lock = new FileLock(join(dir, 'lock'));
        const result = await fixCluster([a.address], {
          observe: {},
          policy: { mode: 'auto', settleMs: 100, budget: DEFAULT_BUDGET, settings: DEFAULT_SETTINGS },
          lock: () => lock,
          // The time left is already spent once the settle wait is over.
          deadlineAt: Date.now() + 50,
        });
        expect(result.actions.map((x) => [x.remedy, x.status, x.guard])).toEqual([
          ['stabilize-open-slot', 'skipped', 'deadline'],
        ]);
        expect(result.actions[0]?.reason).toMatch(/out of time/);
        expect(result.after.findings.map((f) => f.id)).toContain('slot-open');
        expect(await lock.holder()).toBeUndefined();
        expect(String(await a.process.command('CLUSTER', 'NODES'))).toContain(`[900->-${b.id}]`);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
