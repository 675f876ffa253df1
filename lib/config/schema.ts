import { z } from 'zod';
import { REMEDIATION_MODES } from '../guard/modes';
import { REMEDY_IDS } from '../remedies/ids';
import { MAX_EXPECTED_NODES } from './check-memory';
import { LAMBDA_LIMIT_S, REMEDIATION_BUDGET, remediationWorstCaseS } from './time-budget';

export { type Mode as RemediationMode, REMEDIATION_MODES } from '../guard/modes';
export { REMEDY_IDS, type RemedyId } from '../remedies/ids';

/** An SNS filter policy holds at most 150 value combinations; one address in more clusters cannot be routed. */
export const MAX_CLUSTERS_PER_RECIPIENT = 150;

const kebabCase = z
  .string()
  .regex(
    /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/,
    'expected kebab-case (lower-case letters, digits and single dashes)',
  )
  .max(40, 'expected at most 40 characters');

const hostPort = z.string().refine((value) => {
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):(\d{1,5})$/.exec(value);
  const port = Number(match?.[2]);
  return match !== null && port >= 1 && port <= 65535;
}, 'expected "host:port" (IPv6 as "[addr]:port", port 1-65535)');

const awsId = (prefix: string) =>
  z
    .string()
    .regex(
      new RegExp(`^${prefix}-([0-9a-f]{8}|[0-9a-f]{17})$`),
      `expected an id like ${prefix}-0123456789abcdef0`,
    );

const uniqueItems = <T extends z.ZodType>(item: T, what: string) =>
  z.array(item).refine((items) => new Set(items).size === items.length, `expected no duplicate ${what}`);

const secretArn = z
  .string()
  .regex(
    /^arn:aws(-[a-z]+)*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/,
    'expected a complete Secrets Manager ARN, with its 6-character suffix (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-AbCdEf)',
  );

const kmsKeyArn = z
  .string()
  .regex(
    /^arn:aws(-[a-z]+)*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/,
    'expected a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/KEY-ID), not an alias',
  );

const cronExpression = z.string().refine((value) => {
  const fields = /^cron\((.*)\)$/.exec(value)?.[1]?.trim().split(/\s+/);
  return fields?.length === 6 && (fields[2] === '?') !== (fields[4] === '?');
}, 'expected cron(minutes hours day-of-month month day-of-week year) with "?" in exactly one of day-of-month and day-of-week');

const rateExpression = z.string().refine((value) => {
  const match = /^rate\((\d+) (minute|hour|day)(s?)\)$/.exec(value);
  return match !== null && Number(match[1]) >= 1 && (match[1] === '1') === (match[3] === '');
}, 'expected rate(N unit): "rate(1 minute)", "rate(5 minutes)", "rate(2 hours)", "rate(1 day)"');

const timeZone = z.string().refine((value) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}, 'expected an IANA time zone such as "Europe/Paris" or "UTC"');

const email = z.email('expected an email address');
const phoneE164 = z
  .string()
  .regex(/^\+[1-9]\d{1,14}$/, 'expected an E.164 phone number such as "+33612345678"');

/** Where the Lambdas run: they must reach every node of the cluster from here. */
const vpcSchema = z.strictObject({
  vpcId: awsId('vpc'),
  subnetIds: uniqueItems(awsId('subnet'), 'subnet ids')
    .min(1, 'expected at least 1 item')
    .max(16, 'expected at most 16 items (Lambda limit)'),
  securityGroupIds: uniqueItems(awsId('sg'), 'security group ids')
    .min(1, 'expected at least 1 item')
    .max(5, 'expected at most 5 items (Lambda limit)'),
});

const clusterFields = {
  /** Names the cluster in every message, metric, schedule and log line; unique in the file. */
  name: kebabCase,
  /** Addresses to discover the cluster from; any reachable one is enough. */
  seeds: uniqueItems(hostPort, 'seeds').min(1, 'expected at least 1 item'),
  /** Secrets Manager secret holding the password, or `{"username": ..., "password": ...}` for an ACL user. */
  secretArn,
  /**
   * The customer-managed KMS key the secret is encrypted with, if not the AWS-managed one: the
   * functions may decrypt with it only through Secrets Manager (`kms:ViaService`).
   */
  secretKmsKeyArn: kmsKeyArn.optional(),
  /**
   * How many nodes (masters and replicas) the cluster is expected to have, at most: sizes the memory,
   * hence the CPU, of its placement's check function (lib/config/check-memory.ts). Unset: up to 200.
   */
  expectedNodes: z
    .int('expected a whole number of nodes')
    .min(1, 'expected at least 1')
    .max(MAX_EXPECTED_NODES, `expected at most ${MAX_EXPECTED_NODES}`)
    .optional(),
  /** In-transit encryption; `verify: false` skips certificate checks (like redis-cli --insecure). */
  tls: z
    .strictObject({ enabled: z.boolean(), verify: z.boolean().default(true) })
    .default({ enabled: false, verify: true }),
  schedules: z
    .strictObject({
      /** The full coverage check, once a day at a local time. */
      nightly: z.strictObject({ cron: cronExpression, timeZone: timeZone.default('UTC') }),
      /** An optional lighter check at a fixed rate. */
      frequent: z.strictObject({ rate: rateExpression }).optional(),
    })
    .default({ nightly: { cron: 'cron(0 3 * * ? *)', timeZone: 'UTC' } }),
  remediation: z
    .strictObject({
      /** `off`: never plan; `dry-run`: plan and report only; `auto`: act on allowed remedies behind the guards. */
      mode: z.enum(REMEDIATION_MODES).default('dry-run'),
      allow: uniqueItems(z.enum(REMEDY_IDS), 'remedy ids').default([]),
      /** How long a problem must persist unchanged before a remedy may act on it. */
      settleMs: z
        .int('expected a whole number of milliseconds')
        .min(1_000, 'expected at least 1000')
        .max(600_000, 'expected at most 600000 (the remediation Lambda must outlive the wait)')
        .default(60_000),
    })
    .default({ mode: 'dry-run', allow: [], settleMs: 60_000 }),
  notify: z
    .strictObject({
      /** Full reports for this cluster. */
      emails: uniqueItems(email, 'emails').default([]),
      /** Critical findings only, as short texts. */
      sms: uniqueItems(phoneE164, 'phone numbers').default([]),
    })
    .default({ emails: [], sms: [] }),
};

