import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetConfigInput } from '../../../lib/config/schema';
import { Faults, type HarnessNode, keyLedger, keysInSlot, loadKeys, TestCluster } from '../../../lib/harness';
import { freePortOutsideEphemeral } from '../../../lib/harness/ports';
import { REMEDY_IDS } from '../../../lib/remedies/ids';
import { callerOf } from '../../support/aws/lambda-emulator';
import { AwsTestbed, type Deployed } from '../../support/aws/testbed';

/**
 * Must show (issue 21): the synthesized bundles of a two-cluster placement, run with the template's
 * environment against moto (real AWS protocols) and real clusters, as the stack deploys them: an
 * invocation crafted to widen what a run may do is refused before any secret is read; a rotated
 * secret does not blind a warm fix function; and every way a function can fail reaches the cluster's
 * people once (the table is printed at the end).
 */

const PASSWORDS = { alpha: 'alpha-pw-1', beta: 'beta-pw-1', betaRotated: 'beta-pw-2' };
const STACK = 'ClusterDoctor-test';
const CHECK = `${STACK}-app-check`;
const FIX = `${STACK}-app-fix`;
const REPORTER = `${STACK}-report-failure`;
const ENDPOINTS = {
  alphaEmail: 'alpha-team@example.com',
  alphaSms: '+33600000001',
  betaEmail: 'beta-team@example.com',
  betaSms: '+33600000002',
  alarmEmail: 'oncall@example.com',
} as const;

let testbed: AwsTestbed;
let alpha: TestCluster;
let beta: TestCluster;
let deployed: Deployed;
const secretArns = { alpha: '', beta: '' };
const scratch = mkdtempSync(join(tmpdir(), 'cluster-doctor-deployed-'));

/** What one endpoint of the topic received: subject, bodies as sent, and when. */
interface Received {
  endpoint: string;
  protocol: string;
  subject?: string;
  email?: string;
  sms?: string;
  severity?: string;
  cluster?: string;
  at: number;
}

/** Every message each stand-in received since the last call, with the bodies its protocol delivers. */
async function receivedSince(): Promise<Received[]> {
  const out: Received[] = [];
  for (const standIn of deployed.aws.standIns) {
    for (const delivered of await deployed.aws.drain(standIn)) {
      const sent = testbed.recorder.published(delivered.messageId);
      out.push({
        endpoint: standIn.endpoint,
        protocol: standIn.protocol,
        subject: sent?.subject ?? delivered.subject,
        email: sent?.email,
        sms: sent?.sms,
        severity: delivered.attributes.severity,
        cluster: delivered.attributes.cluster,
        at: sent?.at ?? 0,
      });
    }
  }
  return out;
}

/** A scheduled tick of one cluster's check, as EventBridge Scheduler invokes it, and all it started. */
async function tick(cluster: 'alpha' | 'beta', kind: 'frequent' | 'nightly' = 'frequent'): Promise<void> {
  deployed.lambda.invokeAsync(CHECK, { cluster, kind });
  await deployed.lambda.settle();
}

