import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HarnessNode } from '../../../lib/harness';
import type { OutboundMessage } from '../../../lib/notify/types';
import type { RemedyId } from '../../../lib/remedies/ids';
import { scheduledCheck } from '../../../lib/service/scheduled-check';
import { FileStateStore } from '../../../lib/state/file-store';
import { withCluster } from '../../support/cluster';

describe('the scheduled check starts remediation only for a problem that persisted', () => {
  it('auto mode: nothing on the run that first sees a problem, a start on the next run that sees it again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cluster-doctor-state-'));
    try {
      await withCluster({ replicasPerMaster: 0 }, async (cluster, faults) => {
        const [a, b] = cluster.masters as [HarnessNode, HarnessNode];
        const published: OutboundMessage[] = [];
        const started: string[] = [];
        const deps = {
          state: new FileStateStore(dir),
          sink: { publish: async (m: OutboundMessage) => void published.push(m) },
          startRemediation: async (name: string) => void started.push(name),
        };
        const run = (allow: RemedyId[] = ['stabilize-open-slot']) =>
          scheduledCheck(
            { cluster: 'c1', seeds: [a.address], kind: 'frequent', observe: {}, remediation: 'auto', allow },
            deps,
          );

        // No replicas: master-without-replica (no remedy) is notified, and starts nothing.
        const quiet = await run();
        expect(quiet.remediationStarted).toBe(false);
        const before = published.length;
        await faults.openSlot(300, a, b);
        const firstSight = await run();
        expect(firstSight.report.findings.map((f) => f.id)).toContain('slot-open');
        expect(firstSight.remediationStarted).toBe(false);
        expect(published.slice(before).map((m) => [m.kind, m.severity])).toEqual([['finding', 'warning']]);
        // Persisted, but the allow-list refuses the remedy: the plan could apply nothing, so no run
        // starts; the refusal is mailed once, and not again on the next run.
        const refused = await run([]);
        expect(refused.remediationStarted).toBe(false);
        expect(refused.messages.map((m) => m.kind)).toEqual(['remediation']);
        expect(refused.messages[0]?.email).toContain('[REFUSED] stabilize-open-slot');
        expect((await run([])).messages).toEqual([]);
        const again = await run();
        expect(again.remediationStarted).toBe(true);
        expect(started).toEqual(['c1']);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
