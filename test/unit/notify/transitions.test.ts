import { describe, expect, it } from 'vitest';
import type { Finding, Report } from '../../../lib/checks/types';
import { diffReport } from '../../../lib/notify/decide';
import { renderChanges } from '../../../lib/notify/render';
import { ageTransitions } from '../../../lib/notify/transitions';
import { emptyState } from '../../../lib/state/types';

const firstSync: Finding = {
  id: 'replica-link-down',
  severity: 'info',
  summary: 'replica 127.0.0.1:7004 is waiting for its first sync from 127.0.0.1:7001',
  nodes: ['127.0.0.1:7004', '127.0.0.1:7001'],
  evidence: { transition: { state: 'first sync', boundSeconds: 120 } },
};
const at = (iso: string): Report => ({
  cluster: 'c',
  checkedAt: iso,
  durationMs: 5,
  nodes: [],
  findings: [firstSync],
  status: 'ok',
});

describe('ageTransitions', () => {
  it('info while within its bound across runs, one warning once past it, saying for how long', () => {
    const first = at('2026-12-01T10:00:00.000Z');
    const run1 = diffReport(ageTransitions(first, emptyState()), emptyState(), 'frequent');
    expect(renderChanges(first, run1)).toEqual([]);
    const soon = ageTransitions(at('2026-12-01T10:01:00.000Z'), run1.next);
    expect(soon.findings[0]?.severity).toBe('info');
    const late = ageTransitions(at('2026-12-01T10:05:00.000Z'), run1.next);
    expect(late.status).toBe('warning');
    expect(late.findings[0]?.severity).toBe('warning');
    expect(late.findings[0]?.summary).toContain('first sync for 300 s, past its 120 s bound');
    const run2 = diffReport(late, run1.next, 'frequent');
    expect(renderChanges(late, run2).map((m) => [m.kind, m.severity])).toEqual([['finding', 'warning']]);
  });

  it('the elapsed time the snapshot itself gives counts too', () => {
    const report = at('2026-12-01T10:00:00.000Z');
    const slow = {
      ...report,
      findings: [
        { ...firstSync, evidence: { transition: { state: 'x', boundSeconds: 10, elapsedSeconds: 11 } } },
      ],
    };
    expect(ageTransitions(slow, emptyState()).findings[0]?.severity).toBe('warning');
  });
});
