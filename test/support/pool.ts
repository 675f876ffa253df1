import { afterAll } from 'vitest';
import { drainPool, POOL_ENV } from '../../lib/harness/pool';

// Tests start clusters back to back: keep servers started ahead of need (lib/harness/pool.ts), and
// stop the ones left idle when the file is done.
process.env[POOL_ENV] = '1';
afterAll(async () => {
  await drainPool();
});
