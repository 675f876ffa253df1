import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { OutboundMessage } from '../../../lib/notify/types';
import { type HeartbeatStore, makeWatchdogHandler } from '../../../lib/service/watchdog';

/** An in-memory heartbeat store; each test sets the clock and the last successes. */
function harness() {
  const last = new Map<string, string>();
  let stale: Record<string, string> = {};
  const published: OutboundMessage[] = [];
  let clock = Date.parse('2026-12-01T12:00:00.000Z');
  const store: HeartbeatStore = {
    lastSuccesses: async (clusters) =>
      new Map(clusters.flatMap((c) => (last.has(c) ? [[c, last.get(c) as string]] : []))),
    loadStale: async () => ({ ...stale }),
    saveStale: async (next) => {
      stale = { ...next };
    },
  };
  const run = makeWatchdogHandler({
    env: {
      STATE_TABLE_NAME: 'state',
      ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-3:123456789012:alerts',
      DEPLOYMENT_NAME: 'ClusterDoctor-paris',
      WATCHDOG_CLUSTERS: 'fast=15,slow=1560',
    },
    heartbeats: () => store,
    sink: () => ({ publish: async (m) => void published.push(m) }),
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'ClusterDoctor' }),
    now: () => new Date(clock),
  });
  const at = (iso: string) => {
    clock = Date.parse(iso);
  };
  return { last, published, run, at, stale: () => stale };
}

const stdout: string[] = [];
beforeAll(() => {
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(String(chunk));
    return true;
  });
});
afterAll(() => vi.restoreAllMocks());

describe('the watchdog', () => {
  it('calls a cluster stale past its own window, says so once, and once when it recovers', async () => {
    const w = harness();
    w.last.set('fast', '2026-12-01T11:50:00.000Z'); // 10 min ago: within 15
    w.last.set('slow', '2026-11-30T03:00:00.000Z'); // 33 h ago: past 26 h
    const first = await w.run();
    expect(first).toEqual({
      stale: [{ cluster: 'slow', windowMinutes: 1560, lastSuccess: '2026-11-30T03:00:00.000Z' }],
      newlyStale: ['slow'],
      recovered: [],
    });
    expect(w.published.map((m) => [m.kind, m.severity, m.cluster])).toEqual([
      ['checker-error', 'critical', 'slow'],
    ]);
    expect(w.published[0]?.sms).toBe('CRIT slow: no successful check in 1560 min. See email.');
    expect(w.published[0]?.subject.length).toBeLessThanOrEqual(100);

    // Still stale six minutes later: nothing more about slow. fast now 16 min old: stale too.
    w.at('2026-12-01T12:06:00.000Z');
    const second = await w.run();
    expect(second.newlyStale).toEqual(['fast']);
    expect(w.published).toHaveLength(2);
    expect(w.stale()).toEqual({ slow: '2026-12-01T12:00:00.000Z', fast: '2026-12-01T12:06:00.000Z' });

    // Both checked again.
    w.last.set('fast', '2026-12-01T12:08:00.000Z');
    w.last.set('slow', '2026-12-01T12:08:00.000Z');
    w.at('2026-12-01T12:10:00.000Z');
    const third = await w.run();
    expect(third).toMatchObject({ stale: [], recovered: ['fast', 'slow'] });
    expect(w.published.slice(2).map((m) => [m.kind, m.severity, m.cluster])).toEqual([
      ['resolved', 'info', 'fast'],
      ['resolved', 'info', 'slow'],
    ]);
  });

  it('calls a cluster never checked stale (after a first deploy, until npm run smoke), and emits the alarm metrics', async () => {
    const w = harness();
    stdout.length = 0;
    const result = await w.run();
    expect(result.stale.map((s) => [s.cluster, s.lastSuccess])).toEqual([
      ['fast', undefined],
      ['slow', undefined],
    ]);
    expect(w.published[0]?.email).toContain('no successful check on record');
    const emf = stdout.map((s) => s.trim()).filter((s) => s.includes('StaleClusters'));
    expect(JSON.parse(emf[0] as string)).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Dimensions: [['deployment']] }] },
      deployment: 'ClusterDoctor-paris',
      StaleClusters: 2,
      WatchdogRan: 1,
    });
  });

  it('refuses an environment without its cluster list', async () => {
    const run = makeWatchdogHandler({
      env: { STATE_TABLE_NAME: 's', ALERT_TOPIC_ARN: 't', DEPLOYMENT_NAME: 'd', WATCHDOG_CLUSTERS: 'a=x' },
      heartbeats: () => {
        throw new Error('not reached');
      },
      sink: () => ({ publish: async () => {} }),
      logger: new Logger({ logLevel: 'SILENT' }),
      metrics: new Metrics({ namespace: 'ClusterDoctor' }),
    });
    await expect(run()).rejects.toThrow(/WATCHDOG_CLUSTERS: expected name=minutes/);
  });
});
