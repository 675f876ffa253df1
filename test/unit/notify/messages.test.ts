import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Finding, Report } from '../../../lib/checks/types';
import { diffReport } from '../../../lib/notify/decide';
import { renderChanges, renderRemediation } from '../../../lib/notify/render';
import { asciiSubject, gsmSafe } from '../../../lib/notify/sms';
import { SNS_BODIES_LIMIT, toPublishInput } from '../../../lib/notify/sns-sink';
import type { OutboundMessage } from '../../../lib/notify/types';
import { emptyState } from '../../../lib/state/types';
import { actionResult } from '../../support/action-result';

const finding = (id: string, severity: Finding['severity'], slots?: [number, number][]): Finding => ({
  id,
  severity,
  summary: `${id} summary with “curly” quotes and ünïcode — ${slots ? slots[0]?.[0] : ''}`,
  slots,
  nodes: ['10.0.0.1:6379'],
  evidence: {},
});

const report = (
  findings: Finding[],
  status: Report['status'] = findings.length ? 'critical' : 'ok',
): Report => ({
  cluster: 'prod-cache',
  checkedAt: '2026-11-24T03:00:00.000Z',
  durationMs: 120,
  nodes: [
    {
      address: '10.0.0.1:6379',
      reachable: status !== 'unknown',
      ...(status === 'unknown' ? { error: 'auth: authentication failed' } : {}),
    },
  ],
  findings,
  status,
});

describe('diffReport + renderChanges', () => {
  const broken = report([
    finding('slots-uncovered', 'critical', [[0, 99]]),
    finding('slot-open', 'warning', [[300, 300]]),
  ]);

  it('first run: one critical finding message; second identical run: nothing new', () => {
    const first = diffReport(broken, emptyState(), 'frequent');
    const messages = renderChanges(broken, first);
    expect(messages.map((m) => [m.kind, m.severity])).toEqual([['finding', 'critical']]);
    const second = diffReport(broken, first.next, 'frequent');
    expect(renderChanges(broken, second)).toEqual([]);
  });

  it('escalation of a known finding is sent again; a repair sends resolved', () => {
    const first = diffReport(broken, emptyState(), 'frequent').next;
    const worse = report([
      finding('slots-uncovered', 'critical', [[0, 99]]),
      finding('slot-open', 'critical', [[300, 300]]),
    ]);
    const escalated = diffReport(worse, first, 'frequent');
    expect(escalated.escalated.map((f) => f.id)).toEqual(['slot-open']);
    const healthy = report([]);
    const resolved = renderChanges(healthy, diffReport(healthy, escalated.next, 'frequent'));
    expect(resolved.map((m) => m.kind)).toEqual(['resolved']);
    expect(resolved[0]?.email).toContain('slots-uncovered summary');
  });

  it('a nightly run always sends a digest, also when all is clear', () => {
    const healthy = report([]);
    const messages = renderChanges(healthy, diffReport(healthy, emptyState(), 'nightly'));
    expect(messages.map((m) => m.kind)).toEqual(['digest']);
    expect(messages[0]?.subject).toMatch(/all clear/);
  });

  it('a blind run sends one checker-error, resolves nothing, and keeps what was open', () => {
    const first = diffReport(broken, emptyState(), 'frequent').next;
    const blind = report([], 'unknown');
    const changes = diffReport(blind, first, 'frequent');
    expect(renderChanges(blind, changes).map((m) => m.kind)).toEqual(['checker-error']);
    expect(Object.keys(changes.next.open)).toHaveLength(2);
    expect(renderChanges(blind, diffReport(blind, changes.next, 'frequent'))).toEqual([]);
    // Sight returns: one resolved message, the open problems as they are now.
    const back = renderChanges(broken, diffReport(broken, changes.next, 'frequent'));
    expect(back.map((m) => [m.kind, m.severity, m.subject])).toEqual([
      ['resolved', 'info', 'cluster-doctor INFO prod-cache: can observe the cluster again'],
    ]);
  });

  it('info findings are remembered but never sent on their own', () => {
    const info = report([finding('replica-colocated', 'info')], 'ok');
    expect(renderChanges(info, diffReport(info, emptyState(), 'frequent'))).toEqual([]);
  });

  it('SMS bodies are GSM-7 and at most 140 characters; subjects ASCII and at most 100', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.string({ minLength: 1, maxLength: 60 }),
            fc.constantFrom('critical', 'warning') as fc.Arbitrary<'critical' | 'warning'>,
          ),
          { minLength: 1, maxLength: 5 },
        ),
        (specs) => {
          const r = report(
            specs.map(([id, sev], i) => ({
              ...finding(`${id}-${i}`, sev, [[i, i + 5000]]),
              summary: id.repeat(10),
            })),
          );
          for (const m of renderChanges(r, diffReport(r, emptyState(), 'nightly'))) {
            expect(m.sms.length).toBeLessThanOrEqual(140);
            expect(gsmSafe(m.sms)).toBe(m.sms);
            expect(m.subject.length).toBeLessThanOrEqual(100);
            expect(m.subject).toMatch(/^[\x20-\x7e]*$/);
            expect(JSON.parse(m.json).cluster).toBe('prod-cache');
          }
        },
      ),
    );
  });
});

