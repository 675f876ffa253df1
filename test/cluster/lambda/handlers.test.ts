import { InvokeCommand } from '@aws-sdk/client-lambda';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ClusterSettings } from '../../../lib/config/placement-settings';
import type { HarnessNode, TestCluster } from '../../../lib/harness';
import { keyLedger, keysInSlot, loadKeys } from '../../../lib/harness';
import { awsCheckHandler } from '../../../lib/service/aws/check';
import { awsRemediateHandler } from '../../../lib/service/aws/remediate';
import { decode, mockAws } from '../../support/aws-mocks';
import { checkUntil } from '../../support/check';
import { withCluster } from '../../support/cluster';
import { deployPlacement, lambdaContext, settingsFor, TEST_RESOURCES } from '../../support/placement';

const PASSWORD = 'lambda-secret-pw';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-3:123456789012:secret:orders-cache-AbCdEf';
const aws = mockAws(() => JSON.stringify({ password: PASSWORD }));
let stdout: string[] = [];
const deployed: (() => void)[] = [];

/** The placement's functions as deployed with these settings for orders-cache (a new container each). */
function deploy(cluster: TestCluster, settings: Partial<ClusterSettings>) {
  const placement = deployPlacement({ 'orders-cache': settingsFor(cluster, SECRET_ARN, settings) });
  deployed.push(placement.remove);
  return { check: awsCheckHandler(placement.env), remediate: awsRemediateHandler(placement.env) };
}

