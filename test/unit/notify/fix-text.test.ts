import { describe, expect, it } from 'vitest';
import { renderFixText } from '../../../lib/notify/fix-text';
import type { ActionResult, FixResult } from '../../../lib/remediate/fix';
import { actionResult as action } from '../../support/action-result';

const result = (actions: ActionResult[]): FixResult => ({
  plan: { mode: 'auto', settleMs: 5000, entries: [] },
  actions,
  after: {
    cluster: 'prod-cache',
    checkedAt: '2026-11-24T03:00:00.000Z',
    durationMs: 80,
    nodes: [{ address: '10.0.0.1:6379', reachable: true }],
    findings: [],
    status: 'ok',
  },
});

describe('renderFixText', () => {
  it('says what was sent, the key ledger, and what was refused with its runbook', () => {
    const text = renderFixText(
      result([
        action({
          commands: [
            '10.0.0.1:6379 MIGRATE 10.0.0.2 6379 "" 0 10000 KEYS <100 keys>',
            '10.0.0.2:6379 CLUSTER SETSLOT 300 NODE abc',
          ],
          keysBefore: { '300': 140 },
          keysAfter: { '300': 140 },
          keysMoved: 100,
        }),
        action({
          remedy: 'forget-ghost-node',
          key: 'forget-ghost-node:dead',
          subCase: 'escalate',
          slots: [],
          nodes: ['10.0.0.1:6379'],
          status: 'refused',
          guard: 'known-safe',
          reason: 'silent for 30 s only (threshold 600 s)',
          runbook: ['redis-cli -h 10.0.0.1 -p 6379 CLUSTER FORGET dead'],
        }),
      ]),
    );
    expect(text).toContain('remediation plan (mode auto, settle 5000 ms): 2 candidate action(s)');
    expect(text).toContain('[APPLIED] stabilize-open-slot complete slots 300');
    expect(text).toContain(
      '      sent:\n        10.0.0.1:6379 MIGRATE 10.0.0.2 6379 "" 0 10000 KEYS <100 keys>',
    );
    expect(text).toContain('keys (slot: before -> after): 300: 140 -> 140; 100 moved');
    expect(text).toContain('[REFUSED] forget-ghost-node escalate nodes 10.0.0.1:6379');
    expect(text).toContain('guard known-safe: silent for 30 s only (threshold 600 s)');
    expect(text).toContain('      runbook:\n        redis-cli -h 10.0.0.1 -p 6379 CLUSTER FORGET dead');
    expect(text).toMatch(/after:\ncluster prod-cache: OK/);
  });

  it('a dry run marks what would apply, and says so when there is nothing to repair', () => {
    const dry = renderFixText(result([action({ status: 'skipped', guard: 'mode', reason: 'dry-run' })]));
    expect(dry).toContain('[WOULD APPLY] stabilize-open-slot complete slots 300');
    expect(renderFixText(result([]))).toContain('0 candidate action(s)\n  nothing to repair');
  });
});
