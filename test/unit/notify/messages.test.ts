import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Finding, Report } from '../../../lib/checks/types';
import { diffReport } from '../../../lib/notify/decide';
import { renderChanges } from '../../../lib/notify/render';
import { asciiSubject, gsmSafe } from '../../../lib/notify/sms';
import { emptyState } from '../../../lib/state/types';

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
