import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXAMPLE_CONFIG, FLEET_EXAMPLE } from './build-stack';
import { type AwsRequest, runBundledHandler } from './bundled-handler';

const ROOT = join(__dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'cluster-doctor-synth-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The environment of someone with no AWS credentials at all, and no reason to reach the network. */
function offlineEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));
  return { ...env, CDK_DISABLE_VERSION_CHECK: '1', ...extra };
}

/** The example config synthesized with bundling, once for the tests that read it. */
let synthesized: string | undefined;
function synthExample(): string {
  if (synthesized) return synthesized;
  const out = join(scratch, 'cdk.out');
  const config = join(scratch, 'clusters.json');
  writeFileSync(config, readFileSync(EXAMPLE_CONFIG));
  // The example is passed explicitly, so a local config/clusters.json cannot change the outcome.
  execFileSync('npx', ['cdk', 'synth', '-q', '--no-notices', '-c', `config=${config}`, '-o', out], {
    cwd: ROOT,
    env: offlineEnv(),
    stdio: 'pipe',
  });
  synthesized = out;
  return out;
}

type Resource = { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, string> };

/** Under a loaded machine (2 cores, several clusters running) one synth with bundling took 96 s. */
describe('cdk synth', { timeout: 300_000 }, () => {
  it('works offline from the example config, with no AWS credentials, and bundles the four handlers once each', () => {
    const out = synthExample();
    const template = JSON.parse(readFileSync(join(out, 'ClusterDoctor.template.json'), 'utf8'));
    const functions = Object.values(template.Resources as Record<string, { Type: string }>).filter(
      (resource) => resource.Type === 'AWS::Lambda::Function',
    );
    // Two placements (the example's two clusters have different subnets), the watchdog, the reporter.
    expect(functions).toHaveLength(6);
    const assets = readdirSync(out).filter((name) => name.startsWith('asset.'));
    const bundles = assets.filter((name) => readdirSync(join(out, name)).includes('index.js'));
    expect(bundles).toHaveLength(4);
    for (const bundle of bundles) {
      expect(readdirSync(join(out, bundle)).sort()).toEqual(['index.js', 'index.js.map']);
      expect(statSync(join(out, bundle, 'index.js')).size).toBeGreaterThan(0);
    }
    // The settings layers: one per placement, and the deployment's (the reporter's).
    const layers = assets.filter((name) => !bundles.includes(name));
    expect(layers.map((name) => readdirSync(join(out, name, 'cluster-doctor')).join()).sort()).toEqual([
      'deployment.json',
      'placement.json',
      'placement.json',
    ]);
  });

  it("bundles a check handler that signs every AWS call with the environment's credentials, and names them when absent", async () => {
    const out = synthExample();
    const template = JSON.parse(readFileSync(join(out, 'ClusterDoctor.template.json'), 'utf8'));
    const check = Object.values(template.Resources as Record<string, Resource>).find(
      (r) => r.Type === 'AWS::Lambda::Function' && String(r.Properties.FunctionName).endsWith('-check'),
    );
    const assetPath = check?.Metadata?.['aws:asset:path'];
    expect(assetPath).toBeDefined();
    const bundle = join(out, assetPath as string, 'index.js');
    const text = readFileSync(bundle, 'utf8');
    // The default chain and the clients it carries are not in the bundle (lib/service/env-credentials.ts).
    expect(text).not.toContain('defaultProvider::fromSSO');
    expect(text).not.toContain('AssumeRoleWithWebIdentity');

    const signed = await runBundledHandler(bundle, {
      AWS_ACCESS_KEY_ID: 'AKIDFROMTHEENVIRONMENT',
      AWS_SECRET_ACCESS_KEY: 'secret-from-the-environment',
      AWS_SESSION_TOKEN: 'token-from-the-environment',
    });
    // No node answers (port 1): the run ends `unknown` after reading the secret, the state and the
    // failure record, and publishing; every call went out signed with the environment's key.
    expect(signed.outcome).toMatchObject({ result: { cluster: 'c1', status: 'unknown' } });
    const services = signed.requests.map(serviceOf);
    expect(services[0]).toBe('secretsmanager.GetSecretValue');
    expect(services).toContain('sns.Publish');
    expect(services.some((s) => s.startsWith('DynamoDB_20120810.'))).toBe(true);
    for (const request of signed.requests) {
      expect(request.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDFROMTHEENVIRONMENT\//);
      expect(request.headers['x-amz-security-token']).toBe('token-from-the-environment');
    }

    const unsigned = await runBundledHandler(bundle, {});
    expect(unsigned.requests).toEqual([]);
    expect(unsigned.outcome.error).toContain(
      'no AWS credentials in the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)',
    );
  });

  it('fails on a bad config with a message naming the field (the app alone, without the CLI)', () => {
    const bad = JSON.parse(readFileSync(EXAMPLE_CONFIG, 'utf8'));
    bad.clusters[0].vpc.subnetIds = [];
    const path = join(scratch, 'bad.json');
    writeFileSync(path, JSON.stringify(bad));
    const run = spawnSync('npx', ['tsx', 'bin/app.ts'], {
      cwd: ROOT,
      env: offlineEnv({
        CDK_CONTEXT_JSON: JSON.stringify({ config: path }),
        CDK_OUTDIR: join(scratch, 'bad.out'),
      }),
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`${path}: invalid configuration`);
    expect(run.stderr).toContain('clusters[0].vpc.subnetIds: expected at least 1 item');
  });

  it('synthesizes one stack per deployment of a fleet file, named by it', () => {
    const out = join(scratch, 'fleet.out');
    execFileSync('npx', ['cdk', 'synth', '-q', '--no-notices', '-c', `config=${FLEET_EXAMPLE}`, '-o', out], {
      cwd: ROOT,
      env: offlineEnv(),
      stdio: 'pipe',
    });
    expect(
      readdirSync(out)
        .filter((name) => name.endsWith('.template.json'))
        .sort(),
    ).toEqual(['ClusterDoctor-paris.template.json', 'ClusterDoctor-virginia.template.json']);
  });
});

/** `secretsmanager.GetSecretValue`, `DynamoDB_20120810.GetItem`, `sns.Publish`: what a request asked for. */
function serviceOf(request: AwsRequest): string {
  const target = request.headers['x-amz-target'];
  if (typeof target === 'string') return target;
  const action = new URLSearchParams(request.body).get('Action');
  return action ? `sns.${action}` : `${request.method} ${request.url}`;
}
