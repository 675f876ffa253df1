import { InvokeCommand } from '@aws-sdk/client-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { HarnessNode } from '../../../lib/harness';
import { keyLedger, keysInSlot, loadKeys } from '../../../lib/harness';
import { decode, mockAws } from '../../support/aws-mocks';
import { checkUntil } from '../../support/check';
import { withCluster } from '../../support/cluster';

const PASSWORD = 'lambda-secret-pw';
const aws = mockAws(() => JSON.stringify({ password: PASSWORD }));
const env = (seeds: string[], mode: string) => ({
  CLUSTER_NAME: 'orders-cache',
  CLUSTER_SEEDS: seeds.join(','),
  CLUSTER_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders-cache-AbCdEf',
  CLUSTER_TLS: 'off',
  CHECK_TIMEOUT_MS: '5000',
  ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:cluster-doctor-alerts',
  STATE_TABLE_NAME: 'cluster-doctor-state',
  REMEDIATION_MODE: mode,
  REMEDIATION_ALLOW: 'stabilize-open-slot,assign-uncovered-slots',
  REMEDIATION_SETTLE_MS: '300',
  REMEDIATION_FUNCTION_NAME: 'orders-cache-remediate',
});
let stdout: string[] = [];

beforeAll(() => {
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  for (const key of Object.keys(env([], ''))) delete process.env[key];
});
afterAll(() => {
  aws.restore();
  vi.restoreAllMocks();
});

