import calculate = require('cluster-key-slot');

/** The hash slot of a key (CRC16 of the hash tag or key, mod 16384). */
export function keySlot(key: string): number {
  return calculate(key);
}

let tagsBySlot: string[] | undefined;

/** A hash tag whose keys all hash to `slot`, e.g. `{t1234}`. Built once, in about 50 ms. */
export function tagForSlot(slot: number): string {
  if (!tagsBySlot) {
    const table: string[] = new Array(16384);
    let found = 0;
    for (let i = 0; found < 16384; i++) {
      const tag = `t${i}`;
      const s = calculate(tag);
      if (table[s] === undefined) {
        table[s] = `{${tag}}`;
        found++;
      }
    }
    tagsBySlot = table;
  }
  const tag = tagsBySlot[slot];
  if (tag === undefined) throw new RangeError(`slot ${slot} is outside 0..16383`);
  return tag;
}
