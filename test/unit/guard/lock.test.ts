import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileLock } from '../../../lib/guard/lock';

let dir: string;
let path: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cluster-doctor-lock-test-'));
  path = join(dir, 'fix.lock');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const record = (over: Partial<{ pid: number; host: string; expiresAt: number }>) =>
  JSON.stringify({ pid: process.pid, host: hostname(), expiresAt: Date.now() + 60_000, ...over });

/** A pid that belonged to a process on this host that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  if (child.pid === undefined) throw new Error('could not start a child process');
  return child.pid;
}

describe('FileLock', () => {
  it('the first acquire wins; a second run on the same path is refused and told who holds it', async () => {
    const first = new FileLock(path);
    const second = new FileLock(path);
    expect(await first.acquire()).toBe(true);
    expect(await second.acquire()).toBe(false);
    expect(await second.holder()).toMatch(new RegExp(`^pid ${process.pid} on ${hostname()} until \\d{4}-`));
  });

  it('the same lock acquired twice: the second call is refused too', async () => {
    const lock = new FileLock(path);
    expect(await lock.acquire()).toBe(true);
    expect(await lock.acquire()).toBe(false);
  });

  it('after release another run acquires it', async () => {
    const first = new FileLock(path);
    expect(await first.acquire()).toBe(true);
    await first.release();
    expect(existsSync(path)).toBe(false);
    expect(await new FileLock(path).acquire()).toBe(true);
  });

  it('a run that was refused cannot release the holder’s lock', async () => {
    const holder = new FileLock(path);
    const refused = new FileLock(path);
    expect(await holder.acquire()).toBe(true);
    expect(await refused.acquire()).toBe(false);
    await refused.release();
    expect(await new FileLock(path).acquire()).toBe(false);
  });

  it('no holder when nobody holds it', async () => {
    expect(await new FileLock(path).holder()).toBeUndefined();
  });

  it('a lock whose lease expired is taken over', async () => {
    writeFileSync(path, record({ expiresAt: Date.now() - 1 }));
    const before = Date.now();
    expect(await new FileLock(path, 60_000).acquire()).toBe(true);
    const taken = JSON.parse(readFileSync(path, 'utf8'));
    expect(taken.pid).toBe(process.pid);
    expect(taken.expiresAt).toBeGreaterThanOrEqual(before + 60_000);
  });

  it('a lock of a process that is gone (same host) is taken over before its lease ends', async () => {
    writeFileSync(path, record({ pid: deadPid() }));
    expect(await new FileLock(path).acquire()).toBe(true);
  });

  it('a live lease held on another host is respected', async () => {
    writeFileSync(path, record({ pid: deadPid(), host: `not-${hostname()}` }));
    expect(await new FileLock(path).acquire()).toBe(false);
  });

  it('an expired lease held on another host is taken over', async () => {
    writeFileSync(path, record({ host: `not-${hostname()}`, expiresAt: Date.now() - 1 }));
    expect(await new FileLock(path).acquire()).toBe(true);
  });

  it('a run whose lease expired and was taken over does not release the new holder’s lock', async () => {
    const slow = new FileLock(path, -1_000); // its lease is already over when written
    const next = new FileLock(path);
    expect(await slow.acquire()).toBe(true);
    expect(await next.acquire()).toBe(true);
    await slow.release();
    expect(await new FileLock(path).acquire()).toBe(false);
    await next.release();
    expect(await new FileLock(path).acquire()).toBe(true);
  });

  it('a lock file not written yet (another run between create and write) is not taken over', async () => {
    writeFileSync(path, '');
    expect(await new FileLock(path).acquire()).toBe(false);
    expect(readFileSync(path, 'utf8')).toBe('');
  });

  it('an unreadable lock file older than the lease is taken over', async () => {
    writeFileSync(path, 'not json');
    const old = new Date(Date.now() - 120_000);
    utimesSync(path, old, old);
    expect(await new FileLock(path, 60_000).acquire()).toBe(true);
    expect(JSON.parse(readFileSync(path, 'utf8')).pid).toBe(process.pid);
  });
});