beforeAll(async () => {
  testbed = await AwsTestbed.start();
  [alpha, beta] = await Promise.all([
    TestCluster.start({ password: PASSWORDS.alpha, replicasPerMaster: 0 }),
    TestCluster.start({ password: PASSWORDS.beta, replicasPerMaster: 0 }),
  ]);
  secretArns.alpha = await testbed.createSecret('cluster-doctor/alpha', PASSWORDS.alpha);
  secretArns.beta = await testbed.createSecret('cluster-doctor/beta', PASSWORDS.beta);
  const config: FleetConfigInput = {
    deployments: [
      {
        name: 'test',
        account: '123456789012',
        region: 'eu-west-3',
        alarmEmail: ENDPOINTS.alarmEmail,
        timeoutMs: 5000,
        placements: [
          {
            name: 'app',
            vpc: {
              vpcId: 'vpc-0a1b2c3d4e5f60718',
              subnetIds: ['subnet-0a1b2c3d4e5f60001'],
              securityGroupIds: ['sg-0a1b2c3d4e5f60003'],
            },
          },
        ],
        clusters: [
          {
            name: 'alpha',
            seeds: [alpha.seeds[0] as string],
            secretArn: secretArns.alpha,
            placement: 'app',
            schedules: { nightly: { cron: 'cron(0 3 * * ? *)' }, frequent: { rate: 'rate(5 minutes)' } },
            remediation: { mode: 'auto', allow: ['stabilize-open-slot'], settleMs: 1000 },
            notify: { emails: [ENDPOINTS.alphaEmail], sms: [ENDPOINTS.alphaSms] },
          },
          {
            name: 'beta',
            seeds: [beta.seeds[0] as string],
            secretArn: secretArns.beta,
            placement: 'app',
            schedules: { nightly: { cron: 'cron(0 3 * * ? *)' }, frequent: { rate: 'rate(5 minutes)' } },
            remediation: {
              mode: 'auto',
              allow: ['stabilize-open-slot', 'assign-uncovered-slots'],
              settleMs: 1000,
            },
            notify: { emails: [ENDPOINTS.betaEmail], sms: [ENDPOINTS.betaSms] },
          },
        ],
      },
    ],
  };
  [deployed] = (await testbed.deploy(config)) as [Deployed];
  // First ticks: each cluster's findings (no replicas) are mailed once; nothing else is asserted here.
  await tick('alpha');
  await tick('beta');
  await receivedSince();
}, 300_000);

afterAll(async () => {
  await testbed?.stop();
  await Promise.all([alpha?.stop(), beta?.stop()]);
  rmSync(scratch, { recursive: true, force: true });
  if (rows.length > 0)
    console.log(`\nWhat the operator receives when a function fails (bundles against moto):\n${table()}`);
});

describe('a crafted invocation of the deployed functions', () => {
  it("is refused by the check and the fix function before any secret is read: no connection to the event's host, no remedy", async () => {
    let connections = 0;
    const attacker: Server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    const faults = new Faults(alpha);
    try {
      // Alpha has empty slots no node serves: assign-uncovered-slots would fix them, but alpha's
      // configuration allows only stabilize-open-slot.
      await faults.delSlots(16000, 16099);
      const port = (attacker.address() as { port: number }).port;
      const crafted = {
        cluster: 'alpha',
        settings: {
          seeds: [`127.0.0.1:${port}`],
          secretArn: secretArns.beta,
          tls: 'off',
          mode: 'auto',
          allow: [...REMEDY_IDS],
          settleMs: 1,
        },
      };
      const calls = testbed.recorder.calls.length;
      const invocations = deployed.lambda.invocations.length;
      deployed.lambda.invokeAsync(CHECK, crafted);
      deployed.lambda.invokeAsync(FIX, crafted);
      await deployed.lambda.settle();

      expect(connections).toBe(0);
      const made = testbed.recorder.calls.slice(calls);
      expect(made.filter((c) => c.operation === 'secretsmanager.GetSecretValue')).toEqual([]);
      expect(made.some((c) => c.body.includes(secretArns.beta))).toBe(false);
      const ran = deployed.lambda.invocations.slice(invocations);
      expect(ran.filter((i) => i.function !== REPORTER).map((i) => [i.function, i.error?.errorType])).toEqual(
        [
          [CHECK, 'EventError'],
          [FIX, 'EventError'],
        ],
      );
      // Each refusal is reported once, to alpha's people: by the handler; the reporter sees it was.
      expect(
        ran.filter((i) => i.function === REPORTER).map((i) => (i.result as { outcome: string }).outcome),
      ).toEqual(['already-reported', 'already-reported']);
      const got = await receivedSince();
      const subjects = (endpoint: string) =>
        got
          .filter((m) => m.endpoint === endpoint)
          .map((m) => m.subject)
          .sort();
      const failing = [
        'cluster-doctor CRIT alpha: remediation run failing',
        'cluster-doctor CRIT alpha: scheduled check failing',
      ];
      expect(subjects(ENDPOINTS.alphaEmail)).toEqual(failing);
      expect(got.filter((m) => m.endpoint === ENDPOINTS.alphaSms && m.protocol === 'sms')).toHaveLength(2);
      expect(subjects(ENDPOINTS.betaEmail)).toEqual([]);
      expect(got.filter((m) => m.endpoint === ENDPOINTS.betaSms)).toEqual([]);
      expect(got.find((m) => m.endpoint === ENDPOINTS.alphaEmail)?.email).toContain(
        'Unrecognized key: "settings"',
      );

      // No remedy ran: the slots are still not served, and no action is in the history.
      expect(String(await alpha.masters[0]?.process.command('CLUSTER', 'COUNTKEYSINSLOT', 16000))).toBe('0');
      expect((await deployed.aws.items()).filter((i) => String(i.pk).endsWith('#history'))).toEqual([]);

      // A well-formed invocation of the fix, by hand: alpha's allow-list still holds, from the deployment.
      const byHand = await deployed.lambda.invoke(FIX, { cluster: 'alpha' });
      const actions = (byHand.result as { actions: { remedy: string; status: string; guard: string }[] })
        .actions;
      expect(actions.map((a) => [a.remedy, a.status, a.guard])).toEqual([
        ['assign-uncovered-slots', 'refused', 'allow-list'],
      ]);
      const uncovered = await alpha.slotOwners();
      expect(uncovered.slice(16000, 16100).every((owner) => owner === undefined)).toBe(true);
      expect(connections).toBe(0);
    } finally {
      attacker.close();
      await alpha.masters[2]?.process.command('CLUSTER', 'ADDSLOTSRANGE', 16000, 16099);
      await alpha.waitHealthy();
      await tick('alpha');
      await receivedSince();
    }
  });
});