beforeAll(() => {
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  for (const remove of deployed.splice(0)) remove();
  // Each test is a cluster of its own: nothing remembered from another one's runs.
  aws.table.clear();
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
      let { check, remediate } = deploy(cluster, { mode: 'dry-run' });

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
      const emf = stdout.map((s) => s.trim()).filter((s) => s.startsWith('{') && s.includes('CheckRan'));
      expect(emf).toHaveLength(1);
      const metric = JSON.parse(emf[0] as string);
      expect(metric._aws.CloudWatchMetrics[0].Dimensions).toEqual([['cluster']]);
      expect(metric.cluster).toBe('orders-cache');
      const detail = JSON.parse(
        stdout.map((x) => x.trim()).find((x) => x.startsWith('{') && x.includes('OpenSlots')) as string,
      );
      expect(detail._aws.CloudWatchMetrics[0].Dimensions).toEqual([['placement']]);
      expect(detail.OpenSlots).toBe(1);

      // Second run: the same findings, nothing new; the problems persisted, so dry-run mails the plan once.
      await check({ cluster: 'orders-cache', kind: 'frequent' });
      const plan = aws.published().slice(1).map(decode);
      expect(plan.map((m) => [m.kind, m.severity])).toEqual([['remediation', 'info']]);
      expect(plan[0]?.email).toContain('[WOULD APPLY] assign-uncovered-slots');
      expect(plan[0]?.email).toContain('[WOULD APPLY] stabilize-open-slot');
      await check({ cluster: 'orders-cache', kind: 'frequent' });
      expect(aws.published()).toHaveLength(2);

      // Redeployed in auto mode: remediation is invoked asynchronously with the cluster's name only.
      ({ check, remediate } = deploy(cluster, { mode: 'auto' }));
      const third = await check({ cluster: 'orders-cache', kind: 'frequent' });
      expect(third.remediationStarted).toBe(true);
      expect(aws.lambda.commandCalls(InvokeCommand).map((c) => c.args[0].input)).toEqual([
        {
          FunctionName: TEST_RESOURCES.remediationFunction,
          InvocationType: 'Event',
          Payload: JSON.stringify({ cluster: 'orders-cache' }),
        },
      ]);

      // The remediation handler re-observes, applies under the guards and audits every action.
      const fixed = await remediate({ cluster: 'orders-cache' }, lambdaContext('fix-1'));
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
      const { check, remediate } = deploy(cluster, { mode: 'auto', settleMs: 100 });
      // Two scheduled checks saw it: the fix may act on it (were it not for the lock).
      await check({ cluster: 'orders-cache', kind: 'frequent' });
      await check({ cluster: 'orders-cache', kind: 'frequent' });
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

  it('a fix started by hand acts only on what two scheduled checks confirmed (stored state, not the caller)', async () => {
    await withCluster({ password: PASSWORD, replicasPerMaster: 0 }, async (cluster, faults) => {
      const [a, b] = cluster.masters as [HarnessNode, HarnessNode];
      await faults.openSlot(800, a, b);
      const { check, remediate } = deploy(cluster, { mode: 'auto', settleMs: 100 });
      aws.sns.resetHistory();
      // Invoked directly, before any scheduled check: refused by persistence, nothing written.
      const early = await remediate({ cluster: 'orders-cache' });
      expect(early.actions.map((x) => [x.status, x.guard, x.reason])).toEqual([
        ['refused', 'persistence', 'not seen unchanged by the last two scheduled checks'],
      ]);
      expect(String(await a.process.command('CLUSTER', 'NODES'))).toContain(`[800->-${b.id}]`);
      // One check is not two.
      await check({ cluster: 'orders-cache', kind: 'frequent' });
      expect((await remediate({ cluster: 'orders-cache' })).actions[0]?.status).toBe('refused');
      // The second check confirms it (and starts the run itself); the fix acts.
      expect((await check({ cluster: 'orders-cache', kind: 'frequent' })).remediationStarted).toBe(true);
      const fixed = await remediate({ cluster: 'orders-cache' });
      expect(fixed.actions.map((x) => [x.remedy, x.status])).toEqual([['stabilize-open-slot', 'applied']]);
      expect(String(await a.process.command('CLUSTER', 'NODES'))).not.toContain('[800->');
    });
  });

  it('an event with anything but the cluster and the kind is refused before the secret is read, and reported once', async () => {
    await withCluster({ password: PASSWORD, replicasPerMaster: 0 }, async (cluster) => {
      const { check, remediate } = deploy(cluster, { mode: 'dry-run' });
      aws.sns.resetHistory();
      const reads = aws.secrets.commandCalls(GetSecretValueCommand).length;
      const crafted = {
        cluster: 'orders-cache',
        kind: 'frequent',
        settings: { seeds: ['10.9.9.9:6379'], mode: 'auto', allow: ['promote-replica'] },
      };
      await expect(check(crafted, lambdaContext('crafted-1'))).rejects.toThrow(/invalid event: .*settings/);
      await expect(check(crafted, lambdaContext('crafted-2'))).rejects.toThrow(/invalid event/);
      await expect(
        remediate({ cluster: 'orders-cache', mode: 'auto' }, lambdaContext('crafted-3')),
      ).rejects.toThrow(/invalid event/);
      expect(aws.secrets.commandCalls(GetSecretValueCommand)).toHaveLength(reads);
      // The cluster's people hear once that its check is failing, and why; its fix, once too.
      const sent = aws.published().map(decode);
      expect(sent.map((m) => [m.kind, m.severity, m.cluster, m.subject])).toEqual([
        [
          'checker-error',
          'critical',
          'orders-cache',
          'cluster-doctor CRIT orders-cache: scheduled check failing',
        ],
        [
          'checker-error',
          'critical',
          'orders-cache',
          'cluster-doctor CRIT orders-cache: remediation run failing',
        ],
      ]);
      expect(sent[0]?.email).toContain('EventError: invalid event: (root): Unrecognized key: "settings"');
      expect(sent[0]?.sms.length).toBeLessThanOrEqual(140);
      // A scheduled event again: it runs, and says the check recovered.
      await check({ cluster: 'orders-cache', kind: 'frequent' });
      expect(
        aws
          .published()
          .map(decode)
          .slice(2)
          .filter((m) => m.kind === 'resolved')
          .map((m) => m.subject),
      ).toEqual([expect.stringMatching(/scheduled check recovered/)]);
    });
  });

  it('a fix run that could observe no node is a failure, reported once, not a quiet success', async () => {
    const placement = deployPlacement({
      'orders-cache': {
        seeds: ['127.0.0.1:1'],
        secretArn: SECRET_ARN,
        tls: 'off',
        timeoutMs: 1000,
        mode: 'auto',
        allow: ['stabilize-open-slot'],
        settleMs: 100,
      },
    });
    deployed.push(placement.remove);
    const remediate = awsRemediateHandler(placement.env);
    aws.sns.resetHistory();
    for (const id of ['down-1', 'down-2'])
      await expect(remediate({ cluster: 'orders-cache' }, lambdaContext(id))).rejects.toThrow(
        /^could not observe any node of orders-cache: .*refused/,
      );
    expect(
      aws
        .published()
        .map(decode)
        .map((m) => [m.kind, m.severity, m.subject]),
    ).toEqual([['checker-error', 'critical', 'cluster-doctor CRIT orders-cache: remediation run failing']]);
    expect([...aws.table.keys()].some((k) => k.startsWith('orders-cache#lock'))).toBe(false);
  });

  it('an event for a cluster the placement does not serve is refused before anything is read or sent', async () => {
    await withCluster({ password: PASSWORD, replicasPerMaster: 0 }, async (cluster) => {
      const { check, remediate } = deploy(cluster, { mode: 'auto' });
      aws.sns.resetHistory();
      const reads = aws.secrets.commandCalls(GetSecretValueCommand).length;
      const calls = aws.ddb.calls().length;
      for (const cluster of ['someone-else', 'constructor', '__proto__', 42, undefined])
        await expect(check({ cluster, kind: 'nightly' })).rejects.toThrow(
          /refused by the functions of placement app-vpc, which serve orders-cache/,
        );
      await expect(remediate({ cluster: 'someone-else' })).rejects.toThrow(/which serve orders-cache/);
      expect(aws.secrets.commandCalls(GetSecretValueCommand)).toHaveLength(reads);
      expect(aws.ddb.calls()).toHaveLength(calls);
      expect(aws.published()).toEqual([]);
    });
  });
});
