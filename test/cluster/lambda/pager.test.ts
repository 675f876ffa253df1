import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DeleteSecretCommand, RestoreSecretCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetConfigInput } from '../../../lib/config/schema';
import {
  Faults,
  type HarnessNode,
  keysInSlot,
  loadKeys,
  RedisProcess,
  TestCluster,
} from '../../../lib/harness';
import type { RemedyId } from '../../../lib/remedies/ids';
import { CloudWatchSimulation } from '../../support/aws/cloudwatch';
import type { Invocation } from '../../support/aws/lambda-emulator';
import { SchedulerSimulation } from '../../support/aws/scheduler';
import { AwsTestbed, type Deployed } from '../../support/aws/testbed';

/**
 * Must show (issue 22): the pager as deployed. A fleet config is synthesized (two placements, four
 * clusters with their own inbox and phone, modes off, dry-run and auto, 5-minute and nightly-only
 * schedules); what the template declares is created in moto, each email and SMS subscription as a
 * stand-in queue with its own filter policy and scope; the real bundles run with the template's
 * environment, on the schedules the template declares, against real clusters, over a simulated day
 * (the emulator shifts the bundles' clock); the template's alarms are evaluated from their own
 * properties on the metrics the bundles and the services emitted, and their notifications published
 * to their action topics. Scenarios follow one another over the day; what each endpoint received in
 * each scenario's window is tabled, and the paging goals are asserted.
 */

const DAY = Date.parse('2026-12-01T00:00:00.000Z');
const at = (hhmm: string, day = 0) => {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return DAY + day * 86_400_000 + (h * 60 + m) * 60_000;
};
const hhmm = (t: number) => new Date(t).toISOString().slice(11, 16);
const STACK = 'ClusterDoctor-sim';
const fn = {
  appCheck: `${STACK}-app-check`,
  appFix: `${STACK}-app-fix`,
  reporter: `${STACK}-report-failure`,
};
const CLUSTERS = ['orders', 'carts', 'sessions', 'reports'] as const;
type Name = (typeof CLUSTERS)[number];
const inbox = (c: Name) => `${c}-team@example.com`;
const PHONES: Record<Name, string> = {
  orders: '+33600000001',
  carts: '+33600000002',
  sessions: '+33600000003',
  reports: '+33600000004',
};
const ALARM_EMAIL = 'oncall@example.com';
const PASSWORD = 'sim-pw-1';
const ROTATED = 'sim-pw-2';

let testbed: AwsTestbed;
let deployed: Deployed;
let cloudwatch: CloudWatchSimulation;
let scheduler: SchedulerSimulation;
const clusters = {} as Record<Name, TestCluster>;
const secretArns = {} as Record<Name, string>;
const scratch = mkdtempSync(join(tmpdir(), 'cluster-doctor-pager-'));
const extra: RedisProcess[] = [];

/** The simulated clock, and which real instant each simulated minute started at (to date messages). */
let now = DAY;
const minutes: { real: number; simulated: number }[] = [];

/** One message an endpoint received, dated by the simulated clock. */
interface Delivery {
  endpoint: string;
  protocol: 'email' | 'sms';
  topic: 'messages' | 'alarms';
  subject: string;
  /** The start of what was sent (a message's text), for a failing assertion to show. */
  body: string;
  severity?: string;
  at: number;
}
const deliveries: Delivery[] = [];

function simulatedTimeOf(real: number): number {
  let lo = 0;
  let hi = minutes.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if ((minutes[mid] as { real: number }).real <= real) lo = mid;
    else hi = mid - 1;
  }
  return minutes[lo]?.simulated ?? now;
}

