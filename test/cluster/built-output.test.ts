import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { snapshotFileText } from '../../lib/observe/snapshot-file';
import { buildSnapshot, healthySpec } from '../unit/checks/build';

const dir = mkdtempSync(join(tmpdir(), 'cluster-doctor-built-output-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Preloaded into the built CLI: writes the Node modules it loaded beyond its own start to a file at exit. */
const recorder = join(dir, 'record-modules.js');
writeFileSync(
  recorder,
  `const before = new Set(process.moduleLoadList);
process.on('exit', () => require('fs').writeFileSync(process.env.MODULES_OUT,
  process.moduleLoadList.filter((m) => !before.has(m)).join('\\n')));`,
);

describe('the built CLI writes its answers without building the output streams', () => {
  it('`--help` on a pipe loads neither child_process, net, the streams nor tty', () => {
    const out = join(dir, 'help-modules.txt');
    const run = spawnSync('node', ['-r', recorder, 'bin/cluster-doctor.js', '--help'], {
      encoding: 'utf8',
      env: { ...process.env, MODULES_OUT: out },
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Usage: cluster-doctor');
    expect(run.stdout).toContain('check [options] [seeds...]');
    const loaded = readFileSync(out, 'utf8').split('\n');
    for (const name of ['child_process', 'net', 'stream', 'tty'])
      expect(loaded).not.toContain(`NativeModule ${name}`);
  });

  it('a usage error still reaches stderr, one line, exit 64', () => {
    const run = spawnSync('node', ['bin/cluster-doctor.js', 'check', '--no-such-flag'], { encoding: 'utf8' });
    expect(run.status).toBe(64);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^error: unknown option '--no-such-flag'\n$/);
  });

  it('a reader that leaves early (`| true`) ends the output quietly; the exit status still tells the outcome', () => {
    const good = join(dir, 'good.json');
    writeFileSync(good, snapshotFileText(buildSnapshot(healthySpec())));
    // `true` exits without reading, long before Node has started: the write meets a closed pipe (EPIPE).
    const run = spawnSync(
      'bash',
      [
        '-c',
        `node bin/cluster-doctor.js check --from-snapshot '${good}' --json | true; echo "\${PIPESTATUS[0]}"`,
      ],
      { encoding: 'utf8' },
    );
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('0');
  });
});
