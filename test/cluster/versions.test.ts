import { describe, expect, it } from 'vitest';
import { defaultServer, discoverServers, type HarnessNode } from '../../lib/harness';
import { renderReportText } from '../../lib/notify/text';
import { compareVersions } from '../../lib/topology/info';
import { checkCluster, checkUntil, findingsWith } from '../support/check';
import { withCluster } from '../support/cluster';

const base = defaultServer();
// A newer Redis for the replicas, as in a rolling upgrade (Redis 7.4.1 from ../shared/servers here).
const newer = discoverServers().servers.find(
  (s) => s.family === base.family && compareVersions(s.version, base.version) > 0,
);
const name = (s: typeof base) => `${s.family} ${s.version}`;

describe('observation records each node server and version', () => {
  it(`every node reports ${name(base)} and the report header names it`, async () => {
    await withCluster({ replicasPerMaster: 0 }, async (cluster) => {
      const report = await checkCluster(cluster);
      expect(report.nodes.map((n) => n.server)).toEqual([name(base), name(base), name(base)]);
      expect(renderReportText(report)).toContain(`servers: ${name(base)} on 3 node(s)`);
      expect(findingsWith(report, 'mixed-versions')).toEqual([]);
    });
  });

  // Without a second Redis build (no ../shared/servers: vitest.config.mts says so) there is no mixed
  // cluster to start, and no such test.
  if (!newer) return;
  it(`a rolling upgrade to ${name(newer)}: info while replicas lead, a warning once an old replica serves a new master`, async () => {
    await withCluster({ replicaServer: newer }, async (cluster, faults) => {
      const first = await checkCluster(cluster);
      const [rolling] = findingsWith(first, 'mixed-versions');
      expect(rolling?.severity).toBe('info');
      expect(rolling?.summary).toContain(`${name(base)} on 3, ${name(newer)} on 3`);
      expect(renderReportText(first)).toContain(`servers: `);
      // The next step of the upgrade: fail one master over to its upgraded replica. The old master
      // becomes a replica of a newer server: it syncs partially now, but could not load a full resync.
      const replica = cluster.nodes[3] as HarnessNode;
      const oldMaster = cluster.masters[0] as HarnessNode;
      await faults.manualFailover(replica);
      const after = await checkUntil(cluster, (r) =>
        findingsWith(r, 'mixed-versions').some((f) => f.severity === 'warning'),
      );
      const [warning] = findingsWith(after, 'mixed-versions');
      expect(warning?.evidence.replicasOlderThanMaster).toEqual([
        `${oldMaster.address} runs ${name(base)} under master ${replica.address} on ${name(newer)}`,
      ]);
    });
  });
});