/** Everything the stand-ins received since the last call, dated. */
async function collect(): Promise<void> {
  for (const standIn of deployed.aws.standIns) {
    const topic = standIn.topic.includes('Pager') ? 'alarms' : 'messages';
    for (const d of await deployed.aws.drain(standIn)) {
      const sent = testbed.recorder.published(d.messageId);
      const alarm =
        topic === 'alarms'
          ? (JSON.parse(d.message) as { NewStateValue: string; AlarmName: string })
          : undefined;
      deliveries.push({
        endpoint: standIn.endpoint,
        protocol: standIn.protocol as 'email' | 'sms',
        topic,
        subject: sent?.subject ?? d.subject ?? `${alarm?.NewStateValue}: ${alarm?.AlarmName}`,
        body: d.message.slice(0, 800),
        severity: d.attributes.severity ?? alarm?.NewStateValue,
        at: sent ? simulatedTimeOf(sent.at) : (cloudwatch.notifiedAt.get(d.messageId) ?? now),
      });
    }
  }
}

/**
 * Plays the simulated clock up to `to`, minute by minute: each minute, the schedules due fire (as
 * EventBridge Scheduler invokes a function: asynchronously), everything they started ends, then
 * CloudWatch evaluates every alarm.
 */
async function playUntil(to: number): Promise<void> {
  for (; now < to; now += 60_000) {
    minutes.push({ real: Date.now(), simulated: now });
    for (const { schedule } of scheduler.due(now, now + 60_000))
      deployed.lambda.invokeAsync(schedule.target, schedule.input);
    await deployed.lambda.settle();
    await cloudwatch.evaluate(now + 60_000);
  }
  await collect();
}

/** Lambda's own metrics for an invocation, as the service publishes them. */
function lambdaMetrics(invocation: Invocation): void {
  cloudwatch.recordLogs(invocation.logs);
  cloudwatch.record({
    namespace: 'AWS/Lambda',
    name: 'Errors',
    dimensions: { FunctionName: invocation.function },
    value: invocation.error ? 1 : 0,
    at: invocation.at,
  });
  cloudwatch.record({
    namespace: 'AWS/Lambda',
    name: 'Invocations',
    dimensions: { FunctionName: invocation.function },
    value: 1,
    at: invocation.at,
  });
}

/** A broken copy of a function's bundle (it does not parse): what a bad deploy ships. */
function broken(name: string): string {
  const dir = join(scratch, `broken-${name}`);
  cpSync(dirname(deployed.lambda.fn(name).bundle), dir, { recursive: true });
  writeFileSync(join(dir, 'index.js'), 'module.exports = { handler: ( };\n');
  return join(dir, 'index');
}

interface Scenario {
  name: string;
  /** Whose phone it concerns (the others must get nothing). */
  affected: Name[];
  from: number;
  to: number;
  /** How long after `from` the affected phones must have their page (a dead checker: 15 min). */
  pageWithinMin?: number;
  /** Most messages any inbox may get in the window (its changes, plus a nightly digest if one falls in it). */
  inboxAtMost: number;
}
const scenarios: Scenario[] = [];

const vpc = (n: number) => ({
  vpcId: 'vpc-0a1b2c3d4e5f60718',
  subnetIds: [`subnet-0a1b2c3d4e5f6000${n}`],
  securityGroupIds: [`sg-0a1b2c3d4e5f6000${n}`],
});

