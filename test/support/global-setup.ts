import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reapAll } from '../../lib/harness/registry';

/**
 * Gives every test worker one place to write down the PIDs of the redis-servers it starts, and kills
 * whatever is still alive there when the run ends (a test that timed out, a worker that crashed).
 */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'cluster-doctor-pids-'));
  process.env.CLUSTER_DOCTOR_PID_DIR = dir;
  return () => {
    const leftovers = reapAll(dir);
    if (leftovers > 0)
      console.warn(`global teardown killed ${leftovers} redis-server process(es) a test left behind`);
  };
}
