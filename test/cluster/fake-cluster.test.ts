import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../lib/checks/run';
import { TestCluster } from '../../lib/harness';
import { FakeCluster } from '../../lib/harness/fake';
import { SURVEY } from '../../lib/observe/key-counts';
import { DETAIL_QUESTIONS, observeCluster } from '../../lib/observe/observe';
import { viewSummaryCommand } from '../../lib/observe/view-summary';
import { withNodeClient } from '../support/client';

/**
 * The fake cluster stands in for a real one where this machine cannot run the real thing (a thousand
 * nodes): its replies must have a real cluster's shape. A real 3×1 cluster and a fake 3×1 are asked
 * the same questions, the observation's and redis-cli's, on a master and on a replica.
 */

type Reply = { kind: 'error'; text: string } | { kind: 'value'; value: unknown };

function ask(address: string, commands: string[][]): Promise<Reply[]> {
  return withNodeClient(address, async (client) => {
    const replies: Reply[] = [];
    for (const [name, ...args] of commands) {
      try {
        replies.push({ kind: 'value', value: await client.call(name as string, ...args) });
      } catch (error) {
        replies.push({ kind: 'error', text: (error as Error).message });
      }
    }
    return replies;
  });
}

/** The observation's own questions (whatever they become), then redis-cli's and a few more. */
const QUESTIONS: string[][] = [
  ['CLUSTER', 'NODES'],
  ...DETAIL_QUESTIONS,
  SURVEY,
  viewSummaryCommand(''),
  ['DBSIZE'],
  ['CLUSTER', 'COUNTKEYSINSLOT', '42'],
  ['CLUSTER', 'MYID'],
  ['PING'],
  ['INFO'],
  ['NOSUCHCOMMAND', 'x'],
];

/** What must be alike: the kind of each reply, and the field names (in order) of every text reply. */
function shape(reply: Reply): unknown {
  if (reply.kind === 'error') return { error: reply.text.replace(/'[^']*'/g, "'...'").split(' ')[0] };
  const { value } = reply;
  if (Array.isArray(value)) return { array: value.map((v) => typeof v) };
  if (typeof value !== 'string') return typeof value;
  if (/^[0-9a-f]{40} /.test(value)) return { clusterNodes: nodesShape(value) };
  if (value.includes('\r\n'))
    return { fields: value.split('\r\n').map((l) => l.replace(/^(slave)\d+:.*/, '$1N').split(':')[0]) };
  return 'text';
}

/** Each line's fields, with values replaced by what they are, lines sorted (their order is a hash's). */
function nodesShape(text: string): unknown {
  const lines = text.trimEnd().split('\n');
  return {
    endsWithNewline: text.endsWith('\n'),
    lines: lines
      .map((line) => {
        const f = line.split(' ');
        return [
          /^[0-9a-f]{40}$/.test(f[0] ?? ''),
          /^127\.0\.0\.1:\d+@\d+$/.test(f[1] ?? ''),
          f[2],
          f[3] === '-' ? '-' : /^[0-9a-f]{40}$/.test(f[3] ?? ''),
          f[4] === '0' ? '0' : /^\d{13}$/.test(f[4] ?? ''),
          // Its own line's pong-recv is rounded to the second.
          (f[2] ?? '').includes('myself') ? (f[5] ?? '').endsWith('000') : /^\d{13}$/.test(f[5] ?? ''),
          /^\d+$/.test(f[6] ?? ''),
          f[7],
          f.slice(8).map((t) => (/^\d+(-\d+)?$/.test(t) ? 'range' : t)),
        ].join(' ');
      })
      .sort(),
  };
}

describe('the fake cluster answers like a real one', () => {
  let real: TestCluster;
  let fake: FakeCluster;
  beforeAll(async () => {
    [real, fake] = await Promise.all([
      TestCluster.start({ masters: 3, replicasPerMaster: 1 }),
      FakeCluster.start({ masters: 3, replicasPerMaster: 1 }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([real?.stop(), fake?.stop()]);
  });

  it('gives every question of the observation and of redis-cli the same shape of reply, master and replica', async () => {
    const realMaster = real.masters[0]?.address as string;
    const realReplica = real.nodes[3]?.address as string;
    const fakeMaster = fake.masters[0]?.address as string;
    const fakeReplica = fake.nodes[3]?.address as string;
    const [rm, rr, fm, fr] = await Promise.all(
      [realMaster, realReplica, fakeMaster, fakeReplica].map((a) => ask(a, QUESTIONS)),
    );
    expect((rm as Reply[]).map(shape)).toEqual((fm as Reply[]).map(shape));
    expect((rr as Reply[]).map(shape)).toEqual((fr as Reply[]).map(shape));
    // The survey: a master lists its own slot tokens; a replica stops at its role.
    const survey = (replies: Reply[] | undefined) => {
      const reply = replies?.[QUESTIONS.indexOf(SURVEY)];
      return reply?.kind === 'value' ? reply.value : reply;
    };
    expect(survey(fm)).toEqual(['master', '0-5460', 0, 0]);
    expect(survey(rm)).toEqual(['master', '0-5460', 0, 0]);
    expect(survey(fr)).toEqual(survey(rr));
  });

  it('lists every node in every view, replicas printing their master epoch, pongs differing by observer', async () => {
    const texts = await Promise.all(
      fake.nodes.map(async (n) => {
        const [reply] = await ask(n.address, [['CLUSTER', 'NODES']]);
        return reply?.kind === 'value' ? String(reply.value) : '';
      }),
    );
    for (const text of texts) {
      const lines = text.trimEnd().split('\n');
      expect(lines.map((l) => l.split(' ')[0]).sort()).toEqual(fake.nodes.map((n) => n.id).sort());
      for (const line of lines) {
        const f = line.split(' ');
        const master = fake.nodes.find((n) => n.id === f[3]);
        if (master) {
          const masterLine = lines.find((l) => l.startsWith(master.id)) ?? '';
          expect(f[6]).toBe(masterLine.split(' ')[6]);
        }
      }
    }
    const pongs = texts.map(
      (t) =>
        t
          .split('\n')
          .find((l) => l.startsWith(fake.nodes[5]?.id ?? '-'))
          ?.split(' ')[5],
    );
    expect(new Set(pongs).size).toBeGreaterThan(1);
  });

  it('is observed and checked as the real one is: every node reached, the same findings', async () => {
    const check = async (seed: string) => buildReport(await observeCluster([seed], { timeoutMs: 20_000 }));
    const realReport = await check(real.seeds[0] as string);
    const fakeReport = await check(fake.seeds[0] as string);
    expect(fakeReport.nodes.filter((n) => n.reachable)).toHaveLength(6);
    expect(fakeReport.nodes.map((n) => n.role).sort()).toEqual(realReport.nodes.map((n) => n.role).sort());
    expect(fakeReport.nodes.map((n) => n.server)).toEqual(realReport.nodes.map((n) => n.server));
    expect(fakeReport.findings.map((f) => f.id)).toEqual(realReport.findings.map((f) => f.id));
    expect(fakeReport.status).toBe(realReport.status);
  });
});
