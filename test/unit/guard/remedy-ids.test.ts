import { describe, expect, it } from 'vitest';
import { REMEDIES } from '../../../lib/remedies/catalog';
import { isRemedyId, REMEDY_IDS } from '../../../lib/remedies/ids';

describe('remedy ids: one list', () => {
  it('the catalog holds exactly the remedies of REMEDY_IDS, once each', () => {
    expect(REMEDIES.map((r) => r.id).sort()).toEqual([...REMEDY_IDS].sort());
  });

  it('isRemedyId knows the list and nothing else', () => {
    expect(REMEDY_IDS.every(isRemedyId)).toBe(true);
    expect(isRemedyId('reshard-everything')).toBe(false);
  });
});
