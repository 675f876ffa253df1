import { z } from 'zod';
import { REMEDIATION_MODES } from '../guard/modes';
import { REMEDY_IDS } from '../remedies/ids';
import { LAMBDA_LIMIT_S, remediationWorstCaseS } from './time-budget';

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

export const clusterSchema = z.strictObject({
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
  /** In-transit encryption; `verify: false` skips certificate checks (like redis-cli --insecure). */
  tls: z
    .strictObject({ enabled: z.boolean(), verify: z.boolean().default(true) })
    .default({ enabled: false, verify: true }),
  /** Where the Lambdas run: they must reach every node of the cluster from here. */
  vpc: z.strictObject({
    vpcId: awsId('vpc'),
    subnetIds: uniqueItems(awsId('subnet'), 'subnet ids')
      .min(1, 'expected at least 1 item')
      .max(16, 'expected at most 16 items (Lambda limit)'),
    securityGroupIds: uniqueItems(awsId('sg'), 'security group ids')
      .min(1, 'expected at least 1 item')
      .max(5, 'expected at most 5 items (Lambda limit)'),
  }),
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
});

export const deploymentSchema = z
  .strictObject({
    /** Account and region the stack deploys to (explicit, so `cdk synth` needs no credentials). */
    account: z.string().regex(/^\d{12}$/, 'expected a 12-digit AWS account id'),
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'expected a region such as "eu-west-3"'),
    /** Receives every message on the topic, including the checker's own CloudWatch alarms. */
    alarmEmail: email.optional(),
    /** Deadline of one observation of one cluster (every node, in parallel). */
    timeoutMs: z
      .int('expected a whole number of milliseconds')
      .min(1_000, 'expected at least 1000')
      .max(120_000, 'expected at most 120000')
      .default(10_000),
    clusters: z.array(clusterSchema).min(1, 'expected at least 1 item'),
  })
  .superRefine((config, ctx) => {
    config.clusters.forEach((cluster, index) => {
      const worst = remediationWorstCaseS(cluster.remediation.settleMs, config.timeoutMs);
      if (worst > LAMBDA_LIMIT_S)
        ctx.addIssue({
          code: 'custom',
          path: ['clusters', index, 'remediation', 'settleMs'],
          message: `the remediation run's worst case is ${worst} s (settle ${cluster.remediation.settleMs / 1000} s + 5 observations of up to ${config.timeoutMs / 1000} s + one action, verify and report): more than the ${LAMBDA_LIMIT_S} s Lambda limit; lower settleMs or timeoutMs`,
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
        if (indexes.length > MAX_CLUSTERS_PER_RECIPIENT && indexes.length < config.clusters.length)
          ctx.addIssue({
            code: 'custom',
            path: ['clusters', indexes[0] ?? 0, 'notify', kind],
            message: `"${address}" is listed in ${indexes.length} clusters: an SNS filter policy can route at most ${MAX_CLUSTERS_PER_RECIPIENT} (or list it in every cluster)`,
          });
      }
    }
  });

export type ClusterConfig = z.output<typeof clusterSchema>;
export type DeploymentConfig = z.output<typeof deploymentSchema>;
/** The file as written, before defaults are applied. */
export type DeploymentConfigInput = z.input<typeof deploymentSchema>;
