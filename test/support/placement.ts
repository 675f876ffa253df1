import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { toPlacementEnv } from '../../lib/config/function-env';
import {
  type ClusterSettings,
  type PlacementSettings,
  SETTINGS_LAYER,
} from '../../lib/config/placement-settings';
import type { TestCluster } from '../../lib/harness';

export const TEST_RESOURCES = {
  topicArn: 'arn:aws:sns:eu-west-3:123456789012:cluster-doctor-alerts',
  tableName: 'cluster-doctor-state',
  remediationFunction: 'ClusterDoctor-test-app-vpc-fix',
} as const;

/** A cluster's settings as a test deploys them: the harness cluster's first seed, defaults for the rest. */
export function settingsFor(
  cluster: TestCluster,
  secretArn: string,
  settings: Partial<ClusterSettings> = {},
): ClusterSettings {
  return {
    seeds: [cluster.seeds[0] as string],
    secretArn,
    tls: 'off',
    timeoutMs: 5_000,
    mode: 'dry-run',
    allow: ['stabilize-open-slot', 'assign-uncovered-slots'],
    settleMs: 300,
    ...settings,
  };
}

/**
 * A placement "deployed" for an in-process test: its settings document in a layer folder (what Lambda
 * mounts at /opt) and the environment the stack gives its functions. Build the handlers from it with
 * `awsCheckHandler(env)` / `awsRemediateHandler(env)`, as functions/*.ts do; a new document is a new
 * deployment, so build new handlers (a new container) for it.
 */
export function deployPlacement(clusters: Record<string, ClusterSettings>, placement = 'app-vpc') {
  const dir = mkdtempSync(join(tmpdir(), 'cluster-doctor-layer-'));
  const document: PlacementSettings = { format: 1, deployment: 'ClusterDoctor-test', placement, clusters };
  const file = join(dir, SETTINGS_LAYER.placement);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(document));
  const env: NodeJS.ProcessEnv = { ...toPlacementEnv(TEST_RESOURCES), [SETTINGS_LAYER.rootEnv]: dir };
  return { env, document, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A Lambda context as the runtime passes it (the request id the failure records keep). */
export function lambdaContext(requestId: string, remainingMs = 900_000) {
  const end = Date.now() + remainingMs;
  return { awsRequestId: requestId, getRemainingTimeInMillis: () => end - Date.now() };
}
