import { describe, expect, it } from 'vitest';
import { parseViewSummary } from '../../../lib/observe/view-summary';

const HASH = 'a'.repeat(40);

describe('parseViewSummary', () => {
  it('reads the hash, the own line, the clock in pairs and the text when sent', () => {
    expect(parseViewSummary([null, [HASH, 'own line', '0 1796585704852 12 1796585704000', 'text']])).toEqual({
      hash: HASH,
      own: 'own line',
      pingSent: Float64Array.of(0, 12),
      pongRecv: Float64Array.of(1796585704852, 1796585704000),
      text: 'text',
    });
    expect(parseViewSummary([null, [HASH, '', '', '']])).toEqual({
      hash: HASH,
      own: '',
      pingSent: new Float64Array(0),
      pongRecv: new Float64Array(0),
    });
  });

  it('reads the reply as bytes (as the observation asks it) as it reads text', () => {
    const text = [HASH, 'own line', '0 1796585704852 12 1796585704000', 'text'];
    expect(parseViewSummary([null, text.map((t) => Buffer.from(t))])).toEqual(parseViewSummary([null, text]));
    for (const clock of ['0 1 2', '0  1', '0 1x', '0 1 ', ' 0 1', `0 ${'9'.repeat(16)}`, '0 \u0131'])
      expect(parseViewSummary([null, [HASH, 'own', Buffer.from(clock), '']])).toBeUndefined();
  });

  it('refuses anything else, so the node is asked its whole view instead', () => {
    for (const value of [
      null,
      'text',
      [HASH, 'own', '0 1'],
      ['not a hash', 'own', '0 1', ''],
      [HASH, 'own', '0 1 2', ''],
      [HASH, 'own', '0 -1', ''],
      [HASH, 'own', '0  1', ''],
      [HASH, 'own', '0 1x', ''],
      [HASH, 'own', '0 1 ', ''],
      [HASH, 'own', '0 \u0131', ''],
      [HASH, 'own', `0 ${'9'.repeat(16)}`, ''],
      [HASH, 7, '0 1', ''],
    ])
      expect(parseViewSummary([null, value])).toBeUndefined();
    expect(parseViewSummary([new Error('NOPERM'), null])).toBeUndefined();
  });
});
