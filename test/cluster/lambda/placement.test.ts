import { InvokeCommand } from '@aws-sdk/client-lambda';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { HarnessNode } from '../../../lib/harness';
import { keyLedger, keysInSlot, loadKeys } from '../../../lib/harness';
import { awsCheckHandler } from '../../../lib/service/aws/check';
import { awsRemediateHandler } from '../../../lib/service/aws/remediate';
import { decode, mockAws } from '../../support/aws-mocks';
import { withCluster } from '../../support/cluster';
import { deployPlacement, settingsFor, TEST_RESOURCES } from '../../support/placement';

/**
 * Must show (issue 15): one placement's check and remediation functions serve two real clusters, each
 * with its own secret, its own rows in the table and its own lock; a fix in flight on one blocks
 * neither a check nor a fix on the other. AWS is mocked at the SDK boundary (functions/*.ts as Lambda
 * runs them); the fix on alpha is held in flight deterministically by holding its lock's put open.
 */
const PASSWORDS = { alpha: 'alpha-secret-pw', beta: 'beta-secret-pw' } as const;
type Name = keyof typeof PASSWORDS;
const arn = (name: Name) => `arn:aws:secretsmanager:eu-west-3:123456789012:secret:${name}-AbCdEf`;
const aws = mockAws(() => '');
aws.secrets.on(GetSecretValueCommand).callsFake((input: { SecretId: string }) => {
  const name = (Object.keys(PASSWORDS) as Name[]).find((n) => arn(n) === input.SecretId);
  if (!name)
    throw Object.assign(new Error(`not authorized on ${input.SecretId}`), { name: 'AccessDeniedException' });
  return { SecretString: JSON.stringify({ password: PASSWORDS[name] }) };
});
const stdout: string[] = [];
const deployed: (() => void)[] = [];

beforeAll(() => {
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(String(chunk));
    return true;
  });
});
afterEach(() => aws.sns.resetHistory());
afterAll(() => {
  for (const remove of deployed) remove();
  aws.restore();
  vi.restoreAllMocks();
});