describe('gsmSafe / asciiSubject', () => {
  it('replaces characters outside the GSM basic set and cuts with an ellipsis', () => {
    expect(gsmSafe('CRIT “x” – é')).toBe('CRIT ?x? ? é');
    expect(gsmSafe('a'.repeat(200))).toHaveLength(140);
    expect(asciiSubject('é'.repeat(120))).toHaveLength(100);
  });
});

describe('messages SNS can take (at most 256 KiB: "Invalid parameter: Message too long")', () => {
  const topic = 'arn:aws:sns:eu-west-3:123456789012:alerts';

  it('a long key move is audited with its first and last commands and their count', () => {
    // 20 000 keys in batches of 10 on a busy source: 2 000 MIGRATEs, then SETSLOT NODE on 3 masters.
    const commands = [
      ...Array.from({ length: 2000 }, () => '10.0.0.1:6379 MIGRATE 10.0.0.2 6379 "" 0 10000 KEYS <10 keys>'),
      ...['10.0.0.2:6379', '10.0.0.1:6379', '10.0.0.3:6379'].map((a) => `${a} CLUSTER SETSLOT 4321 NODE abc`),
    ];
    const action = actionResult({
      status: 'failed',
      reason: 'keys lost: 20000 before, 19000 after',
      commands,
    });
    const message = renderRemediation('prod-cache', action, report([]));
    const json = JSON.parse(message.json) as { action: { commands: string[]; commandCount: number } };
    expect(json.action.commandCount).toBe(2003);
    expect(json.action.commands).toHaveLength(51);
    expect(json.action.commands[40]).toBe('... 1953 more command(s) ...');
    expect(json.action.commands.at(-1)).toBe('10.0.0.3:6379 CLUSTER SETSLOT 4321 NODE abc');
    expect(message.email).toContain('Commands (2003):');
    expect(message.email).toContain('  ... 1953 more command(s) ...');
    expect(Buffer.byteLength(toPublishInput(topic, message).Message)).toBeLessThan(30_000);
  });

  it('anything still too big is cut to fit: the subject, the start of the email and a note of the cut', () => {
    const line = 'a finding with "quotes", a tab\t and ünïcode — over and over\n';
    const big: OutboundMessage = {
      kind: 'finding',
      cluster: 'prod-cache',
      severity: 'critical',
      subject: 'cluster-doctor CRIT prod-cache: slots uncovered',
      email: `FIRST LINE\n${line.repeat(12_000)}`,
      sms: 'CRIT prod-cache: slots-uncovered slots 0-99',
      json: JSON.stringify({ kind: 'finding', lines: Array.from({ length: 8000 }, () => line) }),
    };
    const input = toPublishInput(topic, big);
    expect(Buffer.byteLength(input.Message)).toBeLessThanOrEqual(SNS_BODIES_LIMIT);
    expect(input.Subject).toBe(big.subject);
    expect(input.MessageAttributes.severity.StringValue).toBe('critical');
    const bodies = JSON.parse(input.Message) as { default: string; email: string; sms: string };
    expect(bodies.sms).toBe(big.sms);
    expect(bodies.email.startsWith('FIRST LINE\n')).toBe(true);
    expect(bodies.email).toMatch(/\[cut: the message was \d+ bytes, over SNS's 256 KiB; .*\]$/);
    expect(JSON.parse(bodies.default)).toMatchObject({
      kind: 'finding',
      cluster: 'prod-cache',
      severity: 'critical',
    });
    // A message that fits goes as it is.
    const small = { ...big, email: 'short', json: '{}' };
    expect(JSON.parse(toPublishInput(topic, small).Message)).toEqual({
      default: '{}',
      email: 'short',
      sms: big.sms,
    });
  });
});