describe('the bundles as deployed', () => {
  it("sign every AWS call with their own role's credentials from the environment, and nothing else reaches AWS", () => {
    const functions = [...deployed.lambda.functions.keys()];
    expect(testbed.recorder.calls.length).toBeGreaterThan(0);
    for (const call of testbed.recorder.calls) {
      expect(String(call.headers.authorization)).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIA[A-Z0-9]+\//);
      expect(callerOf(call.headers.authorization, functions)).toBeDefined();
      expect(call.headers['x-amz-security-token']).toBe('cluster-doctor-test-session');
    }
    // The check and fix bundles carry no default credential chain (lib/service/env-credentials.ts).
    for (const name of [CHECK, FIX]) {
      const text = readFileSync(`${deployed.lambda.fn(name).bundle}.js`, 'utf8');
      expect(text).not.toContain('defaultProvider::fromSSO');
      expect(text).not.toContain('AssumeRoleWithWebIdentity');
    }
  });
});

describe('a rotated secret', () => {
  it('does not blind a warm fix function: it reads the secret again once and repairs', async () => {
    const [b1, b2] = beta.masters as [HarnessNode, HarnessNode];
    const faults = new Faults(beta);
    await loadKeys(beta, 0, keysInSlot(700, 50));
    const owner = (await beta.ownerOf(700)) as HarnessNode;
    const target = owner === b1 ? b2 : b1;
    // A first repair warms the fix function's container, which caches the secret.
    await faults.openSlot(700, owner, target);
    await faults.migrateKeys(700, owner, target, 20);
    await tick('beta');
    await tick('beta');
    expect(String(await owner.process.command('CLUSTER', 'NODES'))).not.toContain('[700->');
    const fixStarts = deployed.lambda.starts(FIX);

    // The password changes on every node and in the secret; then the slot is left open again.
    await faults.requirePassword(PASSWORDS.betaRotated);
    await testbed.rotateSecret(secretArns.beta, PASSWORDS.betaRotated);
    const newOwner = (await beta.ownerOf(700)) as HarnessNode;
    const newTarget = newOwner === b1 ? b2 : b1;
    await faults.openSlot(700, newOwner, newTarget);
    await faults.migrateKeys(700, newOwner, newTarget, 20);
    const before = await keyLedger(beta);
    const reads = testbed.recorder.calls.length;
    await receivedSince();
    await tick('beta');
    await tick('beta');

    // The same warm container ran the fix, read the secret again once, and repaired.
    expect(deployed.lambda.starts(FIX)).toBe(fixStarts);
    const fixReads = testbed.recorder.calls
      .slice(reads)
      .filter((c) => c.operation === 'secretsmanager.GetSecretValue')
      .filter((c) => callerOf(c.headers.authorization, [FIX]) === FIX);
    expect(fixReads).toHaveLength(1);
    for (const node of beta.nodes)
      expect(String(await node.process.command('CLUSTER', 'NODES'))).not.toMatch(/\[700-[<>]-/);
    expect((await keyLedger(beta)).total).toBe(before.total);
    const lastFix = deployed.lambda.invocations.filter((i) => i.function === FIX).at(-1);
    expect(lastFix?.error).toBeUndefined();
    expect(
      (lastFix?.result as { actions: { status: string }[] } | undefined)?.actions.map((a) => a.status),
    ).toEqual(['applied']);
    // Nobody was told the checker failed: a rotation is not an outage.
    expect((await receivedSince()).filter((m) => /failing/.test(m.subject ?? ''))).toEqual([]);
  });
});

interface Row {
  kind: string;
  how: string;
  invocation: string;
  reportedBy: string;
  alphaEmail: string;
  alphaSms: string;
  alarmEmail: string;
  others: number;
  afterMs: number;
  recovery: string;
}
const rows: Row[] = [];
/** Enough keys that moving them takes seconds (about 60 000 keys/s here), beyond a deadline 2 s away. */
const KEYS_TO_MOVE = 200_000;

/** A closed loopback port, outside where any test binds: connections refused at once, as from a subnet with no route. */
async function nowhere(): Promise<string> {
  return `http://127.0.0.1:${await freePortOutsideEphemeral()}`;
}

/**
 * One failure kind: `breakIt` makes the next scheduled check of alpha fail that way; the tick runs
 * (and whatever Lambda does with a failed asynchronous invocation); what each endpoint received is
 * recorded; then `repair` undoes it and the next tick must say the check recovered.
 */
async function failureScenario(
  kind: string,
  how: string,
  breakIt: () => Promise<void>,
  repair: () => Promise<void>,
  runKind: 'frequent' | 'nightly' = 'frequent',
): Promise<Row> {
  await receivedSince();
  await breakIt();
  const started = Date.now();
  const invocations = deployed.lambda.invocations.length;
  await tick('alpha', runKind);
  const ran = deployed.lambda.invocations.slice(invocations);
  const failed = ran.find((i) => i.function === CHECK);
  const reporter = ran.find((i) => i.function === REPORTER);
  const got = await receivedSince();
  const at = (endpoint: string) => got.filter((m) => m.endpoint === endpoint);
  const summary = (list: Received[]) =>
    list.length === 0 ? '-' : list.map((m) => `${m.severity ?? '?'}: ${m.subject ?? m.sms ?? ''}`).join('; ');
  const first = got.map((m) => m.at).filter((t) => t > 0);
  await repair();
  await tick('alpha');
  const recovered = await receivedSince();
  const row: Row = {
    kind,
    how,
    invocation: failed?.error ? failed.error.errorType : 'succeeded',
    reportedBy:
      (reporter?.result as { outcome?: string } | undefined)?.outcome === 'published'
        ? 'failure reporter'
        : 'handler',
    alphaEmail: summary(at(ENDPOINTS.alphaEmail)),
    alphaSms: summary(at(ENDPOINTS.alphaSms)),
    alarmEmail: summary(at(ENDPOINTS.alarmEmail)),
    others: got.filter(
      (m) => ![ENDPOINTS.alphaEmail, ENDPOINTS.alphaSms, ENDPOINTS.alarmEmail].includes(m.endpoint as never),
    ).length,
    afterMs: first.length > 0 ? Math.min(...first) - started : -1,
    recovery: summary(recovered.filter((m) => m.endpoint === ENDPOINTS.alphaEmail)),
  };
  rows.push(row);
  return row;
}

/** Each failure is one critical message to alpha's inbox and phone (and the alarm email), and one recovery. */
function expectReportedOnce(row: Row, error: RegExp) {
  expect(row.alphaEmail).toMatch(/^critical: cluster-doctor CRIT alpha: scheduled check failing$/);
  expect(row.alphaSms).toMatch(/^critical: /);
  expect(row.alarmEmail).toMatch(/^critical: cluster-doctor CRIT alpha: scheduled check failing$/);
  expect(row.others).toBe(0);
  expect(row.recovery).toMatch(/^info: cluster-doctor OK alpha: scheduled check recovered after \d+ min$/);
  const record = testbed.recorder
    .of('sns.Publish')
    .map((c) => new URLSearchParams(c.body).get('Message') ?? '')
    .filter((m) => m.includes('scheduled check failing'))
    .at(-1);
  expect(record).toMatch(error);
}

describe('every failure of a deployed function reaches the cluster once', () => {
  it('an init error (a broken bundle deployed)', async () => {
    const check = deployed.lambda.fn(CHECK);
    const broken = join(scratch, 'broken');
    cpSync(dirname(check.bundle), broken, { recursive: true });
    writeFileSync(join(broken, 'index.js'), 'module.exports = { handler: ( };\n');
    const row = await failureScenario(
      'init error',
      'a bad deploy: the bundle does not parse',
      async () => deployed.lambda.redeploy(CHECK, { bundle: join(broken, 'index') }),
      async () => deployed.lambda.redeploy(CHECK, { bundle: check.bundle }),
    );
    expect(row.invocation).toBe('Runtime.UserCodeSyntaxError');
    expect(row.reportedBy).toBe('failure reporter');
    expectReportedOnce(row, /SyntaxError/);
  });

  it('a bad environment (the table name missing)', async () => {
    const check = deployed.lambda.fn(CHECK);
    const { STATE_TABLE_NAME: _gone, ...without } = check.environment;
    const row = await failureScenario(
      'bad environment',
      'STATE_TABLE_NAME removed from the function',
      async () => deployed.lambda.redeploy(CHECK, { environment: without }),
      async () => deployed.lambda.redeploy(CHECK, { environment: check.environment }),
    );
    expect(row.invocation).toBe('FunctionEnvError');
    expect(row.reportedBy).toBe('failure reporter');
    expectReportedOnce(row, /STATE_TABLE_NAME: required/);
  });

  it('Secrets Manager unreachable from the subnets', async () => {
    const row = await failureScenario(
      'Secrets Manager unreachable',
      'no route (connection refused)',
      async () => deployed.lambda.setVpcEndpoints({ SECRETS_MANAGER: await nowhere() }),
      async () => deployed.lambda.setVpcEndpoints({}),
    );
    expect(row.reportedBy).toBe('handler');
    expectReportedOnce(row, /ECONNREFUSED|connect/);
  });

  it('SNS unreachable from the subnets, when the check has something to say (the nightly digest)', async () => {
    const row = await failureScenario(
      'SNS unreachable',
      'no route (connection refused), in the nightly run (a quiet frequent run publishes nothing and succeeds)',
      async () => deployed.lambda.setVpcEndpoints({ SNS: await nowhere() }),
      async () => deployed.lambda.setVpcEndpoints({}),
      'nightly',
    );
    expect(row.reportedBy).toBe('failure reporter');
    expectReportedOnce(row, /ECONNREFUSED|connect/);
  });

  it('DynamoDB unreachable from the subnets', async () => {
    const row = await failureScenario(
      'DynamoDB unreachable',
      'no route (connection refused)',
      async () => deployed.lambda.setVpcEndpoints({ DYNAMODB: await nowhere() }),
      async () => deployed.lambda.setVpcEndpoints({}),
    );
    expect(row.reportedBy).toBe('failure reporter');
    expectReportedOnce(row, /ECONNREFUSED|connect/);
  });

  it('Secrets Manager hanging (accepts connections, never answers): the SDK timeouts leave time to report', async () => {
    const hanging = createServer(() => {});
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    try {
      const row = await failureScenario(
        'Secrets Manager hanging',
        'a connection that never answers (request timeout 5 s, 3 attempts)',
        async () =>
          deployed.lambda.setVpcEndpoints({
            SECRETS_MANAGER: `http://127.0.0.1:${(hanging.address() as { port: number }).port}`,
          }),
        async () => deployed.lambda.setVpcEndpoints({}),
      );
      expect(row.reportedBy).toBe('handler');
      expectReportedOnce(row, /timeout|timed out/i);
    } finally {
      hanging.close();
    }
  });

  it('a Lambda timeout', async () => {
    const hanging = createServer(() => {});
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const check = deployed.lambda.fn(CHECK);
    try {
      const row = await failureScenario(
        'Lambda timeout',
        'Secrets Manager hanging, and the function timeout lowered to 3 s',
        async () => {
          deployed.lambda.setVpcEndpoints({
            SECRETS_MANAGER: `http://127.0.0.1:${(hanging.address() as { port: number }).port}`,
          });
          deployed.lambda.redeploy(CHECK, { timeoutS: 3 });
        },
        async () => {
          deployed.lambda.setVpcEndpoints({});
          deployed.lambda.redeploy(CHECK, { timeoutS: check.timeoutS });
        },
      );
      expect(row.invocation).toBe('Sandbox.Timedout');
      expect(row.reportedBy).toBe('failure reporter');
      expectReportedOnce(row, /Task timed out after 3.00 seconds/);
    } finally {
      hanging.close();
    }
  });

  it('no credentials in the environment (the role could not be assumed)', async () => {
    const row = await failureScenario(
      'no AWS credentials',
      "the function's environment without the role's credentials",
      async () => deployed.lambda.redeploy(CHECK, { credentials: false }),
      async () => deployed.lambda.redeploy(CHECK, { credentials: true }),
    );
    expect(row.reportedBy).toBe('failure reporter');
    expectReportedOnce(
      row,
      /no AWS credentials in the environment \(AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY\)/,
    );
  });

  it('out of memory', async () => {
    const check = deployed.lambda.fn(CHECK);
    const row = await failureScenario(
      'out of memory',
      'the function memory lowered to 32 MB (the emulator kills it there, as Lambda does)',
      async () => deployed.lambda.redeploy(CHECK, { memoryMb: 32 }),
      async () => deployed.lambda.redeploy(CHECK, { memoryMb: check.memoryMb }),
    );
    expect(row.invocation).toBe('Runtime.OutOfMemory');
    expect(row.reportedBy).toBe('failure reporter');
    expectReportedOnce(row, /Runtime exited with error: signal: killed/);
  });

  it('a bad event (a field the schedule never sends)', async () => {
    await receivedSince();
    const started = Date.now();
    const invocations = deployed.lambda.invocations.length;
    deployed.lambda.invokeAsync(CHECK, { cluster: 'alpha', kind: 'frequent', mode: 'auto' });
    await deployed.lambda.settle();
    const ran = deployed.lambda.invocations.slice(invocations);
    const got = await receivedSince();
    const first = Math.min(...got.map((m) => m.at));
    await tick('alpha');
    const recovered = await receivedSince();
    const summary = (endpoint: string, list: Received[]) =>
      list
        .filter((m) => m.endpoint === endpoint)
        .map((m) => `${m.severity}: ${m.subject}`)
        .join('; ') || '-';
    const row: Row = {
      kind: 'bad event',
      how: '{cluster, kind, mode} invoked asynchronously',
      invocation: ran.find((i) => i.function === CHECK)?.error?.errorType ?? 'succeeded',
      reportedBy:
        (ran.find((i) => i.function === REPORTER)?.result as { outcome?: string } | undefined)?.outcome ===
        'published'
          ? 'failure reporter'
          : 'handler',
      alphaEmail: summary(ENDPOINTS.alphaEmail, got),
      alphaSms: summary(ENDPOINTS.alphaSms, got),
      alarmEmail: summary(ENDPOINTS.alarmEmail, got),
      others: got.filter(
        (m) =>
          ![ENDPOINTS.alphaEmail, ENDPOINTS.alphaSms, ENDPOINTS.alarmEmail].includes(m.endpoint as never),
      ).length,
      afterMs: first - started,
      recovery: summary(ENDPOINTS.alphaEmail, recovered),
    };
    rows.push(row);
    expect(row.invocation).toBe('EventError');
    expect(row.reportedBy).toBe('handler');
    expectReportedOnce(row, /Unrecognized key: \\"mode\\"/);
  });

  it('an action past the deadline: the move stops between rounds, with its audit message, and the next run resumes it', async () => {
    const [a1, a2] = alpha.masters as [HarnessNode, HarnessNode];
    const faults = new Faults(alpha);
    const slot = 3333;
    await loadKeys(alpha, 0, keysInSlot(slot, KEYS_TO_MOVE));
    const owner = (await alpha.ownerOf(slot)) as HarnessNode;
    const target = owner === a1 ? a2 : a1;
    await faults.openSlot(slot, owner, target);
    await faults.migrateKeys(slot, owner, target, 100);
    const before = await keyLedger(alpha);
    const fix = deployed.lambda.fn(FIX);
    // 62 s: the run's deadline (the limit less max(60 s, 2 × timeout + 30 s)) falls 2 s after it starts,
    // after the settle wait and the two observations: the move starts, and is cut between rounds.
    deployed.lambda.redeploy(FIX, { timeoutS: 62 });
    await receivedSince();
    const invocations = deployed.lambda.invocations.length;
    await tick('alpha');
    await tick('alpha');
    const runs = deployed.lambda.invocations.slice(invocations).filter((i) => i.function === FIX);
    expect(runs).toHaveLength(1);
    const [run] = runs;
    expect(run?.error).toBeUndefined();
    const actions =
      (run?.result as { actions: { status: string; guard: string; keysMoved?: number }[] } | undefined)
        ?.actions ?? [];
    expect(actions.map((a) => [a.status, a.guard])).toEqual([
      [expect.stringMatching(/^(stopped|skipped)$/), 'deadline'],
    ]);
    const got = await receivedSince();
    const audit = got.filter(
      (m) => m.endpoint === ENDPOINTS.alphaEmail && /stabilize-open-slot/.test(m.subject ?? ''),
    );
    expect(audit).toHaveLength(1);
    expect((await deployed.aws.items()).some((i) => i.pk === 'alpha#lock')).toBe(false);
    expect((await keyLedger(alpha)).total).toBe(before.total);
    rows.push({
      kind: 'action past the deadline',
      how: `the fix function timeout lowered to 62 s, a ${KEYS_TO_MOVE}-key slot to move`,
      invocation: 'succeeded',
      reportedBy: 'handler (audit message)',
      alphaEmail: audit.map((m) => `${m.severity}: ${m.subject}`).join('; '),
      alphaSms: got.some((m) => m.endpoint === ENDPOINTS.alphaSms) ? 'yes' : '-',
      alarmEmail: got
        .filter((m) => m.endpoint === ENDPOINTS.alarmEmail)
        .map((m) => `${m.severity}: ${m.subject}`)
        .join('; '),
      others: 0,
      afterMs: run?.ms ?? 0,
      recovery: `moved ${actions[0]?.keysMoved ?? 0} keys; lock released; the next runs resume`,
    });
    // With its usual timeout, the next runs finish the move.
    deployed.lambda.redeploy(FIX, { timeoutS: fix.timeoutS });
    await tick('alpha');
    await tick('alpha');
    for (const node of alpha.nodes)
      expect(String(await node.process.command('CLUSTER', 'NODES'))).not.toMatch(/\[\d+-[<>]-/);
    expect(Number(await target.process.command('CLUSTER', 'COUNTKEYSINSLOT', slot))).toBe(KEYS_TO_MOVE);
    expect((await keyLedger(alpha)).total).toBe(before.total);
  });
});

function table(): string {
  const head = [
    'failure',
    'how',
    'invocation ends',
    'reported by',
    "alpha's inbox",
    "alpha's phone",
    'alarm email',
    'others',
    'after',
    'on recovery',
  ];
  const lines = [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => ' --- ').join('|')}|`,
    ...rows.map(
      (r) =>
        `| ${[r.kind, r.how, r.invocation, r.reportedBy, r.alphaEmail, r.alphaSms, r.alarmEmail, String(r.others), `${(r.afterMs / 1000).toFixed(1)} s`, r.recovery].join(' | ')} |`,
    ),
  ];
  return lines.join('\n');
}
