import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HarnessNode } from '../../../lib/harness';
import { keysInSlot, loadKeys, writeKeys } from '../../../lib/harness';
import type { OutboundMessage } from '../../../lib/notify/types';
import type { FixResult } from '../../../lib/remediate/fix';
import { localPlacement } from '../../../lib/service/local';
import { withCluster } from '../../support/cluster';

const SLOT = 700; // owned by the first master

/**
 * A remediation that fails mid-way (here `BUSYKEY`: a key of a half-moved slot on both sides, as the
 * chaos soak met after a manual failover mid-move) is not tried again on the same state: the soak saw
 * the scheduled loop retry it every 3 s, and page each time, 80 times in 4 minutes.
 */
describe('a remediation that failed is not retried on the same state', () => {
  it('one failed run, one page; escalated by failed-before until the state changes, then applied', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cluster-doctor-failed-once-'));
    try {
      await withCluster({ replicasPerMaster: 0 }, async (cluster, faults) => {
        const [a, b] = cluster.masters as [HarnessNode, HarnessNode];
        const keys = keysInSlot(SLOT, 40);
        await loadKeys(cluster, 0, keys);
        await faults.openSlot(SLOT, a, b);
        await faults.migrateKeys(SLOT, a, b, 10);
        // A key still on the source written on the target too: finishing the move meets BUSYKEY.
        const twin = (await a.process.command('CLUSTER', 'GETKEYSINSLOT', SLOT, 1)) as string[];
        await writeKeys(b, twin, true);

        const published: OutboundMessage[] = [];
        const runs: FixResult[] = [];
        const functions = localPlacement({
          settings: {
            format: 1,
            deployment: 'test',
            placement: 'local',
            clusters: {
              c1: {
                seeds: [a.address],
                secretArn: 'none',
                tls: 'off',
                timeoutMs: 5_000,
                mode: 'auto',
                allow: ['stabilize-open-slot', 'assign-uncovered-slots'],
                settleMs: 300,
              },
            },
          },
          stateDir: dir,
          sink: { publish: async (m) => void published.push(m) },
          onRemediation: (_cluster, result) => void runs.push(result),
        });
        const tick = () => functions.check({ cluster: 'c1', kind: 'frequent' });

        expect((await tick()).remediationStarted).toBe(false); // first sight
        expect((await tick()).remediationStarted).toBe(true); // persisted: the run starts, and fails
        expect(runs.map((r) => r.actions.map((x) => `${x.subCase}:${x.status}`))).toEqual([
          ['complete:failed'],
        ]);
        expect(runs[0]?.actions[0]?.reason).toContain('BUSYKEY');
        const pages = () =>
          published.filter((m) => m.kind === 'remediation' && m.severity === 'critical').length;
        expect(pages()).toBe(1);

        // The same state on the next runs: no run starts, the plan says why, once; no page again.
        for (let i = 0; i < 3; i++) expect((await tick()).remediationStarted).toBe(false);
        expect(runs).toHaveLength(1);
        expect(pages()).toBe(1);
        const notice = published.filter((m) => m.kind === 'remediation' && m.severity === 'info');
        expect(notice).toHaveLength(1);
        expect(JSON.parse(notice[0]?.json ?? '{}').plan).toEqual([
          expect.objectContaining({ subCase: 'complete', status: 'escalated', guard: 'failed-before' }),
        ]);

        // A person removes the stray copy (the source's is the one clients read): the state changed,
        // and the next confirmed run finishes the move.
        await b.process.command('ASKING');
        await b.process
          .redis()
          .pipeline()
          .asking()
          .del(twin[0] as string)
          .exec();
        let started = false;
        for (let i = 0; i < 4 && !started; i++) started = (await tick()).remediationStarted;
        expect(started).toBe(true);
        expect(runs.at(-1)?.actions.map((x) => `${x.subCase}:${x.status}`)).toEqual(['complete:applied']);
        expect(Number(await b.process.command('CLUSTER', 'COUNTKEYSINSLOT', SLOT))).toBe(40);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
