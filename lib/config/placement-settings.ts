// zod/mini: the Lambda bundles parse this document at start (the config file uses classic zod).
import * as z from 'zod/mini';
import '../state/zod-messages';
import { REMEDIATION_MODES } from '../guard/modes';
import { REMEDY_IDS } from '../remedies/ids';
import { type CheckKind, placementFunctionNames, TLS_MODES } from './function-env';
import type { ClusterConfig, DeploymentConfig } from './schema';

/**
 * Where the stack puts a placement's settings document: a Lambda layer of its own, which Lambda
 * mounts under `/opt`. Only the stack writes it (a layer version is immutable, and a function's
 * layers change only by a deployment), so an invocation cannot widen what a run may do: events
 * carry a cluster's name and the kind of run, nothing else (DESIGN §2).
 */
export const SETTINGS_LAYER = {
  placement: 'cluster-doctor/placement.json',
  deployment: 'cluster-doctor/deployment.json',
  /** Where Lambda mounts layers; the test emulator names another folder in this variable. */
  rootEnv: 'CLUSTER_DOCTOR_LAYERS_DIR',
  root: '/opt',
} as const;

const clusterSettingsSchema = z.strictObject({
  seeds: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
  secretArn: z.string().check(z.minLength(1)),
  tls: z.enum(TLS_MODES),
  /** Deadline of one observation of the cluster. */
  timeoutMs: z.int().check(z.positive(), z.maximum(120_000)),
  mode: z.enum(REMEDIATION_MODES),
  allow: z.array(z.enum(REMEDY_IDS)),
  settleMs: z.int().check(z.positive(), z.maximum(600_000)),
});

/** Everything one cluster's runs may do, as the deployment decided it: never from an event. */
export type ClusterSettings = z.infer<typeof clusterSettingsSchema>;

const placementSettingsSchema = z.strictObject({
  format: z.literal(1),
  /** The stack's name. */
  deployment: z.string().check(z.minLength(1)),
  placement: z.string().check(z.minLength(1)),
  clusters: z.record(z.string().check(z.minLength(1)), clusterSettingsSchema),
});

/** The document a placement's check and remediation functions read once per container. */
export type PlacementSettings = z.infer<typeof placementSettingsSchema>;

const deploymentDocumentSchema = z.strictObject({
  format: z.literal(1),
  deployment: z.string().check(z.minLength(1)),
  /** Function name -> the placement it serves and which of its two functions it is. */
  functions: z.record(
    z.string(),
    z.strictObject({ placement: z.string(), role: z.enum(['check', 'remediation']) }),
  ),
  /** Cluster name -> its placement. */
  clusters: z.record(z.string(), z.strictObject({ placement: z.string() })),
});

/** What the deployment-wide functions (the failure reporter) know of every placement and cluster. */
export type DeploymentDocument = z.infer<typeof deploymentDocumentSchema>;

const tlsModeOf = (cluster: ClusterConfig): ClusterSettings['tls'] =>
  !cluster.tls.enabled ? 'off' : cluster.tls.verify ? 'verify' : 'insecure';

/** One cluster's settings from the configuration file. */
export function clusterSettingsOf(cluster: ClusterConfig, timeoutMs: number): ClusterSettings {
  return {
    seeds: cluster.seeds,
    secretArn: cluster.secretArn,
    tls: tlsModeOf(cluster),
    timeoutMs,
    mode: cluster.remediation.mode,
    allow: cluster.remediation.allow,
    settleMs: cluster.remediation.settleMs,
  };
}

/** The settings document of one placement of a deployment, built at synth time. */
export function placementSettingsOf(deployment: DeploymentConfig, placement: string): PlacementSettings {
  return {
    format: 1,
    deployment: deployment.stackName,
    placement,
    clusters: Object.fromEntries(
      deployment.clusters
        .filter((cluster) => cluster.placement === placement)
        .map((cluster) => [cluster.name, clusterSettingsOf(cluster, deployment.timeoutMs)]),
    ),
  };
}

/** The deployment document: which function serves which placement, and where each cluster is placed. */
export function deploymentDocumentOf(deployment: DeploymentConfig): DeploymentDocument {
  const functions: DeploymentDocument['functions'] = {};
  for (const { name } of deployment.placements) {
    const names = placementFunctionNames(deployment.stackName, name);
    functions[names.check] = { placement: name, role: 'check' };
    functions[names.remediation] = { placement: name, role: 'remediation' };
  }
  return {
    format: 1,
    deployment: deployment.stackName,
    functions,
    clusters: Object.fromEntries(deployment.clusters.map((c) => [c.name, { placement: c.placement }])),
  };
}

/** A settings document that is missing or does not match its schema: the deployment is broken. */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

function parseDocument<T>(schema: z.ZodMiniType<T>, text: string, where: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SettingsError(`${where}: not JSON`, { cause: error });
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new SettingsError(
    `${where}: ${result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
  );
}

export const parsePlacementSettings = (text: string, where: string): PlacementSettings =>
  parseDocument(placementSettingsSchema, text, where);

export const parseDeploymentDocument = (text: string, where: string): DeploymentDocument =>
  parseDocument(deploymentDocumentSchema, text, where);

/** What a schedule sends the check function: the cluster and the kind of run, nothing else. */
export interface CheckEvent {
  cluster: string;
  kind: CheckKind;
}
