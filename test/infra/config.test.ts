import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPlacementEnv, statePartitionKey, toPlacementEnv } from '../../lib/config/function-env';
import { ConfigError, formatPath, loadConfig, parseConfig } from '../../lib/config/load';
import { parsePlacementSettings, placementSettingsOf } from '../../lib/config/placement-settings';
import { MAX_CLUSTERS_PER_RECIPIENT } from '../../lib/config/schema';
import { EXAMPLE_CONFIG, FLEET_EXAMPLE } from './build-stack';
import { exampleFleet } from './fleet';

// biome-ignore lint/suspicious/noExplicitAny: the tests break the file in ways its type forbids
type Json = any;
const example = (): Json => JSON.parse(readFileSync(EXAMPLE_CONFIG, 'utf8'));
const dir = mkdtempSync(join(tmpdir(), 'cluster-doctor-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function errorOf(write: string, name = 'bad.json'): ConfigError {
  const path = join(dir, name);
  writeFileSync(path, write);
  try {
    loadConfig(path);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const broken = (edit: (config: Json) => void): ConfigError => {
  const config = example();
  edit(config);
  return errorOf(JSON.stringify(config));
};

describe('the example configuration', () => {
  it('is valid, and defaults fill what it leaves out', () => {
    const [config] = loadConfig(EXAMPLE_CONFIG).deployments;
    expect(config?.clusters.map((cluster) => cluster.name)).toEqual(['orders-cache', 'sessions']);
    const sessions = config?.clusters[1];
    expect(sessions?.tls).toEqual({ enabled: false, verify: true });
    expect(sessions?.remediation).toEqual({ mode: 'off', allow: [], settleMs: 60_000 });
  });

  it('defaults a minimal cluster to a nightly check at 03:00 UTC in dry-run', () => {
    const config = example();
    const [first] = config.clusters;
    config.clusters = [{ name: 'x', seeds: first.seeds, secretArn: first.secretArn, vpc: first.vpc }];
    delete config.alarmEmail;
    delete config.timeoutMs;
    const [parsed] = parseConfig(config).deployments;
    expect(parsed?.timeoutMs).toBe(10_000);
    expect(parsed?.clusters[0]).toMatchObject({
      schedules: { nightly: { cron: 'cron(0 3 * * ? *)', timeZone: 'UTC' } },
      remediation: { mode: 'dry-run', allow: [] },
      notify: { emails: [], sms: [] },
    });
  });
});

describe('a bad configuration file', () => {
  it.each<[string, (config: Json) => void, string]>([
    [
      'no subnet',
      (c) => (c.clusters[0].vpc.subnetIds = []),
      'clusters[0].vpc.subnetIds: expected at least 1 item',
    ],
    [
      'a misspelt field',
      (c) => {
        c.clusters[0].vpc.subnetIDs = c.clusters[0].vpc.subnetIds;
        delete c.clusters[0].vpc.subnetIds;
      },
      'clusters[0].vpc.subnetIDs: unknown field',
    ],
    ['a missing field', (c) => delete c.clusters[1].seeds, 'clusters[1].seeds: required'],
    [
      'a name not in kebab-case',
      (c) => (c.clusters[0].name = 'Orders_Cache'),
      'clusters[0].name: expected kebab-case',
    ],
    [
      'two clusters with one name',
      (c) => (c.clusters[1].name = 'orders-cache'),
      'clusters[1].name: duplicate cluster name "orders-cache" (also clusters[0].name)',
    ],
    [
      'a seed without a port',
      (c) => (c.clusters[0].seeds[1] = '10.0.2.10'),
      'clusters[0].seeds[1]: expected "host:port"',
    ],
    [
      'a partial secret ARN',
      (c) => (c.clusters[0].secretArn = 'arn:aws:secretsmanager:eu-west-3:123456789012:secret:orders'),
      'clusters[0].secretArn: expected a complete Secrets Manager ARN',
    ],
    [
      'a wrong VPC id',
      (c) => (c.clusters[1].vpc.vpcId = 'vpc-xyz'),
      'clusters[1].vpc.vpcId: expected an id like vpc-',
    ],
    [
      'six security groups',
      (c) =>
        (c.clusters[0].vpc.securityGroupIds = ['a', 'b', 'c', 'd', 'e', 'f'].map((x) => `sg-0000000${x}`)),
      'clusters[0].vpc.securityGroupIds: expected at most 5 items',
    ],
    [
      'a cron with two ?',
      (c) => (c.clusters[0].schedules.nightly.cron = 'cron(0 3 ? * ? *)'),
      'clusters[0].schedules.nightly.cron: expected cron(',
    ],
    [
      'an unknown time zone',
      (c) => (c.clusters[0].schedules.nightly.timeZone = 'Paris'),
      'clusters[0].schedules.nightly.timeZone: expected an IANA time zone',
    ],
    [
      'a rate in the wrong number',
      (c) => (c.clusters[0].schedules.frequent.rate = 'rate(5 minute)'),
      'clusters[0].schedules.frequent.rate: expected rate(N unit)',
    ],
    [
      'an unknown mode',
      (c) => (c.clusters[0].remediation.mode = 'yes'),
      'clusters[0].remediation.mode: expected one of "off", "dry-run", "auto"',
    ],
    [
      'an unknown remedy',
      (c) => (c.clusters[0].remediation.allow = ['flush-all']),
      'clusters[0].remediation.allow[0]: expected one of "stabilize-open-slot"',
    ],
    [
      'a settle time of zero',
      (c) => (c.clusters[0].remediation.settleMs = 0),
      'clusters[0].remediation.settleMs: expected at least 1000',
    ],
    [
      'a remediation run whose worst case does not fit the Lambda limit',
      (c) => {
        c.clusters[0].remediation.settleMs = 600_000;
        c.timeoutMs = 60_000;
      },
      "clusters[0].remediation.settleMs: the remediation run's worst case is 1174 s",
    ],
    [
      'a KMS alias instead of a key ARN',
      (c) => (c.clusters[0].secretKmsKeyArn = 'arn:aws:kms:eu-west-3:123456789012:alias/redis'),
      'clusters[0].secretKmsKeyArn: expected a KMS key ARN',
    ],
    [
      'a number that is not E.164',
      (c) => (c.clusters[0].notify.sms = ['0612345678']),
      'clusters[0].notify.sms[0]: expected an E.164 phone number',
    ],
    [
      'an email that is not one',
      (c) => (c.clusters[1].notify.emails[1] = 'sessions-team'),
      'clusters[1].notify.emails[1]: expected an email address',
    ],
    ['a short account id', (c) => (c.account = '12345'), 'account: expected a 12-digit AWS account id'],
    [
      'a string where a number goes',
      (c) => (c.timeoutMs = '10s'),
      'timeoutMs: expected a whole number of milliseconds',
    ],
    ['no cluster', (c) => (c.clusters = []), 'clusters: expected at least 1 item'],
  ])('with %s names the field', (_, edit, message) => {
    const error = broken(edit);
    expect(error.message).toContain(message);
    expect(error.message).toContain(join(dir, 'bad.json'));
  });

  it('lists every problem, one per line', () => {
    const error = broken((c) => {
      c.region = 'Paris';
      c.clusters[0].tls = { enabled: 'yes' };
    });
    expect(error.issues).toEqual([
      { path: 'region', message: 'expected a region such as "eu-west-3"' },
      { path: 'clusters[0].tls.enabled', message: 'expected boolean' },
    ]);
    expect(error.message.split('\n')).toHaveLength(3);
  });

  it('that is not JSON, or not there, says so', () => {
    expect(errorOf('{ "account": ', 'truncated.json').message).toMatch(
      /truncated\.json: invalid configuration\n {2}\(file\): not valid JSON/,
    );
    expect(() => loadConfig(join(dir, 'missing.json'))).toThrow(/\(file\): cannot read/);
  });

  it('refuses an address routed to more clusters than an SNS filter policy can hold', () => {
    const config = example();
    const [template] = config.clusters;
    config.clusters = Array.from({ length: MAX_CLUSTERS_PER_RECIPIENT + 2 }, (_, i) => ({
      ...template,
      name: `c${i}`,
      notify: { emails: i === 0 ? [] : ['everyone@example.com'], sms: [] },
    }));
    expect(() => parseConfig(config)).toThrow(
      /clusters\[1\]\.notify\.emails: "everyone@example\.com" is listed in 151 clusters/,
    );
  });
});

describe("today's single-deployment file", () => {
  it('is one deployment onto the stack ClusterDoctor, clusters with the same network sharing a placement', () => {
    const config = example();
    config.clusters[1].vpc = structuredClone(config.clusters[0].vpc);
    config.clusters[1].vpc.subnetIds.reverse();
    const [deployment] = parseConfig(config).deployments;
    expect(deployment).toMatchObject({ name: 'default', stackName: 'ClusterDoctor' });
    expect(deployment?.placements).toHaveLength(1);
    expect(deployment?.placements[0]?.name).toMatch(/^net-[0-9a-f]{8}$/);
    expect(deployment?.clusters.map((c) => c.placement)).toEqual([
      deployment?.placements[0]?.name,
      deployment?.placements[0]?.name,
    ]);
    // The name depends on the network alone: stable across edits of the file.
    const [again] = loadConfig(EXAMPLE_CONFIG).deployments;
    expect(again?.clusters[0]?.placement).toBe(deployment?.placements[0]?.name);
  });
});

describe('a fleet file', () => {
  const fleet = (): Json => JSON.parse(readFileSync(FLEET_EXAMPLE, 'utf8'));
  const fleetError = (edit: (config: Json) => void): string => {
    const config = fleet();
    edit(config);
    try {
      parseConfig(config, 'fleet.json');
    } catch (error) {
      if (error instanceof ConfigError) return error.message;
      throw error;
    }
    throw new Error('expected a ConfigError');
  };

  it('lists deployments, each with its stack, placements and clusters', () => {
    const { deployments } = loadConfig(FLEET_EXAMPLE);
    expect(deployments.map((d) => [d.stackName, d.account, d.region])).toEqual([
      ['ClusterDoctor-paris', '123456789012', 'eu-west-3'],
      ['ClusterDoctor-virginia', '210987654321', 'us-east-1'],
    ]);
    expect(deployments[0]?.clusters.map((c) => [c.name, c.placement])).toEqual([
      ['orders-cache', 'app-vpc'],
      ['carts-cache', 'app-vpc'],
      ['sessions', 'batch-vpc'],
    ]);
  });

  it.each<[string, (config: Json) => void, string]>([
    [
      'a cluster in an unknown placement',
      (c) => (c.deployments[0].clusters[0].placement = 'nowhere'),
      'deployments[0].clusters[0].placement: unknown placement "nowhere" (placements: app-vpc, batch-vpc)',
    ],
    [
      'a placement with no cluster',
      (c) => (c.deployments[0].clusters[2].placement = 'app-vpc'),
      'deployments[0].placements[1]: no cluster is placed in "batch-vpc"',
    ],
    [
      'two deployments onto one stack',
      (c) => {
        c.deployments[1].account = c.deployments[0].account;
        c.deployments[1].region = c.deployments[0].region;
        c.deployments[1].stackName = 'ClusterDoctor-paris';
      },
      'deployments[1].stackName: stack "ClusterDoctor-paris" is already deployed to 123456789012 eu-west-3 by another deployment (also deployments[0])',
    ],
    [
      'one cluster name in two deployments',
      (c) => (c.deployments[1].clusters[0].name = 'orders-cache'),
      'deployments[1].clusters[0].name: cluster name "orders-cache" is used by another deployment too (deployments[0].clusters[0])',
    ],
    [
      'a placement name too long for a function name',
      (c) => {
        c.deployments[1].placements[0].name = 'a-very-long-placement-name';
        c.deployments[1].clusters[0].placement = 'a-very-long-placement-name';
      },
      'deployments[1].placements[0].name: expected at most 24 characters',
    ],
    [
      "a cluster with a vpc of its own (today's field, in the fleet format)",
      (c) => (c.deployments[1].clusters[0].vpc = c.deployments[1].placements[0].vpc),
      'deployments[1].clusters[0].vpc: unknown field',
    ],
  ])('with %s names it', (_, edit, message) => {
    expect(fleetError(edit)).toContain(message);
  });
});

describe('limits, computed before synth', () => {
  const generated = exampleFleet();
  const paris = () => structuredClone(generated.deployments[0]) as Json;

  it('refuse a stack over 500 resources, naming the deployment and the limit', () => {
    const big = paris();
    const template = big.clusters[0];
    big.clusters = Array.from({ length: 250 }, (_, i) => ({
      ...template,
      name: `big-${i}`,
      placement: big.placements[i % 4].name,
    }));
    expect(() => parseConfig({ deployments: [big] })).toThrow(
      /deployments\[0\]: stack ClusterDoctor-paris would hold \d+ resources, over CloudFormation's 500 per stack/,
    );
  });

  it("refuse a placement whose roles' policy would pass IAM's 10 240 characters", () => {
    const crowded = paris();
    const template = crowded.clusters[0];
    crowded.clusters = Array.from({ length: 60 }, (_, i) => ({
      ...template,
      name: `crowded-cluster-number-${i}`,
      secretArn: `arn:aws:secretsmanager:eu-west-3:123456789012:secret:redis/crowded-cluster-number-${i}-AbCdEf`,
      placement: 'vpc-0',
    }));
    crowded.placements = crowded.placements.slice(0, 1);
    expect(() => parseConfig({ deployments: [crowded] })).toThrow(
      /deployments\[0\]\.placements\[0\]: placement vpc-0: its roles' policy would be about \d+ characters for 60 clusters' secrets and table rows, over IAM's 10240 per role/,
    );
  });

  it('refuse more IAM roles in one account than its default quota', () => {
    const deployments = Array.from({ length: 15 }, (_, d) => {
      const deployment = paris();
      deployment.name = `region-${d}`;
      deployment.placements = Array.from({ length: 23 }, (_, p) => ({
        name: `p-${p}`,
        vpc: deployment.placements[0].vpc,
      }));
      deployment.clusters = deployment.placements.map((p: Json, i: number) => ({
        ...deployment.clusters[0],
        name: `c-${d}-${i}`,
        placement: p.name,
      }));
      return deployment;
    });
    expect(() => parseConfig({ deployments })).toThrow(
      /^[^\n]+\n {2}deployments\[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14\]: account 123456789012 would get 1050 IAM roles from these deployments, over the default quota of 1000/,
    );
  });
});

describe('field paths', () => {
  it('read like the file', () => {
    expect(formatPath(['clusters', 0, 'vpc', 'subnetIds', 2])).toBe('clusters[0].vpc.subnetIds[2]');
    expect(formatPath([])).toBe('(root)');
  });
});

describe("the functions' environment and settings document", () => {
  it('the environment names resources only, and reads back what the stack writes', () => {
    const written = toPlacementEnv({
      topicArn: 'arn:aws:sns:eu-west-3:123456789012:alerts',
      tableName: 'state',
      remediationFunction: 'remediate',
    });
    expect(Object.keys(written).sort()).toEqual([
      'ALERT_TOPIC_ARN',
      'REMEDIATION_FUNCTION_NAME',
      'STATE_TABLE_NAME',
    ]);
    expect(readPlacementEnv(written)).toEqual({
      topicArn: 'arn:aws:sns:eu-west-3:123456789012:alerts',
      tableName: 'state',
      remediationFunction: 'remediate',
    });
    expect(readPlacementEnv({ ALERT_TOPIC_ARN: 't', STATE_TABLE_NAME: 's' })).not.toHaveProperty(
      'remediationFunction',
    );
    expect(() => readPlacementEnv({ ALERT_TOPIC_ARN: 't' })).toThrow(/STATE_TABLE_NAME: required/);
  });

  it("the settings document holds each cluster's settings from the file, and reads back", () => {
    const deployment = loadConfig(EXAMPLE_CONFIG).deployments[0];
    if (!deployment) throw new Error('example has a deployment');
    const [orders, sessions] = deployment.clusters;
    if (!orders || !sessions) throw new Error('example has two clusters');
    const document = placementSettingsOf(deployment, orders.placement);
    expect(document).toEqual({
      format: 1,
      deployment: 'ClusterDoctor',
      placement: orders.placement,
      clusters: {
        'orders-cache': {
          seeds: orders.seeds,
          secretArn: orders.secretArn,
          tls: 'verify',
          timeoutMs: 10_000,
          mode: 'dry-run',
          allow: ['stabilize-open-slot', 'assign-uncovered-slots'],
          settleMs: 60_000,
        },
      },
    });
    expect(parsePlacementSettings(JSON.stringify(document), 'layer')).toEqual(document);
    expect(placementSettingsOf(deployment, sessions.placement).clusters.sessions).toMatchObject({
      allow: [],
      tls: 'off',
      mode: 'off',
    });
    expect(() => parsePlacementSettings('{"format":1}', '/opt/x.json')).toThrow(/^\/opt\/x.json: /);
    expect(() => parsePlacementSettings('not json', '/opt/x.json')).toThrow('/opt/x.json: not JSON');
  });

  it('keys state items under the cluster name, as IAM allows', () => {
    expect(statePartitionKey('orders-cache')).toBe('orders-cache');
    expect(statePartitionKey('orders-cache', 'lock')).toBe('orders-cache#lock');
  });
});
