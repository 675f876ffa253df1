import { appendFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every redis-server the harness starts is written down here (one file per owning process), so a
 * test runner that dies or times out still has its servers reaped by `reapAll` at global teardown.
 */
const registryDir = (): string | undefined => process.env.CLUSTER_DOCTOR_PID_DIR;

export function recordPid(pid: number, dir: string): void {
  const root = registryDir();
  if (!root) return;
  mkdirSync(root, { recursive: true });
  appendFileSync(join(root, `${process.pid}.pids`), `${pid} ${dir}\n`);
}

/** Kills every recorded process still alive and removes its directory. Returns how many were alive. */
export function reapAll(root: string): number {
  let alive = 0;
  let files: string[] = [];
  try {
    files = readdirSync(root);
  } catch {
    return 0;
  }
  for (const file of files) {
    for (const line of readFileSync(join(root, file), 'utf8').split('\n')) {
      const [pidText, dir] = line.split(' ');
      const pid = Number(pidText);
      if (!pid) continue;
      try {
        process.kill(pid, 'SIGCONT');
        process.kill(pid, 'SIGKILL');
        alive++;
      } catch {
        // already gone: the normal case
      }
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  }
  rmSync(root, { recursive: true, force: true });
  return alive;
}
