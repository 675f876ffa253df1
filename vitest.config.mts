import { defineConfig } from 'vitest/config';
import { discoverServers, SERVER_ENV } from './lib/harness/servers';

/**
 * The real-cluster tests of checks, remedies and the CLI run once per server build found (Debian's
 * redis-server, plus each `../shared/servers/* /bin`, or the folders in $CLUSTER_DOCTOR_SERVERS): one
 * vitest project per server, named by it, so every test's name carries its server. The other
 * real-cluster tests (harness, Lambda handlers, observation details) run on the default server only.
 */
const MATRIX = [
  'test/cluster/checks/**/*.test.ts',
  'test/cluster/fix/**/*.test.ts',
  'test/cluster/cli-*.test.ts',
];
const { servers, notes } = discoverServers();
const [debian, ...others] = servers;
if (!debian) throw new Error('no redis-server on the PATH: run scripts/ensure-redis.sh first');
// This file is loaded once per project (and by workers, which inherit the environment): say it once.
if (!process.env.CLUSTER_DOCTOR_SERVERS_SAID) {
  process.env.CLUSTER_DOCTOR_SERVERS_SAID = '1';
  for (const note of notes) console.log(note);
  console.log(`real-cluster tests run on: ${servers.map((s) => s.label).join(', ')}`);
}

export default defineConfig({
  test: {
    // Cluster tests spend much of their time waiting for gossip, not computing: one worker more than
    // cores keeps them busy. Every wait in the tests is for a condition, so a busy machine is slower,
    // not red.
    maxWorkers: 4,
    // Fail-safes against a hang, not speed limits: a busy machine may take several times the usual.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    teardownTimeout: 30_000,
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/pool.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'test/infra/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: debian.label,
          include: ['test/cluster/**/*.test.ts'],
          env: { [SERVER_ENV]: '' },
        },
      },
      ...others.map((server) => ({
        extends: true as const,
        test: { name: server.label, include: MATRIX, env: { [SERVER_ENV]: server.dir ?? '' } },
      })),
    ],
  },
});