const deploymentFields = {
  /** Account and region the stack deploys to (explicit, so `cdk synth` needs no credentials). */
  account: z.string().regex(/^\d{12}$/, 'expected a 12-digit AWS account id'),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'expected a region such as "eu-west-3"'),
  /** Receives every message on the topic, including the checker's own CloudWatch alarms. */
  alarmEmail: email.optional(),
  /**
   * The account's monthly SMS spend limit in this region (AWS's default is 1 USD): past it SNS sends
   * no SMS, so an alarm warns the deployment's people at 80 % of it.
   */
  smsMonthlySpendLimitUsd: z
    .number('expected a number of US dollars')
    .positive('expected more than 0')
    .max(100_000, 'expected at most 100000')
    .default(1),
  /** Deadline of one observation of one cluster (every node, in parallel). */
  timeoutMs: z
    .int('expected a whole number of milliseconds')
    .min(1_000, 'expected at least 1000')
    .max(120_000, 'expected at most 120000')
    .default(10_000),
};

/** Rules across a deployment's clusters, whatever the format. */
function refineDeployment(
  config: { timeoutMs: number; clusters: z.output<z.ZodObject<typeof clusterFields>>[] },
  ctx: z.core.$RefinementCtx,
): void {
  config.clusters.forEach((cluster, index) => {
    const worst = remediationWorstCaseS(cluster.remediation.settleMs, config.timeoutMs);
    if (worst > LAMBDA_LIMIT_S)
      ctx.addIssue({
        code: 'custom',
        path: ['clusters', index, 'remediation', 'settleMs'],
        message: `the remediation run's worst case is ${worst} s (settle ${cluster.remediation.settleMs / 1000} s + ${REMEDIATION_BUDGET.observations} observations of up to ${config.timeoutMs / 1000} s + one action, verify and report): more than the ${LAMBDA_LIMIT_S} s Lambda limit; lower settleMs or timeoutMs`,
      });
  });
  const firstIndex = new Map<string, number>();
  config.clusters.forEach((cluster, index) => {
    const first = firstIndex.get(cluster.name);
    if (first === undefined) firstIndex.set(cluster.name, index);
    else
      ctx.addIssue({
        code: 'custom',
        path: ['clusters', index, 'name'],
        message: `duplicate cluster name "${cluster.name}" (also clusters[${first}].name)`,
      });
  });
  for (const kind of ['emails', 'sms'] as const) {
    const clustersOf = new Map<string, number[]>();
    config.clusters.forEach((cluster, index) => {
      for (const address of cluster.notify[kind])
        clustersOf.set(address, [...(clustersOf.get(address) ?? []), index]);
    });
    for (const [address, indexes] of clustersOf) {
      // An inbox's alarm filter names its clusters and the deployment; a phone's, its clusters'
      // dead-man switches. Listed in every cluster, neither needs to name them.
      const values = kind === 'emails' ? indexes.length + 1 : indexes.length;
      const everywhere = indexes.length === config.clusters.length;
      if (values > MAX_CLUSTERS_PER_RECIPIENT && !everywhere)
        ctx.addIssue({
          code: 'custom',
          path: ['clusters', indexes[0] ?? 0, 'notify', kind],
          message:
            kind === 'emails'
              ? `"${address}" is listed in ${indexes.length} clusters: its SNS filter policies would name ${values} values, more than ${MAX_CLUSTERS_PER_RECIPIENT} (or list it in every cluster)`
              : `"${address}" is listed in ${indexes.length} clusters: the SNS filter policy of its pages can name at most ${MAX_CLUSTERS_PER_RECIPIENT}`,
        });
    }
  }
}

