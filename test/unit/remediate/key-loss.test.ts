import { describe, expect, it } from 'vitest';
import { expiredBetween } from '../../../lib/remediate/expiries';
import { KeyLedger, keysLost, unexplainedKeyLoss } from '../../../lib/remediate/verify';
import { actionResult as action } from '../../support/action-result';

describe('the key ledger of an action', () => {
  it('a fall by keys that expired meanwhile is not a loss; anything beyond it is', () => {
    const before = { '300': 10 };
    expect(unexplainedKeyLoss({ keysBefore: before, keysAfter: { '300': 5 }, keysExpired: 5 })).toBe(0);
    expect(unexplainedKeyLoss({ keysBefore: before, keysAfter: { '300': 5 }, keysExpired: 9 })).toBe(0);
    expect(unexplainedKeyLoss({ keysBefore: before, keysAfter: { '300': 5 }, keysExpired: 3 })).toBe(2);
    expect(unexplainedKeyLoss({ keysBefore: before, keysAfter: { '300': 5 } })).toBe(5);
    expect(unexplainedKeyLoss({ keysBefore: before, keysAfter: { '300': 12 } })).toBe(0);
    expect(unexplainedKeyLoss({ keysBefore: before })).toBe(0);
  });

  it('a keys-lost finding only for what is unexplained, naming what expired', () => {
    const ledger = new KeyLedger();
    ledger.record(action({ keysBefore: { '300': 10 }, keysAfter: { '300': 5 }, keysExpired: 5 }));
    expect(ledger.findings()).toEqual([]);
    const lost = action({ keysBefore: { '300': 10 }, keysAfter: { '300': 5 }, keysExpired: 2 });
    expect(keysLost(lost)).toBe(true);
    ledger.record(lost);
    const [finding] = ledger.findings();
    expect(finding?.severity).toBe('critical');
    expect(finding?.summary).toBe(
      'stabilize-open-slot on stabilize-open-slot:300: key count of the touched slots fell from 10 to 5, of which at most 2 expired',
    );
    expect(finding?.evidence.keysExpired).toBe(2);
  });

  it('counters are summed over the nodes read both times; one that went back (a restart) counts nothing', () => {
    const before = new Map([
      ['a', 100],
      ['b', 40],
      ['c', 7],
    ]);
    const after = new Map([
      ['a', 103],
      ['b', 2],
    ]);
    expect(expiredBetween(before, after)).toBe(3);
  });
});
