import { describe, expect, it } from 'vitest';
import type { Report } from '../../../lib/checks/types';
import { clusterOverview, renderOverview } from '../../../lib/notify/overview';
import { renderReportText } from '../../../lib/notify/text';
import { buildSnapshot, healthySpec } from '../checks/build';

const memory =
  '# Memory\r\nused_memory:1572864\r\nmaxmemory:104857600\r\n# Keyspace\r\ndb0:keys=1200,expires=0,avg_ttl=0';

describe('the cluster at a glance', () => {
  it('a shard table: master, slots, keys, memory of max, server version, replicas with their link', () => {
    const spec = healthySpec();
    spec.info = { a: memory, e: 'master_link_status:down\r\nmaster_link_down_since_seconds:30' };
    spec.extra = { a: { server: { name: 'valkey', version: '8.0.1' } } };
    const overview = clusterOverview(buildSnapshot(spec));
    expect(overview.shards.map((s) => [s.master, s.replicas])).toEqual([
      ['127.0.0.1:7000', [{ address: '127.0.0.1:7003', link: 'up' }]],
      ['127.0.0.1:7001', [{ address: '127.0.0.1:7004', link: 'down' }]],
      ['127.0.0.1:7002', [{ address: '127.0.0.1:7005', link: 'up' }]],
    ]);
    const text = renderOverview(overview).join('\n');
    expect(text).toContain('127.0.0.1:7000  0-5460 (5461)');
    expect(text).toContain('1200');
    expect(text).toContain('1.5M of 100M');
    expect(text).toContain('valkey 8.0.1');
    expect(text).toContain('127.0.0.1:7004 down');
    expect(overview.slotMap).toBe('#'.repeat(64));
  });

  it('a slot map where uncovered, open and failed ranges stand out', () => {
    const spec = healthySpec();
    // Slots 0-255 nobody's (cell 0), b flagged fail by everyone (cells of 5461-10921).
    spec.nodes[0] = { name: 'a', port: 7000, slots: '256-5460', epoch: 1 };
    spec.views = Object.fromEntries(
      ['a', 'c', 'd', 'e', 'f'].map((o) => [o, { b: { flags: ['fail'], link: 'disconnected' as const } }]),
    );
    spec.unreachable = ['b'];
    const map = clusterOverview(buildSnapshot(spec)).slotMap;
    expect(map[0]).toBe('.');
    expect(map[1]).toBe('#');
    expect(map.slice(22, 42)).toBe('X'.repeat(20));
    expect(map[63]).toBe('#');
  });

  it('plain characters in email; colour only when asked for (a terminal)', () => {
    const snapshot = buildSnapshot(healthySpec());
    const report: Report = {
      cluster: 'c',
      checkedAt: snapshot.takenAt,
      durationMs: 5,
      nodes: [],
      findings: [],
      status: 'ok',
    };
    const overview = clusterOverview(snapshot);
    const plain = renderReportText(report, { color: false, overview });
    expect(plain).toMatch(/^[\x20-\x7e\n]*$/);
    expect(plain).toContain('shards (3 master(s)):');
    expect(plain).toContain(`[${'#'.repeat(64)}]`);
    expect(renderReportText(report, { color: true, overview })).toContain('\u001b[32m#\u001b[0m');
  });
});
