import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { loadConfig } from '../../../lib/config/load';
import type { FleetConfigInput } from '../../../lib/config/schema';
import { MotoServer } from '../../../lib/harness/moto';
import { ClusterDoctorStack } from '../../../lib/infra/cluster-doctor-stack';
import { type EmulatorOptions, LambdaEmulator } from './lambda-emulator';
import { createSecret, MotoStack, rotateSecret } from './moto-stack';
import { AwsRecorder } from './recorder';
import { SynthesizedStack } from './template';

/** One deployment of the synthesized app: its resources in moto, its functions in the emulator. */
export interface Deployed {
  stack: SynthesizedStack;
  aws: MotoStack;
  lambda: LambdaEmulator;
}

/**
 * AWS for a test, over its real protocols: moto's server behind a recorder, and a configuration
 * synthesized by the stack as `cdk synth` does (bundles, layers, template), "deployed" by creating
 * in moto what the template declares and running its functions in the Lambda emulator with the
 * template's environment. What a test asserts is what the deployed functions did over the wire.
 */
export class AwsTestbed {
  private readonly deployments: Deployed[] = [];
  private readonly dir = mkdtempSync(join(tmpdir(), 'cluster-doctor-aws-'));

  private constructor(
    readonly moto: MotoServer,
    readonly recorder: AwsRecorder,
    readonly region: string,
  ) {}

  static async start(region = 'eu-west-3'): Promise<AwsTestbed> {
    const moto = await MotoServer.start();
    try {
      return new AwsTestbed(moto, await AwsRecorder.start(moto.endpoint), region);
    } catch (error) {
      await moto.stop();
      throw error;
    }
  }

  /** A secret in Secrets Manager; its ARN (with the suffix AWS adds) goes into the configuration. */
  createSecret(name: string, value: string): Promise<string> {
    return createSecret(this.moto.endpoint, this.region, name, value);
  }

  rotateSecret(arn: string, value: string): Promise<void> {
    return rotateSecret(this.moto.endpoint, this.region, arn, value);
  }

  /**
   * Synthesizes `config` (a fleet file's content) with bundling, as `npx cdk synth` would, and
   * deploys each of its stacks: one Deployed per deployment, in the file's order.
   */
  async deploy(
    config: FleetConfigInput,
    options: Omit<EmulatorOptions, 'awsEndpoint'> = {},
  ): Promise<Deployed[]> {
    const file = join(this.dir, `config-${this.deployments.length}.json`);
    writeFileSync(file, JSON.stringify(config));
    const outdir = join(this.dir, `cdk.out-${this.deployments.length}`);
    const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
    const deployments = loadConfig(file).deployments;
    for (const deployment of deployments)
      new ClusterDoctorStack(app, deployment.stackName, {
        env: { account: deployment.account, region: deployment.region },
        config: deployment,
      });
    app.synth();
    const deployed: Deployed[] = [];
    for (const deployment of deployments) {
      const stack = SynthesizedStack.read(outdir, deployment.stackName);
      const aws = await MotoStack.create(stack, this.moto.endpoint, deployment.region);
      const lambda = await LambdaEmulator.start(aws, { ...options, awsEndpoint: this.recorder.endpoint });
      deployed.push({ stack, aws, lambda });
    }
    this.deployments.push(...deployed);
    return deployed;
  }

  /** Stops every function container, the recorder and moto, and removes the synthesized files. */
  async stop(): Promise<void> {
    for (const d of this.deployments) await d.lambda.stop();
    await this.recorder.stop();
    await this.moto.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
