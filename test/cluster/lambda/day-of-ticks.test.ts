import { Logger } from '@aws-lambda-powertools/logger';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ClusterConfig } from '../../../lib/config/schema';
import type { Mode } from '../../../lib/guard/modes';
import {
  type Faults,
  Faults as FaultsOf,
  type HarnessNode,
  keysInSlot,
  loadKeys,
  RedisProcess,
  TestCluster,
} from '../../../lib/harness';
import { awsCheckHandler } from '../../../lib/service/aws/check';
import type { CheckSummary } from '../../../lib/service/check-handler';
import { decode, mockAws } from '../../support/aws-mocks';
import { DAY_START, dayOfTicks, ObserveOnChange, stalenessTransitions } from '../../support/day-of-ticks';
import { deployPlacement } from '../../support/placement';

/**
 * Must show (issue 13): a day of schedule ticks (5-minute rate plus nightly, fake clock) through the
 * check function as Lambda runs it, AWS mocked at the SDK boundary, one real cluster for the
 * scenarios that need one. Counts what reaches people: emails (every message), SMS (critical
 * messages, the SMS filter policy; plus the pager's "checker dead" alarm replayed on the metric).
 */
const P1 = 'first-password';
const P2 = 'rotated-password';
const secrets = new Map<string, string | 'denied'>();
const aws = mockAws(() => '');
aws.secrets.on(GetSecretValueCommand).callsFake((input: { SecretId: string }) => {
  const value = secrets.get(input.SecretId);
  if (value === undefined || value === 'denied') {
    const error = new Error(
      `User is not authorized to perform: secretsmanager:GetSecretValue on ${input.SecretId}`,
    );
    error.name = 'AccessDeniedException';
    throw error;
  }
  return { SecretString: JSON.stringify({ password: value }) };
});
const SCHEDULES: ClusterConfig['schedules'] = {
  nightly: { cron: 'cron(0 3 * * ? *)', timeZone: 'UTC' },
  frequent: { rate: 'rate(5 minutes)' },
};
const arn = (name: string) => `arn:aws:secretsmanager:eu-west-3:123456789012:secret:${name}-AbCdEf`;

interface Row {
  scenario: string;
  invocations: number;
  observations: number;
  emails: number;
  critical: number;
  warnings: number;
  resolved: number;
  smsFromChecker: number;
  smsFromPager: number;
  target: string;
}
const rows: Row[] = [];
const stdout: string[] = [];

interface DayResult {
  messages: ReturnType<typeof decode>[];
  at: string[];
  summaries: (CheckSummary | Error)[];
  successes: number[];
}

/**
 * Plays the day: before each tick `scenario` may change the cluster (and say so); each tick runs
 * the handler at the tick's time. Returns every message published, with the time of its tick.
 */
async function playDay(
  name: string,
  mode: Mode,
  seeds: string[],
  observer: ObserveOnChange,
  scenario: (at: string) => Promise<void> = async () => {},
): Promise<DayResult> {
  let clock = DAY_START;
  const placement = deployPlacement({
    [name]: {
      seeds,
      secretArn: arn(name),
      tls: 'off',
      timeoutMs: 5000,
      mode,
      allow: ['stabilize-open-slot', 'assign-uncovered-slots'],
      settleMs: 1000,
    },
  });
  // The check function as deployed (functions/check.ts), with the scenario's clock and observer.
  const check = awsCheckHandler(placement.env, {
    now: () => new Date(clock),
    observe: observer.observe,
    logger: new Logger({ serviceName: 'cluster-doctor-check', logLevel: 'SILENT' }),
  });
  const result: DayResult = { messages: [], at: [], summaries: [], successes: [] };
  for (const tick of dayOfTicks()) {
    clock = tick.at;
    const hhmm = new Date(tick.at).toISOString().slice(11, 16);
    if (tick.kind === 'frequent') await scenario(hhmm);
    const before = aws.published().length;
    const emitted = stdout.length;
    result.summaries.push(await check({ cluster: name, kind: tick.kind }).catch((e: Error) => e));
    if (stdout.slice(emitted).some((line) => line.includes('"CheckSucceeded"')))
      result.successes.push(tick.at);
    for (const input of aws.published().slice(before)) {
      result.messages.push(decode(input));
      result.at.push(`${hhmm} ${tick.kind}`);
    }
    observer.settled();
  }
  placement.remove();
  return result;
}

function record(scenario: string, day: DayResult, observer: ObserveOnChange, target: string): Row {
  const count = (p: (m: DayResult['messages'][number]) => boolean) => day.messages.filter(p).length;
  const pager = stalenessTransitions(SCHEDULES, day.successes);
  const row: Row = {
    scenario,
    invocations: day.summaries.length,
    observations: observer.observations,
    emails: day.messages.length,
    critical: count((m) => m.severity === 'critical'),
    warnings: count((m) => m.severity === 'warning'),
    resolved: count((m) => m.kind === 'resolved'),
    smsFromChecker: count((m) => m.severity === 'critical'),
    smsFromPager: pager.length,
    target,
  };
  rows.push(row);
  return row;
}