beforeAll(async () => {
  testbed = await AwsTestbed.start();
  const started = await Promise.all(
    CLUSTERS.map(() => TestCluster.start({ password: PASSWORD, replicasPerMaster: 0 })),
  );
  CLUSTERS.forEach((name, i) => {
    clusters[name] = started[i] as TestCluster;
  });
  for (const name of CLUSTERS) secretArns[name] = await testbed.createSecret(`sim/${name}`, PASSWORD);
  const cluster = (name: Name, placement: string, mode: 'off' | 'dry-run' | 'auto', frequent: boolean) => ({
    name,
    seeds: [clusters[name].seeds[0] as string],
    secretArn: secretArns[name],
    placement,
    schedules: {
      nightly: { cron: 'cron(0 3 * * ? *)', timeZone: 'UTC' },
      ...(frequent ? { frequent: { rate: 'rate(5 minutes)' } } : {}),
    },
    remediation: {
      mode,
      allow: mode === 'auto' ? (['stabilize-open-slot', 'assign-uncovered-slots'] as RemedyId[]) : [],
      settleMs: 1000,
    },
    notify: { emails: [inbox(name)], sms: [PHONES[name]] },
  });
  const config: FleetConfigInput = {
    deployments: [
      {
        name: 'sim',
        account: '123456789012',
        region: 'eu-west-3',
        alarmEmail: ALARM_EMAIL,
        timeoutMs: 3000,
        placements: [
          { name: 'app', vpc: vpc(1) },
          { name: 'batch', vpc: vpc(2) },
        ],
        clusters: [
          cluster('orders', 'app', 'auto', true),
          cluster('carts', 'app', 'dry-run', true),
          cluster('sessions', 'batch', 'off', false),
          cluster('reports', 'batch', 'dry-run', true),
        ],
      },
    ],
  };
  [deployed] = (await testbed.deploy(config)) as [Deployed];
  cloudwatch = new CloudWatchSimulation(deployed.aws);
  scheduler = new SchedulerSimulation(deployed.aws);
  // `reports` is deployed at 13:00 (its schedules and alarms are created then); the rest now.
  cloudwatch.create(DAY, (alarm) => !alarm.includes('.cluster.reports.'));
  scheduler.createLater(at('13:00'), (s) => (s.input as { cluster?: string }).cluster === 'reports');
  deployed.lambda.simulate({
    clock: () => now,
    onInvocation: lambdaMetrics,
    onQueueSend: (url, when) =>
      cloudwatch.record({
        namespace: 'AWS/SQS',
        name: 'NumberOfMessagesSent',
        dimensions: { QueueName: url.split('/').pop() as string },
        value: 1,
        at: when,
      }),
  });
  // The first checks mail each cluster's findings (no replicas: master-without-replica) once.
  await playUntil(at('00:30'));
}, 300_000);

afterAll(async () => {
  await testbed?.stop();
  await Promise.all([...Object.values(clusters).map((c) => c.stop()), ...extra.map((r) => r.stop())]);
  rmSync(scratch, { recursive: true, force: true });
  if (scenarios.length > 0)
    console.log(`\nWhat reaches whom over a simulated day (pager.test.ts):\n${table()}`);
});

/** Runs a scenario's window: `inject` at its start, `repair` at `repairAt`, the clock played to its end. */
async function scenario(
  s: Scenario,
  inject: () => Promise<void>,
  repair?: { at: number; run: () => Promise<void> },
): Promise<void> {
  await playUntil(s.from);
  await collect();
  deliveries.splice(0);
  await inject();
  if (repair) {
    await playUntil(repair.at);
    await repair.run();
  }
  await playUntil(s.to);
  scenarios.push(s);
  results.set(s.name, deliveries.splice(0));
  expectGoals(s, results.get(s.name) ?? []);
}
const results = new Map<string, Delivery[]>();

function expectGoals(s: Scenario, got: Delivery[]) {
  const sms = (name: Name) => got.filter((d) => d.protocol === 'sms' && d.endpoint === PHONES[name]);
  for (const name of CLUSTERS) {
    const pages = sms(name);
    if (!s.affected.includes(name)) {
      expect(pages, `${s.name}: ${name}'s phone ${JSON.stringify(pages)}`).toEqual([]);
      continue;
    }
    // One page at the start (within the bound for a dead checker), at most one more (the recovery).
    expect(pages.length, `${s.name}: ${name}'s phone ${JSON.stringify(pages)}`).toBeGreaterThanOrEqual(1);
    expect(pages.length, `${s.name}: ${name}'s phone ${JSON.stringify(pages)}`).toBeLessThanOrEqual(2);
    expect((pages[0] as Delivery).at - s.from).toBeLessThanOrEqual((s.pageWithinMin ?? 5) * 60_000);
  }
  for (const name of CLUSTERS) {
    const mails = got.filter((d) => d.protocol === 'email' && d.endpoint === inbox(name));
    expect(
      mails.length,
      `${s.name}: ${name}'s inbox ${JSON.stringify(mails.map((m) => m.subject))}`,
    ).toBeLessThanOrEqual(s.inboxAtMost);
    // Never the same message twice: every message to an inbox is a change.
    const subjects = mails.map((m) => `${m.topic}|${m.subject}`);
    expect(new Set(subjects).size, `${s.name}: ${name}'s inbox repeats ${JSON.stringify(subjects)}`).toBe(
      subjects.length,
    );
  }
}

