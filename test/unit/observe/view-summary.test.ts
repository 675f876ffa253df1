import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseViewSummary, writeClock } from '../../../lib/observe/view-summary';

const HASH = 'a'.repeat(40);

describe('parseViewSummary', () => {
  it('reads the hash, the own line, the clock in pairs (against its latest time) and the text when sent', () => {
    // Times 0, 1796585704852, 12, 1796585704000: the latest is written whole, each other as T - t + 1.
    expect(
      parseViewSummary([null, [HASH, 'own line', '@1796585704852 0 1 1796585704841 853', 'text']]),
    ).toEqual({
      hash: HASH,
      own: 'own line',
      pingSent: Float64Array.of(0, 12),
      pongRecv: Float64Array.of(1796585704852, 1796585704000),
      text: 'text',
    });
    expect(parseViewSummary([null, [HASH, '', '@0', '']])).toEqual({
      hash: HASH,
      own: '',
      pingSent: new Float64Array(0),
      pongRecv: new Float64Array(0),
    });
  });

  it('reads the reply as bytes (as the observation asks it) as it reads text', () => {
    const text = [HASH, 'own line', '@1796585704852 0 1 1796585704841 853', 'text'];
    expect(parseViewSummary([null, text.map((t) => Buffer.from(t))])).toEqual(parseViewSummary([null, text]));
    for (const clock of ['@5 0 1 2', '@5 0  1', '@5 0 1x', '@5 0 1 ', '@ 0 1', '@5 0 \u0131', '0 1', '-'])
      expect(parseViewSummary([null, [HASH, 'own', Buffer.from(clock), '']])).toBeUndefined();
  });

  it('reads back every clock the script writes, and only times that are whole and not negative', () => {
    const time = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 999_999_999_999_999 }));
    fc.assert(
      fc.property(fc.array(fc.tuple(time, time), { maxLength: 50 }), (pairs) => {
        const summary = parseViewSummary([null, [HASH, '', Buffer.from(writeClock(pairs.flat())), '']]);
        expect(summary?.pingSent).toEqual(Float64Array.from(pairs, ([p]) => p));
        expect(summary?.pongRecv).toEqual(Float64Array.from(pairs, ([, q]) => q));
      }),
    );
    // d past T + 1 would be a time before 0.
    expect(parseViewSummary([null, [HASH, '', '@5 0 7', '']])).toBeUndefined();
    expect(parseViewSummary([null, [HASH, '', '@5 0 6', '']])?.pongRecv).toEqual(Float64Array.of(0));
  });

  it('refuses anything else, so the node is asked its whole view instead', () => {
    for (const value of [
      null,
      'text',
      [HASH, 'own', '@1 0 1'],
      ['not a hash', 'own', '@1 0 1', ''],
      [HASH, 'own', '@1 0 1 2', ''],
      [HASH, 'own', '@1 0 -1', ''],
      [HASH, 'own', '@1 0  1', ''],
      [HASH, 'own', '@1 0 1x', ''],
      [HASH, 'own', '@1 0 1 ', ''],
      [HASH, 'own', '@1 0 \u0131', ''],
      [HASH, 'own', `@1 0 ${'9'.repeat(16)}`, ''],
      [HASH, 'own', `@${'9'.repeat(16)} 0 1`, ''],
      [HASH, 'own', '0 1', ''],
      [HASH, 'own', '-', ''],
      [HASH, 'own', '', ''],
      [HASH, 7, '@1 0 1', ''],
    ])
      expect(parseViewSummary([null, value])).toBeUndefined();
    expect(parseViewSummary([new Error('NOPERM'), null])).toBeUndefined();
  });
});
