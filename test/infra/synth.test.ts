import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { awsToolsPython } from '../../lib/harness/moto';
import { EXAMPLE_CONFIG, FLEET_EXAMPLE } from './build-stack';

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

let fleetSynthesized: string | undefined;
function synthFleet(): string {
  if (fleetSynthesized) return fleetSynthesized;
  const out = join(scratch, 'fleet.out');
  execFileSync('npx', ['cdk', 'synth', '-q', '--no-notices', '-c', `config=${FLEET_EXAMPLE}`, '-o', out], {
    cwd: ROOT,
    env: offlineEnv(),
    stdio: 'pipe',
  });
  fleetSynthesized = out;
  return out;
}

/** Under a loaded machine (2 cores, several clusters running) one synth with bundling took 96 s. */
describe('cdk synth', { timeout: 300_000 }, () => {
  it('works offline from the example config, with no AWS credentials, and bundles the three handlers once each', () => {
    const out = synthExample();
    const template = JSON.parse(readFileSync(join(out, 'ClusterDoctor.template.json'), 'utf8'));
    const functions = Object.values(template.Resources as Record<string, { Type: string }>).filter(
      (resource) => resource.Type === 'AWS::Lambda::Function',
    );
    // Two placements (the example's two clusters have different subnets) and the failure reporter.
    expect(functions).toHaveLength(5);
    const assets = readdirSync(out).filter((name) => name.startsWith('asset.'));
    const bundles = assets.filter((name) => readdirSync(join(out, name)).includes('index.js'));
    expect(bundles).toHaveLength(3);
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

  it('passes cfn-lint with no error (the example and the fleet)', () => {
    const python = awsToolsPython();
    const fleetOut = synthFleet();
    const templates = [
      join(synthExample(), 'ClusterDoctor.template.json'),
      ...readdirSync(fleetOut)
        .filter((name) => name.endsWith('.template.json'))
        .map((name) => join(fleetOut, name)),
    ];
    const run = spawnSync(python, ['-m', 'cfnlint', '--format', 'parseable', ...templates], {
      encoding: 'utf8',
    });
    // cfn-lint's exit status is a bit field: 2 errors, 4 warnings, 8 informational.
    const errors = run.stdout.split('\n').filter((line) => /:E\d{4}:/.test(line));
    expect(errors).toEqual([]);
    expect(run.status === null ? -1 : run.status & 2).toBe(0);
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
    const out = synthFleet();
    expect(
      readdirSync(out)
        .filter((name) => name.endsWith('.template.json'))
        .sort(),
    ).toEqual(['ClusterDoctor-paris.template.json', 'ClusterDoctor-virginia.template.json']);
  });
});
