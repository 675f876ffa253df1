import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { snapshotFileText } from '../../lib/observe/snapshot-file';
import { buildSnapshot, buildSnapshotV1, healthySpec } from '../unit/checks/build';

const dir = mkdtempSync(join(tmpdir(), 'cluster-doctor-built-snapshot-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const built = (...args: string[]) =>
  spawnSync('node', ['bin/cluster-doctor.js', ...args], { encoding: 'utf8', cwd: process.cwd() });

describe('the built CLI reads snapshots through the lazily loaded schema', () => {
  it('the schema (and zod) live in their own file, out of the bundle `check` loads', () => {
    expect(readFileSync('dist/cluster-doctor.js', 'utf8')).not.toContain('ZodError');
    expect(readFileSync('dist/snapshot-schema.js', 'utf8')).toContain('ZodError');
  });

  it('a valid snapshot (version 2, and version 1) gives a report; a broken one one line and exit 64, never a stack trace', () => {
    const good = join(dir, 'good.json');
    for (const text of [
      snapshotFileText(buildSnapshot(healthySpec())),
      JSON.stringify(buildSnapshotV1(healthySpec())),
    ]) {
      writeFileSync(good, text);
      const ok = built('check', '--from-snapshot', good, '--json');
      expect(ok.status).toBe(0);
      expect(JSON.parse(ok.stdout).status).toBe('ok');
    }
    for (const text of ['{"version":1,"nodes":[{}]}', '[null]', '{"version":1,"nodes":[]}']) {
      const bad = join(dir, 'bad.json');
      writeFileSync(bad, text);
      const run = built('check', '--from-snapshot', bad);
      expect(run.status).toBe(64);
      expect(run.stdout).toBe('');
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  });
});