beforeAll(() => {
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(String(chunk));
    return true;
  });
});
afterAll(() => {
  aws.restore();
  vi.restoreAllMocks();
  console.log(
    `\n24 h of schedule ticks (288 x rate(5 minutes) + 1 nightly at 03:00 UTC), messages per scenario:\n${table(rows)}`,
  );
});

function table(data: Row[]): string {
  const head = [
    'scenario',
    'invocations',
    'real observations',
    'emails',
    'critical',
    'warning',
    'resolved',
    'SMS (checker)',
    'SMS (pager alarm)',
    'target',
  ];
  const lines = data.map((r) =>
    [
      r.scenario,
      r.invocations,
      r.observations,
      r.emails,
      r.critical,
      r.warnings,
      r.resolved,
      r.smsFromChecker,
      r.smsFromPager,
      r.target,
    ].map(String),
  );
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  return [fmt(head), fmt(widths.map((w) => '-'.repeat(w))), ...lines.map(fmt)].join('\n');
}

describe('a day of schedule ticks, messages counted per scenario', () => {
  it('persistent checker failure (secret denied all day): one critical, one nightly reminder, at most 2 SMS', async () => {
    secrets.set(arn('denied-cache'), 'denied');
    const observer = new ObserveOnChange();
    const day = await playDay('denied-cache', 'dry-run', ['127.0.0.1:1'], observer);
    expect(day.summaries.every((s) => s instanceof Error)).toBe(true);
    expect(day.messages.map((m) => [m.kind, m.severity])).toEqual([
      ['checker-error', 'critical'],
      ['digest', 'warning'],
    ]);
    expect(day.messages[0]?.email).toContain('AccessDeniedException');
    expect(day.at).toEqual(['00:00 frequent', '03:00 nightly']);
    const row = record('persistent checker failure', day, observer, 'SMS <= 2');
    expect(stalenessTransitions(SCHEDULES, day.successes)).toEqual(['ALARM at 00:15']);
    expect(row.smsFromChecker + row.smsFromPager).toBeLessThanOrEqual(2);
    expect(observer.observations).toBe(0);
  });

  describe('on one real cluster', () => {
    let cluster: TestCluster;
    let faults: Faults;
    /** The cluster's password now (the rotation scenario changes it). */
    const current = () => cluster.options.password as string;
    const extra: RedisProcess[] = [];
    beforeAll(async () => {
      cluster = await TestCluster.start({ masters: 3, replicasPerMaster: 1, password: P1 });
      faults = new FaultsOf(cluster);
    }, 60_000);
    afterAll(async () => {
      await Promise.all(extra.map((p) => p.stop()));
      await cluster?.stop();
    });

    it('rotated secret at 10:00: read again once, observed again, no critical', async () => {
      secrets.set(arn('rotated-cache'), P1);
      const observer = new ObserveOnChange();
      const calls = () =>
        aws.secrets
          .commandCalls(GetSecretValueCommand)
          .filter((c) => c.args[0].input.SecretId === arn('rotated-cache')).length;
      const day = await playDay(
        'rotated-cache',
        'dry-run',
        [cluster.seeds[0] as string],
        observer,
        async (at) => {
          if (at !== '10:00') return;
          await faults.requirePassword(P2);
          secrets.set(arn('rotated-cache'), P2);
          observer.changed();
        },
      );
      const refreshed = day.summaries.filter((s) => !(s instanceof Error) && s.credentialsRefreshed);
      expect(refreshed).toHaveLength(1);
      expect(calls()).toBe(2);
      expect(day.summaries.every((s) => !(s instanceof Error) && s.status === 'ok')).toBe(true);
      expect(day.messages.map((m) => m.kind)).toEqual(['digest']);
      const row = record('rotated secret', day, observer, '0 critical');
      expect(row.critical).toBe(0);
      expect(row.smsFromPager).toBe(0);
    });

    it('a replica in its first sync at 09:00: info, then synced; no warning', async () => {
      secrets.set(arn('sync-cache'), current());
      const observer = new ObserveOnChange();
      const master = cluster.masters[0] as HarnessNode;
      let waiting: string | undefined;
      const seen: { id: string; severity: string; summary: string }[] = [];
      const day = await playDay(
        'sync-cache',
        'dry-run',
        [cluster.seeds[0] as string],
        observer,
        async (at) => {
          if (at === '09:00') {
            // A new replica while its master waits 10 s for more replicas before a diskless transfer.
            const replica = await RedisProcess.start({ password: current() });
            extra.push(replica);
            await master.process.command('CONFIG', 'SET', 'repl-diskless-sync-delay', '10');
            await replica.command('CLUSTER', 'MEET', '127.0.0.1', master.port, master.process.busPort);
            await cluster.waitFor('every node knows the new one', async () => {
              const views = await Promise.all(
                cluster.nodes.map((n) => n.process.command('CLUSTER', 'NODES')),
              );
              return views.every(
                (v) => String(v).includes(`:${replica.port}@`) && !/handshake/.test(String(v)),
              );
            });
            await replica.command('CLUSTER', 'REPLICATE', master.id);
            await cluster.waitFor('the master lists it waiting for its bgsave', async () =>
              String(await master.process.command('INFO', 'replication')).includes('state=wait_bgsave'),
            );
            waiting = replica.address;
            observer.changed();
          }
          if (at === '09:05' && waiting) {
            // What the 09:00 run saw and remembered (info findings are remembered, never sent).
            const stored = aws.table.get('sync-cache|state')?.state as {
              open: Record<string, { id: string; severity: string; summary: string }>;
            };
            seen.push(...Object.values(stored.open));
            const replica = extra[extra.length - 1] as RedisProcess;
            await cluster.waitFor('the new replica synced', async () =>
              String(await replica.command('INFO', 'replication')).includes('master_link_status:up'),
            );
            await master.process.command('CONFIG', 'SET', 'repl-diskless-sync-delay', '0');
            observer.changed();
          }
        },
      );
      const at0900 = day.summaries[9 * 12 + 1] as CheckSummary;
      expect(at0900.status).toBe('ok');
      expect(at0900.findings).toBeGreaterThan(0);
      expect(day.messages.map((m) => [m.kind, m.severity])).toEqual([['digest', 'info']]);
      const row = record('replica in its first sync', day, observer, '0 warnings');
      expect(row.warnings).toBe(0);
      expect(seen).toContainEqual(
        expect.objectContaining({
          id: 'replica-link-down',
          severity: 'info',
          summary: expect.stringMatching(
            new RegExp(
              `^replica ${waiting} \\(\\w+\\) is waiting for its first sync from ${master.address} \\(master says state=wait_bgsave\\)$`,
            ),
          ),
        }),
      );
      expect(seen.map((f) => f.summary).join('\n')).not.toContain('-1 s');
      expect(seen.every((f) => f.severity === 'info')).toBe(true);
    }, 60_000);

    it('a real outage at 10:00 (slots 0-99 uncovered), healed at 10:30: one critical at once, one resolved', async () => {
      secrets.set(arn('outage-cache'), current());
      const observer = new ObserveOnChange();
      const owner = cluster.masters[0] as HarnessNode;
      const day = await playDay('outage-cache', 'off', [cluster.seeds[0] as string], observer, async (at) => {
        if (at === '10:00') {
          await faults.delSlots(0, 99);
          observer.changed();
        }
        if (at === '10:30') {
          await owner.process.command('CLUSTER', 'ADDSLOTSRANGE', 0, 99);
          await cluster.waitFor('every node has the slots back', async () => {
            for (const n of cluster.nodes.filter((x) => x.process.alive))
              if (!String(await n.process.command('CLUSTER', 'INFO')).includes('cluster_state:ok'))
                return false;
            return true;
          });
          observer.changed();
        }
      });
      const news = day.messages
        .map((m, i) => [day.at[i], m.kind, m.severity])
        .filter(([, kind]) => kind !== 'digest');
      expect(news).toEqual([
        ['10:00 frequent', 'finding', 'critical'],
        ['10:30 frequent', 'resolved', 'info'],
      ]);
      const row = record('real outage that heals', day, observer, '1 critical at once, 1 resolved');
      expect(row.critical).toBe(1);
      expect(row.resolved).toBe(1);
    }, 60_000);

    it('a persistent escalated problem in auto from 08:00: one email for the change, no run started', async () => {
      secrets.set(arn('escalated-cache'), current());
      const observer = new ObserveOnChange();
      const [a, b, c] = cluster.masters as [HarnessNode, HarnessNode, HarnessNode];
      const SLOT = 777;
      const invokes = () => aws.lambda.commandCalls(InvokeCommand).length;
      const invokedBefore = invokes();
      const day = await playDay(
        'escalated-cache',
        'auto',
        [cluster.seeds[0] as string],
        observer,
        async (at) => {
          if (at !== '08:00') return;
          // A half-moved slot that a third master imports too: two importers, not a known-safe sub-case.
          await loadKeys(cluster, 0, keysInSlot(SLOT, 20));
          await faults.openSlot(SLOT, a, b);
          await faults.migrateKeys(SLOT, a, b, 5);
          await c.process.command('CLUSTER', 'SETSLOT', SLOT, 'IMPORTING', a.id);
          observer.changed();
        },
      );
      const news = day.messages
        .map((m, i) => [day.at[i], m.kind, m.severity])
        .filter(([, kind]) => kind !== 'digest');
      expect(news).toEqual([['08:00 frequent', 'finding', 'warning']]);
      const first = day.messages.find((m) => m.kind === 'finding');
      expect(first?.email).toContain('[ESCALATED] stabilize-open-slot');
      expect(invokes()).toBe(invokedBefore);
      const row = record('persistent escalated problem, auto', day, observer, '1 email per change');
      expect(row.emails - day.messages.filter((m) => m.kind === 'digest').length).toBe(1);
    }, 60_000);
  });
});
