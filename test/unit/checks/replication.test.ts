import { describe, expect, it } from 'vitest';
import { masterWithoutReplica } from '../../../lib/checks/master-without-replica';
import { replicaLagging } from '../../../lib/checks/replica-lagging';
import { replicaLinkDown } from '../../../lib/checks/replica-link-down';
import { buildSnapshot, type ClusterSpec, healthySpec, nodeId } from './build';

const MiB = 1024 * 1024;

/** The healthy layout, with master b's replication section and replica e's as given. */
function withReplication(master: string, replica = ''): ClusterSpec {
  return { ...healthySpec(), info: { b: master, e: replica } };
}

describe('replica-lagging', () => {
  it('fires on an old acknowledgement (lag > 10 s), from the master slaveN line', () => {
    const spec = withReplication(
      'master_repl_offset:5000\r\nslave0:ip=127.0.0.1,port=7004,state=online,offset=4990,lag=15',
      'slave_repl_offset:4990',
    );
    const [finding] = replicaLagging.run(buildSnapshot(spec));
    expect(finding?.severity).toBe('warning');
    expect(finding?.nodes).toEqual(['127.0.0.1:7004', '127.0.0.1:7001']);
    expect(finding?.evidence).toMatchObject({
      master: { id: nodeId('b'), master_repl_offset: 5000 },
      replica: { id: nodeId('e'), ackedOffset: 4990, lagSeconds: 15 },
      bytesBehind: 10,
    });
    expect(finding?.summary).toContain('no acknowledgement for 15 s');
  });

  it('fires when the replica is more than 1 MiB behind and not observed (paused)', () => {
    const spec = {
      ...withReplication(
        `master_repl_offset:${3 * MiB}\r\nslave0:ip=127.0.0.1,port=7004,state=online,offset=${MiB},lag=1`,
      ),
      unreachable: ['e'],
    };
    const [finding] = replicaLagging.run(buildSnapshot(spec));
    expect(finding?.evidence.bytesBehind).toBe(2 * MiB);
    expect(finding?.summary).toContain('2.0 MiB behind');
  });

  it('is silent when only the acked offset trails (heavy writes) but the replica itself is caught up', () => {
    const spec = withReplication(
      `master_repl_offset:${3 * MiB}\r\nslave0:ip=127.0.0.1,port=7004,state=online,offset=${MiB},lag=0`,
      `slave_repl_offset:${3 * MiB - 500}`,
    );
    expect(replicaLagging.run(buildSnapshot(spec))).toEqual([]);
  });

  it('leaves a replica still syncing to replica-link-down', () => {
    const spec = withReplication(
      'master_repl_offset:9999999\r\nslave0:ip=127.0.0.1,port=7004,state=wait_bgsave,offset=0,lag=0',
    );
    expect(replicaLagging.run(buildSnapshot(spec))).toEqual([]);
  });
});

describe('replica-link-down', () => {
  const replicaInfo = (lines: string) => {
    const spec = healthySpec();
    // e's built INFO says link up; a later line for the same field wins.
    return buildSnapshot({ ...spec, info: { e: lines } });
  };

  it('is info while a full sync is still moving data', () => {
    const [finding] = replicaLinkDown.run(
      replicaInfo(
        'master_link_status:down\r\nmaster_sync_in_progress:1\r\nmaster_sync_last_io_seconds_ago:0\r\nmaster_sync_perc:42.00',
      ),
    );
    expect(finding?.severity).toBe('info');
    expect(finding?.summary).toContain('full sync from 127.0.0.1:7001 (42.00% done)');
  });

  it('is a warning once the sync has been silent for more than 10 s', () => {
    const [finding] = replicaLinkDown.run(
      replicaInfo(
        'master_link_status:down\r\nmaster_sync_in_progress:1\r\nmaster_sync_last_io_seconds_ago:30',
      ),
    );
    expect(finding?.severity).toBe('warning');
    expect(finding?.summary).toContain('stuck (no data for 30 s)');
  });

  it('is a warning with how long the link has been down', () => {
    const [finding] = replicaLinkDown.run(
      replicaInfo('master_link_status:down\r\nmaster_link_down_since_seconds:120'),
    );
    expect(finding?.severity).toBe('warning');
    expect(finding?.nodes).toEqual(['127.0.0.1:7004', '127.0.0.1:7001']);
    expect(finding?.summary).toContain('down for 120 s');
  });
});

describe('replica-link-down and master-without-replica: a first sync is a transition', () => {
  it('a replica waiting for its first sync is info with its bound, never "-1 s"', () => {
    const spec = healthySpec();
    const snapshot = buildSnapshot({
      ...spec,
      info: {
        e: 'master_link_status:down\r\nmaster_link_down_since_seconds:-1\r\nmaster_sync_in_progress:0',
        b: 'slave0:ip=127.0.0.1,port=7004,state=wait_bgsave,offset=0,lag=0',
      },
    });
    const [finding] = replicaLinkDown.run(snapshot);
    expect(finding?.severity).toBe('info');
    expect(finding?.summary).toContain(
      'waiting for its first sync from 127.0.0.1:7001 (master says state=wait_bgsave)',
    );
    expect(finding?.summary).not.toContain('-1');
    expect(finding?.evidence.transition).toEqual({ state: 'first sync', boundSeconds: 120 });
    const [orphan] = masterWithoutReplica.run(snapshot);
    expect(orphan?.severity).toBe('info');
    expect(orphan?.evidence.transition).toEqual({ state: 'replica sync', boundSeconds: 120 });
  });
});
