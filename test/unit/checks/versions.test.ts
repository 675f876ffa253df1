import { describe, expect, it } from 'vitest';
import { mixedVersions } from '../../../lib/checks/mixed-versions';
import { runChecks } from '../../../lib/checks/run';
import { parseInfo } from '../../../lib/topology';
import { serverOf } from '../../../lib/topology/info';
import { buildSnapshot, type ClusterSpec, healthySpec } from './build';

type Server = { name: 'redis' | 'valkey'; version: string };
const redis = (version: string): Server => ({ name: 'redis', version });
const valkey = (version: string): Server => ({ name: 'valkey', version });

function withServers(servers: Record<string, Server>): ClusterSpec {
  const spec = healthySpec();
  return {
    ...spec,
    extra: Object.fromEntries(Object.entries(servers).map(([n, server]) => [n, { server }])),
  };
}

describe('serverOf', () => {
  it('reads Redis from redis_version, and Valkey from valkey_version over its compatibility redis_version', () => {
    expect(serverOf(parseInfo('# Server\r\nredis_version:7.4.1\r\nredis_mode:cluster\r\n'))).toEqual(
      redis('7.4.1'),
    );
    expect(
      serverOf(
        parseInfo('# Server\r\nredis_version:7.2.4\r\nserver_name:valkey\r\nvalkey_version:8.0.1\r\n'),
      ),
    ).toEqual(valkey('8.0.1'));
    expect(serverOf(parseInfo('# Replication\r\nrole:master\r\n'))).toBeUndefined();
  });
});

describe('mixed-versions', () => {
  const all = (server: Server) => Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f'].map((n) => [n, server]));

  it('says nothing when every node runs the same server and version', () => {
    expect(mixedVersions.run(buildSnapshot(withServers(all(redis('7.0.15')))))).toEqual([]);
  });

  it('is info for replicas upgraded before their masters (a rolling upgrade)', () => {
    const spec = withServers({ ...all(redis('7.0.15')), d: redis('7.4.1'), e: redis('7.4.1') });
    const [finding] = mixedVersions.run(buildSnapshot(spec));
    expect(finding?.severity).toBe('info');
    expect(finding?.summary).toBe(
      'nodes run 2 different servers/versions (redis 7.0.15 on 4, redis 7.4.1 on 2) (a rolling upgrade in progress?)',
    );
    expect(finding?.evidence.versions).toEqual({
      'redis 7.0.15': ['127.0.0.1:7000', '127.0.0.1:7001', '127.0.0.1:7002', '127.0.0.1:7005'],
      'redis 7.4.1': ['127.0.0.1:7003', '127.0.0.1:7004'],
    });
  });

  it('warns when a replica is older than its master: it could not load a full resync', () => {
    const spec = withServers({ ...all(redis('7.4.1')), e: redis('7.0.15') });
    const [finding] = mixedVersions.run(buildSnapshot(spec));
    expect(finding?.severity).toBe('warning');
    expect(finding?.evidence.replicasOlderThanMaster).toEqual([
      '127.0.0.1:7004 runs redis 7.0.15 under master 127.0.0.1:7001 on redis 7.4.1',
    ]);
  });

  it('warns when Redis and Valkey are mixed, whatever the roles', () => {
    const spec = withServers({ ...all(valkey('8.0.1')), c: redis('7.2.4'), f: redis('7.2.4') });
    const [finding] = mixedVersions.run(buildSnapshot(spec));
    expect(finding?.severity).toBe('warning');
    expect(finding?.summary).toMatch(/Redis and Valkey mixed$/);
  });
});

describe('runbooks name the cluster client', () => {
  it('valkey-cli when every node runs Valkey, redis-cli otherwise', () => {
    const spec = withServers(
      Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f'].map((n) => [n, valkey('8.0.1')])),
    );
    spec.unreachable = ['e'];
    const onValkey = runChecks(buildSnapshot(spec)).flatMap((f) => f.runbook ?? []);
    expect(onValkey.some((line) => line.startsWith('valkey-cli -h 127.0.0.1 -p 7004'))).toBe(true);
    expect(onValkey.join('\n')).not.toMatch(/redis-cli/);
    const mixed = withServers({ a: valkey('8.0.1'), b: redis('7.2.4') });
    mixed.unreachable = ['e'];
    const onMixed = runChecks(buildSnapshot(mixed)).flatMap((f) => f.runbook ?? []);
    expect(onMixed.join('\n')).not.toMatch(/valkey-cli/);
    expect(onMixed.some((line) => line.startsWith('redis-cli -h 127.0.0.1 -p 7004'))).toBe(true);
  });
});