describe('the pager as deployed, over a simulated day', () => {
  it('01:00-03:30 a persistent checker failure of one cluster (its secret marked for deletion): one page, a nightly reminder, one recovery', async () => {
    await scenario(
      {
        name: 'persistent checker failure (orders)',
        affected: ['orders'],
        from: at('01:00'),
        to: at('03:40'),
        inboxAtMost: 3,
      },
      async () => {
        await deployed.aws.clients.secrets.send(
          new DeleteSecretCommand({ SecretId: secretArns.orders, RecoveryWindowInDays: 7 }),
        );
        // The containers' secret caches go with a new deployment: the next checks read it again.
        deployed.lambda.redeploy(fn.appCheck, {});
      },
      {
        at: at('03:30'),
        run: async () => {
          await deployed.aws.clients.secrets.send(new RestoreSecretCommand({ SecretId: secretArns.orders }));
        },
      },
    );
    const orders = results
      .get('persistent checker failure (orders)')
      ?.filter((d) => d.endpoint === inbox('orders'));
    expect(orders?.map((d) => d.subject)).toEqual([
      'cluster-doctor CRIT orders: scheduled check failing',
      expect.stringMatching(/^cluster-doctor WARN orders: nightly: scheduled check still failing$/),
      expect.stringMatching(/^cluster-doctor OK orders: scheduled check recovered after 15\d min$/),
    ]);
  });

  it('04:00-05:00 a bad deploy: every function of placement app throws at init', async () => {
    const check = deployed.lambda.fn(fn.appCheck).bundle;
    const fix = deployed.lambda.fn(fn.appFix).bundle;
    await scenario(
      {
        name: 'bad deploy of placement app',
        affected: ['orders', 'carts'],
        from: at('04:00'),
        to: at('05:15'),
        inboxAtMost: 4,
      },
      async () => {
        deployed.lambda.redeploy(fn.appCheck, { bundle: broken(fn.appCheck) });
        deployed.lambda.redeploy(fn.appFix, { bundle: broken(fn.appFix) });
      },
      {
        at: at('05:00'),
        run: async () => {
          deployed.lambda.redeploy(fn.appCheck, { bundle: check });
          deployed.lambda.redeploy(fn.appFix, { bundle: fix });
        },
      },
    );
  });

  it("06:00-07:00 the schedule group deleted: each 5-minute cluster's phone within 15 min", async () => {
    const group = scheduler.schedules[0]?.group as string;
    await scenario(
      {
        name: 'schedule group deleted',
        affected: ['orders', 'carts'],
        from: at('06:00'),
        to: at('07:15'),
        pageWithinMin: 15,
        inboxAtMost: 3,
      },
      async () => scheduler.deleteGroup(group),
      { at: at('07:00'), run: async () => scheduler.restoreGroup(group) },
    );
  });

  it('08:00-09:00 a total outage of one cluster that heals after an hour: one critical, one resolved', async () => {
    const carts = clusters.carts;
    await scenario(
      {
        name: 'total outage of carts for an hour',
        affected: ['carts'],
        from: at('08:00'),
        to: at('09:15'),
        inboxAtMost: 3,
      },
      async () => {
        for (const node of carts.nodes) await node.process.kill();
      },
      {
        at: at('09:00'),
        run: async () => {
          for (const node of carts.nodes) await node.process.restart();
          await carts.waitHealthy(60_000);
        },
      },
    );
  });

  it('10:00 a rotated secret: nothing', async () => {
    await scenario(
      { name: 'rotated secret (orders)', affected: [], from: at('10:00'), to: at('10:30'), inboxAtMost: 0 },
      async () => {
        await new Faults(clusters.orders).requirePassword(ROTATED);
        await testbed.rotateSecret(secretArns.orders, ROTATED);
      },
    );
  });

  it('11:00 a replica in its first sync: nothing but, once it synced, its master has a replica', async () => {
    const carts = clusters.carts;
    const master = carts.masters[0] as HarnessNode;
    await scenario(
      {
        name: 'replica in its first sync (carts)',
        affected: [],
        from: at('11:00'),
        to: at('11:30'),
        inboxAtMost: 1,
      },
      async () => {
        // A new replica while its master waits 10 s for more before a diskless transfer.
        const replica = await RedisProcess.start({ password: PASSWORD });
        extra.push(replica);
        await master.process.command('CONFIG', 'SET', 'repl-diskless-sync-delay', '10');
        await replica.command('CLUSTER', 'MEET', '127.0.0.1', master.port, master.process.busPort);
        await carts.waitFor('every node knows the new one', async () => {
          const views = await Promise.all(carts.nodes.map((n) => n.process.command('CLUSTER', 'NODES')));
          return views.every((v) => String(v).includes(`:${replica.port}@`) && !/handshake/.test(String(v)));
        });
        await replica.command('CLUSTER', 'REPLICATE', master.id);
        await carts.waitFor('the master lists it waiting for its bgsave', async () =>
          String(await master.process.command('INFO', 'replication')).includes('state=wait_bgsave'),
        );
      },
      {
        // The first sync takes under 5 minutes (here 10 s of real time while 5 simulated minutes pass
        // in a fraction of a second): the next check sees it synced.
        at: at('11:05'),
        run: async () => {
          const replica = extra[extra.length - 1] as RedisProcess;
          await carts.waitFor('the new replica synced', async () =>
            String(await replica.command('INFO', 'replication')).includes('master_link_status:up'),
          );
          await master.process.command('CONFIG', 'SET', 'repl-diskless-sync-delay', '0');
        },
      },
    );
    const mails = results
      .get('replica in its first sync (carts)')
      ?.filter((d) => d.endpoint === inbox('carts'));
    // The only message, if any, is the warning that master had no replica being resolved.
    for (const m of mails ?? []) expect(m.subject).toBe('cluster-doctor INFO carts: 1 problem(s) resolved');
  });

  it('12:00-12:40 an escalated problem in auto: mailed once, no page, resolved once', async () => {
    const orders = clusters.orders;
    const slot = 777;
    const owner = (await orders.ownerOf(slot)) as HarnessNode;
    const [x, y] = orders.masters.filter((m) => m !== owner) as [HarnessNode, HarnessNode];
    await scenario(
      {
        name: 'escalated problem in auto (orders)',
        affected: [],
        from: at('12:00'),
        to: at('12:50'),
        inboxAtMost: 3,
      },
      async () => {
        // Two importers of one slot: not a known-safe case, escalated with a runbook.
        await x.process.command('CLUSTER', 'SETSLOT', slot, 'IMPORTING', owner.id);
        await y.process.command('CLUSTER', 'SETSLOT', slot, 'IMPORTING', owner.id);
      },
      {
        at: at('12:40'),
        run: async () => {
          await x.process.command('CLUSTER', 'SETSLOT', slot, 'STABLE');
          await y.process.command('CLUSTER', 'SETSLOT', slot, 'STABLE');
        },
      },
    );
    const fixes = deployed.lambda.invocations.filter(
      (i) => i.function === fn.appFix && i.at >= at('12:00') && i.at < at('12:50'),
    );
    expect(fixes).toEqual([]);
  });

  it('13:00 a new cluster deployed: no page, its alarm silent until its first run', async () => {
    await scenario(
      {
        name: 'a new cluster deployed (reports)',
        affected: [],
        from: at('13:00'),
        to: at('13:30'),
        inboxAtMost: 2,
      },
      async () => cloudwatch.create(now, (alarm) => alarm.includes('.cluster.reports.')),
    );
    expect(cloudwatch.state(`${STACK}.cluster.reports.checker-dead`)).toBe('OK');
  });

  it("14:00 keys lost on one cluster (evicted on the target mid-move): that cluster's phone only", async () => {
    const orders = clusters.orders;
    const slot = 4321;
    const [a, b] = orders.masters as [HarnessNode, HarnessNode];
    await scenario(
      {
        name: 'keys lost (orders)',
        affected: ['orders'],
        from: at('14:00'),
        to: at('15:00'),
        pageWithinMin: 15,
        inboxAtMost: 6,
      },
      async () => {
        await loadKeys(orders, 0, keysInSlot(slot, 20_000));
        const owner = (await orders.ownerOf(slot)) as HarnessNode;
        const target = owner === a ? b : a;
        const faults = new Faults(orders);
        await faults.openSlot(slot, owner, target);
        await faults.migrateKeys(slot, owner, target, 100);
        // The target is near its memory limit and evicts to make room: what the move brings, it loses.
        const used = /used_memory:(\d+)/.exec(String(await target.process.command('INFO', 'memory')))?.[1];
        await target.process.command('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-random');
        await target.process.command('CONFIG', 'SET', 'maxmemory', String(Number(used) + 400_000));
      },
    );
    const audits = results.get('keys lost (orders)')?.filter((d) => d.endpoint === inbox('orders'));
    expect(
      audits?.map((d) => d.subject),
      JSON.stringify(audits?.map((d) => d.body)),
    ).toContainEqual(expect.stringMatching(/stabilize-open-slot failed/));
    expect(audits?.map((d) => d.subject)).toContainEqual(
      `ALARM: "${STACK}.cluster.orders.keys-lost" in eu-west-3`,
    );
    for (const node of orders.masters) await node.process.command('CONFIG', 'SET', 'maxmemory', '0');
  });

  it('16:00-17:00 a bad deploy of shared code kills the checks and the failure reporter: the dead-man switch pages', async () => {
    const bundles = [fn.appCheck, fn.appFix, fn.reporter].map(
      (name) => [name, deployed.lambda.fn(name).bundle] as const,
    );
    await scenario(
      {
        name: 'checks and failure reporter dead',
        affected: ['orders', 'carts'],
        from: at('16:00'),
        to: at('17:15'),
        pageWithinMin: 15,
        inboxAtMost: 8,
      },
      async () => {
        for (const [name] of bundles) deployed.lambda.redeploy(name, { bundle: broken(name) });
      },
      {
        at: at('17:00'),
        run: async () => {
          for (const [name, bundle] of bundles) deployed.lambda.redeploy(name, { bundle });
        },
      },
    );
  });
});

function table(): string {
  const endpoints = [
    ...CLUSTERS.flatMap((c) => [
      { label: `${c} phone`, match: (d: Delivery) => d.protocol === 'sms' && d.endpoint === PHONES[c] },
      { label: `${c} inbox`, match: (d: Delivery) => d.protocol === 'email' && d.endpoint === inbox(c) },
    ]),
    { label: 'alarm email', match: (d: Delivery) => d.endpoint === ALARM_EMAIL },
  ];
  const head = ['scenario', ...endpoints.map((e) => e.label)];
  const cell = (list: Delivery[]) =>
    list.length === 0
      ? '0'
      : `${list.length} (${list.map((d) => `${hhmm(d.at)} ${d.severity ?? ''}`.trim()).join(', ')})`;
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => ' --- ').join('|')}|`,
    ...scenarios.map((s) => {
      const got = results.get(s.name) ?? [];
      return `| ${s.name} (${hhmm(s.from)}-${hhmm(s.to)}) | ${endpoints.map((e) => cell(got.filter(e.match))).join(' | ')} |`;
    }),
  ].join('\n');
}
