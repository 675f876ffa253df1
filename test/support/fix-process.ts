import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { sleep, type TestCluster } from '../../lib/harness';

/** The bundled CLI (`npm run build`): run as its own process so it can be SIGKILLed like a crashed run. */
export const BUNDLE = join(import.meta.dirname, '../../dist/cluster-doctor.js');

function fixProcess(seed: string): {
  child: ChildProcess;
  stderr: () => string;
  done: Promise<number | null>;
} {
  const child = spawn(process.execPath, [BUNDLE, 'fix', seed, '--yes', '--settle-ms', '200', '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (chunk) => {
    err += String(chunk);
  });
  child.stdout?.resume();
  const done = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stderr: () => err, done };
}

/**
 * Starts `fix --yes` as a process and SIGKILLs it as soon as `when` holds; returns whether it was
 * killed before it ended by itself.
 */
export async function killFixWhen(
  cluster: TestCluster,
  when: (stderr: string) => Promise<boolean>,
  seed = cluster.seeds[0] as string,
): Promise<boolean> {
  const run = fixProcess(seed);
  let ended = false;
  void run.done.then(() => {
    ended = true;
  });
  while (!ended) {
    if (await when(run.stderr())) {
      run.child.kill('SIGKILL');
      await run.done;
      return true;
    }
    await sleep(5);
  }
  return false;
}
