import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseClusterNodes } from '../../../lib/topology';
import { LineTable, type NodesView } from '../../../lib/topology/node-lines';
import type { ClusterNodeLine } from '../../../lib/topology/types';

/*
 * The shared-line parser must say exactly what parseClusterNodes says, with the observer's clock moved
 * beside the lines: on recorded output, and on views made of recorded lines with their times changed,
 * tokens garbled and whitespace bent, many views through one table (so lines are shared).
 */
const fixtureDir = join(__dirname, '../../fixtures/cluster-nodes');
const fixtures = readdirSync(fixtureDir)
  .filter((name) => name.endsWith('.txt'))
  .map((name) => readFileSync(join(fixtureDir, name), 'utf8'));
const fixtureLines = fixtures.flatMap((text) => text.split(/\r?\n/).filter((l) => l.trim() !== ''));

/** What parseClusterNodes says, in the shape of a view. */
function reference(text: string) {
  const { entries, problems } = parseClusterNodes(text);
  return {
    lines: entries.map(({ pingSent: _p, pongRecv: _r, ...line }) => line),
    times: { pingSent: entries.map((e) => e.pingSent), pongRecv: entries.map((e) => e.pongRecv) },
    problems,
  };
}

const plain = (view: NodesView | ClusterNodeLine | undefined) => JSON.parse(JSON.stringify(view ?? null));

describe('LineTable', () => {
  it('parses every recorded output as parseClusterNodes does', () => {
    const table = new LineTable();
    for (const text of fixtures) expect(plain(table.parse(text))).toEqual(reference(text));
  });

  it('parses a single line (an own line) as it parses a view of that line, unshared and frozen', () => {
    const garbled = fc.tuple(fc.constantFrom(...fixtureLines), fc.nat(), fc.string({ maxLength: 6 }));
    fc.assert(
      fc.property(garbled, ([line, at, insert]) => {
        const text = `${line.slice(0, at % (line.length + 1))}${insert}${line.slice(at % (line.length + 1))}`;
        const view = reference(text);
        const single = new LineTable().single(text);
        if (view.lines.length === 1 && view.problems.length === 0) {
          expect(plain(single.line)).toEqual(view.lines[0]);
          expect(single.problems).toEqual([]);
          expect(Object.isFrozen(single.line) && Object.isFrozen(single.line?.slots)).toBe(true);
        } else expect(single.problems.length > 0 || single.line === undefined).toBe(true);
      }),
      { numRuns: 500 },
    );
    expect(new LineTable().single(`${fixtureLines[0]}\n${fixtureLines[1]}`).line).toBeUndefined();
  });

  it('shares a line between views that print it alike but for the clock, and freezes it', () => {
    const text = fixtures.find((t) => t.includes('myself,master')) as string;
    const later = text.replace(/ (\d+) (\d+) (\d+) (connected|disconnected)/g, (_, ping, pong, epoch, link) =>
      [
        ' ',
        ping === '0' ? '0' : String(Number(ping) + 7),
        ' ',
        String(Number(pong) + 1234),
        ' ',
        epoch,
        ' ',
        link,
      ].join(''),
    );
    const table = new LineTable();
    const a = table.parse(text);
    const b = table.parse(later);
    expect(b.lines).toHaveLength(a.lines.length);
    b.lines.forEach((line, i) => {
      expect(line).toBe(a.lines[i]);
    });
    expect(b.times.pongRecv).toEqual(a.times.pongRecv.map((t) => t + 1234));
    expect(table.size).toBe(a.lines.length);
    const slots = a.lines.find((l) => l.slots.length > 0)?.slots as number[][];
    expect(() => {
      slots.push([1, 2]);
    }).toThrow();
  });

  const time = fc.oneof(
    fc.constant('0'),
    fc.integer({ min: 1, max: 2e12 }).map(String),
    fc.constantFrom('9'.repeat(16), '-1', 'x'),
  );
  const bend = fc.constantFrom('', '\r', ' ', '\t', '  ');
  const garble = fc.record({
    at: fc.nat(),
    text: fc.constantFrom('', 'x', '1-', '[5->-', ' ', '\t', '16384'),
  });
  const line = fc
    .tuple(fc.constantFrom(...fixtureLines), time, time, bend, fc.option(garble, { nil: undefined }))
    .map(([raw, ping, pong, end, g]) => {
      const fields = raw.trim().split(' ');
      fields[4] = ping;
      fields[5] = pong;
      if (g) fields[g.at % fields.length] = g.text;
      return fields.join(' ') + end;
    });

  it('agrees with parseClusterNodes on views of bent and garbled recorded lines, many views per table', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(line, { maxLength: 10 }), { maxLength: 6 }),
        fc.constantFrom('\n', '\r\n'),
        (views, eol) => {
          const table = new LineTable();
          for (const lines of views) {
            const text = lines.join(eol);
            expect(plain(table.parse(text))).toEqual(reference(text));
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
