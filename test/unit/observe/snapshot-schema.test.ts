import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../../lib/checks/run';
import { runbookMigrateAuth } from '../../../lib/model/runbook-auth';
import { snapshotFileText } from '../../../lib/observe/snapshot-file';
import { parseSnapshot } from '../../../lib/observe/snapshot-schema';
import { buildSnapshot, buildSnapshotV1, healthySpec, nodeId } from '../checks/build';

/** A version-1 snapshot as files written before version 2 hold it: whole entries, the raw text. */
const valid = buildSnapshotV1(healthySpec());

describe('snapshot schema', () => {
  it('accepts a version-1 file unchanged', () => {
    const result = parseSnapshot(JSON.parse(JSON.stringify(valid)));
    expect(result).toEqual({ ok: true, snapshot: valid });
  });

  it('reads back what --snapshot-out writes (version 2): the same snapshot, lines shared across views', () => {
    const observed = buildSnapshot(healthySpec());
    const result = parseSnapshot(JSON.parse(snapshotFileText(observed)));
    expect(result).toEqual({ ok: true, snapshot: observed });
    if (!result.ok) return;
    const lineOf = (i: number) => result.snapshot.nodes[i]?.clusterNodes?.find((l) => l.id === nodeId('c'));
    expect(lineOf(0)).toBe(lineOf(1));
    expect(Object.isFrozen(lineOf(0))).toBe(true);
  });

  it('a version-1 file, written again as version 2 and read back, gives the same report', () => {
    const rewritten = parseSnapshot(JSON.parse(snapshotFileText(valid)));
    expect(rewritten.ok).toBe(true);
    if (!rewritten.ok) return;
    expect(rewritten.snapshot.version).toBe(2);
    expect(buildReport(rewritten.snapshot)).toEqual(buildReport(valid));
  });

  it('names the first problem and counts the rest, in one line', () => {
    const result = parseSnapshot({ version: 1, nodes: [{}] });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problem).toMatch(/^seeds: .* \(and \d+ more problems\)$/);
      expect(result.problem).not.toContain('\n');
    }
  });

  it('refuses impossible slots, empty node lists and unknown error kinds', () => {
    const node = valid.nodes[0];
    const entry = node?.clusterNodes?.[0];
    const broken = [
      { ...valid, nodes: [] },
      { ...valid, nodes: [{ ...node, clusterNodes: [{ ...entry, slots: [[0, 16384]] }] }] },
      { ...valid, nodes: [{ ...node, clusterNodes: [{ ...entry, slots: [[5, 1]] }] }] },
      { ...valid, nodes: [{ ...node, error: { kind: 'meltdown', message: 'x' } }] },
      { ...valid, nodes: [{ ...node, slotKeyCounts: { 1: -1 } }] },
    ];
    for (const snapshot of broken) expect(parseSnapshot(snapshot).ok).toBe(false);
  });

  it('property: any JSON value, or a valid snapshot with one field replaced, parses or is refused, never throws', () => {
    const paths = (value: unknown, prefix: (string | number)[] = []): (string | number)[][] =>
      value && typeof value === 'object'
        ? Object.entries(value).flatMap(([k, v]) => {
            const key = Array.isArray(value) ? Number(k) : k;
            return [[...prefix, key], ...(prefix.length < 4 ? paths(v, [...prefix, key]) : [])];
          })
        : [];
    const all = paths(valid);
    const replaceAt = (path: (string | number)[], replacement: unknown) => {
      const copy = structuredClone(valid) as unknown as Record<string | number, unknown>;
      let at: Record<string | number, unknown> = copy;
      for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
      at[path[path.length - 1] as string | number] = replacement;
      return copy;
    };
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue(),
          fc.tuple(fc.constantFrom(...all), fc.jsonValue()).map(([path, v]) => replaceAt(path, v)),
        ),
        (value) => {
          const result = parseSnapshot(value);
          if (!result.ok) expect(result.problem).not.toContain('\n');
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('runbook MIGRATE auth', () => {
  it('adds AUTH or AUTH2 with "$REDISCLI_AUTH" only when the checker used a password', () => {
    expect(runbookMigrateAuth({})).toEqual([]);
    expect(runbookMigrateAuth({ auth: {} })).toEqual(['AUTH', '"$REDISCLI_AUTH"']);
    expect(runbookMigrateAuth({ auth: { user: 'ops' } })).toEqual(['AUTH2', 'ops', '"$REDISCLI_AUTH"']);
  });
});