describe('check and remediation Lambda handlers against a real broken cluster', () => {
  it('notify once, stay quiet, invoke remediation only in auto, report resolved, send the nightly digest', async () => {
    await withCluster({ password: PASSWORD, replicasPerMaster: 1 }, async (cluster, faults) => {
      const [a, b] = cluster.masters as [HarnessNode, HarnessNode];
      await loadKeys(cluster, 0, keysInSlot(500, 40));
      await faults.openSlot(500, a, b);
      await faults.migrateKeys(500, a, b, 10);
      await faults.delSlots(16000, 16383);
      const before = await keyLedger(cluster);
      Object.assign(process.env, env([cluster.seeds[0] as string], 'dry-run'));
      const { handler: check } = await import('../../../functions/check');
      const { handler: remediate } = await import('../../../functions/remediate');

      // First run: one critical message with the right attributes and bodies.
      stdout = [];
      const first = await check({ cluster: 'orders-cache', kind: 'frequent' });
      expect(first.status).toBe('critical');
      const messages = aws.published().map(decode);
      expect(messages).toHaveLength(1);
      const [msg] = messages;
      expect(msg).toMatchObject({ kind: 'finding', severity: 'critical', cluster: 'orders-cache' });
      expect(msg?.sms.length).toBeLessThanOrEqual(140);
      expect(msg?.sms).toContain('slots-uncovered');
      expect(msg?.email).toContain('16000-16383');
      expect(msg?.email).toContain('CLUSTER SETSLOT 500 STABLE');
      // The cluster at a glance: shards, and the slot map with slot 500 open and 16000-16383 uncovered.
      expect(msg?.email).toContain('shards (3 master(s)):');
      expect(msg?.email).toContain(`[#o${'#'.repeat(60)}..]`);
      expect(JSON.parse(msg?.default ?? '{}').report.status).toBe('critical');
      expect(JSON.stringify(aws.published())).not.toContain(PASSWORD);
      expect(aws.lambda.commandCalls(InvokeCommand)).toHaveLength(0);
      const emf = stdout
        .map((s) => s.trim())
        .filter((s) => s.startsWith('{') && s.includes('CheckSucceeded'));
      expect(emf).toHaveLength(1);
      const metric = JSON.parse(emf[0] as string);
      expect(metric._aws.CloudWatchMetrics[0].Dimensions).toEqual([['cluster']]);
      expect(metric.cluster).toBe('orders-cache');
      expect(metric.OpenSlots).toBe(1);

      // Second run: the same findings, nothing new; the problems persisted, so dry-run mails the plan once.
      await check({ cluster: 'orders-cache', kind: 'frequent' });
      const plan = aws.published().slice(1).map(decode);
      expect(plan.map((m) => [m.kind, m.severity])).toEqual([['remediation', 'info']]);
      expect(plan[0]?.email).toContain('[WOULD APPLY] assign-uncovered-slots');
      expect(plan[0]?.email).toContain('[WOULD APPLY] stabilize-open-slot');
      await check({ cluster: 'orders-cache', kind: 'frequent' });
      expect(aws.published()).toHaveLength(2);

      // Auto mode: remediation is invoked asynchronously with the cluster name.
      Object.assign(process.env, { REMEDIATION_MODE: 'auto' });
      const third = await check({ cluster: 'orders-cache', kind: 'frequent' });
      expect(third.remediationStarted).toBe(true);
      expect(aws.lambda.commandCalls(InvokeCommand).map((c) => c.args[0].input)).toEqual([
        {
          FunctionName: 'orders-cache-remediate',
          InvocationType: 'Event',
          Payload: JSON.stringify({ cluster: 'orders-cache' }),
        },
      ]);

      // The remediation handler re-observes, applies under the guards and audits every action.
      const fixed = await remediate({ cluster: 'orders-cache' });
      expect(fixed.actions.map((x) => x.status)).toEqual(['applied', 'applied']);
      const audits = aws.published().slice(2).map(decode);
      expect(audits.map((m) => m.kind)).toEqual(['remediation', 'remediation']);
      expect([...aws.table.keys()].filter((k) => k.startsWith('orders-cache#history'))).toHaveLength(2);
      expect([...aws.table.keys()].some((k) => k.startsWith('orders-cache#lock'))).toBe(false);
      expect((await keyLedger(cluster)).total).toBe(before.total);

      // After repair, once gossip has settled (replicas learn the new owners a moment later): a resolved
      // message; a nightly run: the digest.
      await checkUntil(cluster, (r) => r.status === 'ok');
      await check({ cluster: 'orders-cache', kind: 'frequent' });
      const resolved = aws.published().slice(4).map(decode);
      expect(
        resolved.map((m) => [m.kind, m.severity]),
        JSON.stringify(resolved.map((m) => m.subject)),
      ).toEqual([['resolved', 'info']]);
      await check({ cluster: 'orders-cache', kind: 'nightly' });
      const digest = aws.published().slice(5).map(decode);
      expect(digest.map((m) => m.kind)).toEqual(['digest']);
      expect(digest[0]?.subject).toMatch(/all clear/);
    });
  });

  it('remediation refused by a held lock: mailed once, not again on the next run; metrics say refused', async () => {
    await withCluster({ password: PASSWORD, replicasPerMaster: 0 }, async (cluster, faults) => {
      const [a, b] = cluster.masters as [HarnessNode, HarnessNode];
      await faults.openSlot(700, a, b);
      Object.assign(process.env, env([cluster.seeds[0] as string], 'auto'), { REMEDIATION_SETTLE_MS: '100' });
      const { handler: remediate } = await import('../../../functions/remediate');
      aws.table.set('orders-cache#lock|lock', {
        pk: 'orders-cache#lock',
        sk: 'lock',
        owner: 'another-run',
        acquiredAt: new Date().toISOString(),
        expiresAt: Math.floor(Date.now() / 1000) + 600,
      });
      try {
        aws.sns.resetHistory();
        stdout = [];
        const first = await remediate({ cluster: 'orders-cache' });
        expect(first.actions.map((x) => [x.status, x.guard])).toEqual([['refused', 'lock']]);
        const sent = aws.published().map(decode);
        expect(sent.map((m) => [m.kind, m.severity])).toEqual([['remediation', 'info']]);
        expect(sent[0]?.email).toContain('another remediation run holds the lock');
        const emf = stdout
          .map((x) => x.trim())
          .filter((x) => x.startsWith('{') && x.includes('ActionsRefused'));
        expect(JSON.parse(emf[0] as string)).toMatchObject({
          ActionsRefused: 1,
          ActionsApplied: 0,
          KeysLost: 0,
        });
        await remediate({ cluster: 'orders-cache' });
        expect(aws.published()).toHaveLength(1);
      } finally {
        aws.table.delete('orders-cache#lock|lock');
      }
    });
  });

  it('a failure inside the checker reaches SNS as checker-error and the invocation fails', async () => {
    Object.assign(process.env, env(['127.0.0.1:1'], 'dry-run'));
    const { handler: check } = await import('../../../functions/check');
    aws.sns.resetHistory();
    await expect(check({ cluster: 'someone-else', kind: 'nightly' })).rejects.toThrow(
      /reached the function of orders-cache/,
    );
    const [msg] = aws.published().map(decode);
    expect(msg).toMatchObject({ kind: 'checker-error', severity: 'critical', cluster: 'orders-cache' });
    expect(msg?.sms.length).toBeLessThanOrEqual(140);
  });
});
