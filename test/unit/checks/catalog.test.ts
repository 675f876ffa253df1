import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../../lib/checks/catalog';
import { buildReport, runChecks } from '../../../lib/checks/run';
import { buildSnapshot, healthySpec } from './build';

describe('the catalog', () => {
  it('lists each check once, in a file named by its id', () => {
    const ids = CHECKS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const check of CHECKS) {
      expect(check.id).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(existsSync(join(__dirname, '../../../lib/checks', `${check.id}.ts`))).toBe(true);
      expect(check.title.length).toBeGreaterThan(0);
    }
  });

  it('is quiet on a healthy snapshot, bar the one-host info', () => {
    const report = buildReport(buildSnapshot(healthySpec()));
    expect(report.findings.map((f) => [f.id, f.severity])).toEqual([['replica-colocated', 'info']]);
    expect(report.status).toBe('ok');
  });

  it('never crashes on a snapshot with no answers at all', () => {
    const findings = runChecks({
      version: 1,
      seeds: ['10.0.0.1:6379'],
      takenAt: new Date(0).toISOString(),
      durationMs: 1,
      deadlineHit: true,
      nodes: [{ address: '10.0.0.1:6379', reachable: false, error: { kind: 'timeout', message: 'slow' } }],
    });
    expect(findings.map((f) => f.id)).toEqual(['node-unreachable']);
  });
});