/** Today's single-deployment format: each cluster says where its functions run (`vpc`). */
export const legacyClusterSchema = z.strictObject({
  ...clusterFields,
  /** Where the Lambdas run: they must reach every node of the cluster from here. */
  vpc: vpcSchema,
});

export const legacyDeploymentSchema = z
  .strictObject({
    ...deploymentFields,
    clusters: z.array(legacyClusterSchema).min(1, 'expected at least 1 item'),
  })
  .superRefine(refineDeployment);

/** A network placement: the VPC, subnets and security groups one pair of functions runs in. */
export const placementSchema = z.strictObject({
  /** Names the placement's functions (`<stack>-<placement>-check`); unique in its deployment. */
  name: kebabCase.max(24, 'expected at most 24 characters (it is part of Lambda function names)'),
  vpc: vpcSchema,
});

export const fleetClusterSchema = z.strictObject({
  ...clusterFields,
  /** The name of the placement whose functions check and fix this cluster. */
  placement: kebabCase,
});

export const fleetDeploymentSchema = z
  .strictObject({
    /** Names the deployment; the stack is `ClusterDoctor-<name>` unless `stackName` says otherwise. */
    name: kebabCase.max(16, 'expected at most 16 characters (it is part of Lambda function names)'),
    /** The stack's name; `ClusterDoctor` adopts the stack today's single-deployment layout created. */
    stackName: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9-]{0,29}$/, 'expected a stack name of at most 30 letters, digits and dashes')
      .optional(),
    ...deploymentFields,
    placements: z.array(placementSchema).min(1, 'expected at least 1 item'),
    clusters: z.array(fleetClusterSchema).min(1, 'expected at least 1 item'),
  })
  .superRefine((config, ctx) => {
    refineDeployment(config, ctx);
    const names = config.placements.map((placement) => placement.name);
    config.placements.forEach((placement, index) => {
      if (names.indexOf(placement.name) !== index)
        ctx.addIssue({
          code: 'custom',
          path: ['placements', index, 'name'],
          message: `duplicate placement name "${placement.name}"`,
        });
      if (!config.clusters.some((cluster) => cluster.placement === placement.name))
        ctx.addIssue({
          code: 'custom',
          path: ['placements', index],
          message: `no cluster is placed in "${placement.name}": remove it (its functions would check nothing)`,
        });
    });
    config.clusters.forEach((cluster, index) => {
      if (!names.includes(cluster.placement))
        ctx.addIssue({
          code: 'custom',
          path: ['clusters', index, 'placement'],
          message: `unknown placement "${cluster.placement}" (placements: ${names.join(', ')})`,
        });
    });
  });

export const fleetSchema = z
  .strictObject({ deployments: z.array(fleetDeploymentSchema).min(1, 'expected at least 1 item') })
  .superRefine((fleet, ctx) => {
    const seen = new Map<string, string>();
    fleet.deployments.forEach((deployment, index) => {
      const where = `deployments[${index}]`;
      const keys: [string, PropertyKey[], string][] = [
        [`name ${deployment.name}`, ['name'], `duplicate deployment name "${deployment.name}"`],
        [
          `stack ${deployment.account}/${deployment.region}/${stackNameOf(deployment)}`,
          ['stackName'],
          `stack "${stackNameOf(deployment)}" is already deployed to ${deployment.account} ${deployment.region} by another deployment`,
        ],
      ];
      for (const [key, path, message] of keys) {
        const first = seen.get(key);
        if (first)
          ctx.addIssue({
            code: 'custom',
            path: ['deployments', index, ...path],
            message: `${message} (also ${first})`,
          });
        else seen.set(key, where);
      }
      deployment.clusters.forEach((cluster, clusterIndex) => {
        // Metrics, alarms and messages name a cluster by its name alone: one name, one cluster.
        const key = `cluster ${cluster.name}`;
        const first = seen.get(key);
        const at = `${where}.clusters[${clusterIndex}]`;
        if (first && !first.startsWith(where))
          ctx.addIssue({
            code: 'custom',
            path: ['deployments', index, 'clusters', clusterIndex, 'name'],
            message: `cluster name "${cluster.name}" is used by another deployment too (${first})`,
          });
        else if (!first) seen.set(key, at);
      });
    });
  });

/** The stack of a deployment: `ClusterDoctor-<name>`, or the name the file pins. */
export function stackNameOf(deployment: { name: string; stackName?: string }): string {
  return deployment.stackName ?? `ClusterDoctor-${deployment.name}`;
}

export type VpcConfig = z.output<typeof vpcSchema>;
export type PlacementConfig = z.output<typeof placementSchema>;
export type ClusterConfig = z.output<typeof fleetClusterSchema>;
export interface DeploymentConfig extends Omit<z.output<typeof fleetDeploymentSchema>, 'stackName'> {
  stackName: string;
}
export interface FleetConfig {
  deployments: DeploymentConfig[];
}
/** The file as written, before defaults are applied. */
export type FleetConfigInput = z.input<typeof fleetSchema>;
export type LegacyConfigInput = z.input<typeof legacyDeploymentSchema>;