describe('one placement function pair serving two real clusters', () => {
  it('separate secrets, state and locks; a fix in flight on alpha blocks neither a check nor a fix on beta', async () => {
    await withCluster({ password: PASSWORDS.alpha, replicasPerMaster: 0 }, async (alpha, alphaFaults) => {
      await withCluster({ password: PASSWORDS.beta, replicasPerMaster: 0 }, async (beta, betaFaults) => {
        const [a1, a2] = alpha.masters as [HarnessNode, HarnessNode];
        const [b1, b2] = beta.masters as [HarnessNode, HarnessNode];
        // alpha: a half-moved slot with keys on both sides (finishing the move takes a while);
        // beta: a slot left open with no keys moved (rolled back).
        await loadKeys(alpha, 0, keysInSlot(500, 30));
        await alphaFaults.openSlot(500, a1, a2);
        await alphaFaults.migrateKeys(500, a1, a2, 10);
        await betaFaults.openSlot(600, b1, b2);
        const keysBefore = (await keyLedger(alpha)).total;
        const own = { mode: 'auto', allow: ['stabilize-open-slot'], settleMs: 300 } as const;
        const placement = deployPlacement({
          alpha: settingsFor(alpha, arn('alpha'), { ...own, allow: [...own.allow] }),
          beta: settingsFor(beta, arn('beta'), { ...own, allow: [...own.allow] }),
        });
        deployed.push(placement.remove);
        const check = awsCheckHandler(placement.env);
        const remediate = awsRemediateHandler(placement.env);

        // Each check reads its own cluster's secret and keeps its own rows.
        const first = await check({ cluster: 'alpha', kind: 'frequent' });
        await check({ cluster: 'beta', kind: 'frequent' });
        expect(first).toMatchObject({ cluster: 'alpha', status: 'warning', remediationStarted: false });
        const secretReads = aws.secrets
          .commandCalls(GetSecretValueCommand)
          .map((c) => c.args[0].input.SecretId);
        expect(new Set(secretReads)).toEqual(new Set([arn('alpha'), arn('beta')]));
        expect([...aws.table.keys()].filter((k) => k.endsWith('|state')).sort()).toEqual([
          'alpha|state',
          'beta|state',
        ]);
        expect(
          aws
            .published()
            .map(decode)
            .map((m) => m.cluster)
            .sort(),
        ).toEqual(['alpha', 'beta']);
        // Four metrics per cluster with {cluster}, the detail with {placement}.
        const emf = stdout
          .map((s) => s.trim())
          .filter((s) => s.startsWith('{') && s.includes('"_aws"') && s.includes('"alpha"'));
        expect(JSON.parse(emf[0] as string)._aws.CloudWatchMetrics[0]).toMatchObject({
          Dimensions: [['cluster']],
          Metrics: [
            { Name: 'CheckRan' },
            { Name: 'Status' },
            { Name: 'Findings' },
            { Name: 'CheckDuration' },
          ],
        });

        // The problem persisted: alpha's check starts alpha's run, naming the cluster only.
        const second = await check({ cluster: 'alpha', kind: 'frequent' });
        expect(second.remediationStarted).toBe(true);
        expect(aws.lambda.commandCalls(InvokeCommand).map((c) => c.args[0].input)).toEqual([
          {
            FunctionName: TEST_RESOURCES.remediationFunction,
            InvocationType: 'Event',
            Payload: JSON.stringify({ cluster: 'alpha' }),
          },
        ]);

        // alpha's fix takes its lock and is held there, in flight.
        const release = aws.hold('alpha#lock');
        let alphaDone = false;
        const alphaFix = remediate({ cluster: 'alpha' }).finally(() => {
          alphaDone = true;
        });
        await vi.waitFor(() => expect(aws.table.has('alpha#lock|lock')).toBe(true));

        // Meanwhile beta is checked (its second look confirms its problem) and fixed, under its own lock.
        const betaCheck = await check({ cluster: 'beta', kind: 'frequent' });
        expect(betaCheck).toMatchObject({ cluster: 'beta', status: 'warning', remediationStarted: true });
        const betaFix = await remediate({ cluster: 'beta' });
        expect(betaFix.actions.map((x) => [x.remedy, x.status])).toEqual([
          ['stabilize-open-slot', 'applied'],
        ]);
        expect(aws.table.has('beta#lock|lock')).toBe(false);
        // A second run on alpha is refused by alpha's lock.
        const again = await remediate({ cluster: 'alpha' });
        expect(again.actions.map((x) => [x.status, x.guard])).toEqual([['refused', 'lock']]);
        expect(alphaDone).toBe(false);
        expect(aws.table.get('alpha#lock|lock')?.owner).toMatch(/^remediate-/);

        release();
        const alphaResult = await alphaFix;
        expect(alphaResult.actions.map((x) => [x.remedy, x.status])).toEqual([
          ['stabilize-open-slot', 'applied'],
        ]);
        expect(aws.table.has('alpha#lock|lock')).toBe(false);
        expect((await keyLedger(alpha)).total).toBe(keysBefore);
        const history = [...aws.table.keys()].filter((k) => k.includes('#history|'));
        expect(history.map((k) => k.split('#')[0]).sort()).toEqual(['alpha', 'alpha', 'beta']);
        expect(JSON.stringify(aws.published())).not.toMatch(/alpha-secret-pw|beta-secret-pw/);
      });
    });
  }, 120_000);

  it('refuses an event for a cluster the placement does not serve, before reading any secret or sending anything', async () => {
    const placement = deployPlacement({
      alpha: {
        seeds: ['127.0.0.1:1'],
        secretArn: arn('alpha'),
        tls: 'off',
        timeoutMs: 1000,
        mode: 'off',
        allow: [],
        settleMs: 1000,
      },
      beta: {
        seeds: ['127.0.0.1:1'],
        secretArn: arn('beta'),
        tls: 'off',
        timeoutMs: 1000,
        mode: 'off',
        allow: [],
        settleMs: 1000,
      },
    });
    deployed.push(placement.remove);
    const check = awsCheckHandler(placement.env);
    const reads = aws.secrets.commandCalls(GetSecretValueCommand).length;
    await expect(check({ cluster: 'gamma', kind: 'frequent' })).rejects.toThrow(
      'event for cluster gamma refused by the functions of placement app-vpc, which serve alpha, beta',
    );
    expect(aws.secrets.commandCalls(GetSecretValueCommand)).toHaveLength(reads);
    expect(aws.published()).toEqual([]);
  });
});
