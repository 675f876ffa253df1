import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

export interface SettingsLayerProps {
  /** Path inside the layer (mounted under /opt), e.g. `cluster-doctor/placement.json`. */
  path: string;
  /** The document, written as JSON at synth time. */
  document: unknown;
  description: string;
}

/** Folders written for the layers of this synth, removed when the process exits (the assets are copied). */
const written: string[] = [];
let cleanupRegistered = false;

/**
 * A Lambda layer holding one settings document built from the configuration at synth time: what a
 * function's runs may do, written only by a deployment (a layer version is immutable, and a
 * function's layers change only by updating its configuration), never by whoever can invoke it.
 * The function reads it once per container; the code asset stays the same for every placement.
 */
export class SettingsLayer extends Construct {
  readonly layer: lambda.LayerVersion;

  constructor(scope: Construct, id: string, props: SettingsLayerProps) {
    super(scope, id);
    const dir = mkdtempSync(join(tmpdir(), 'cluster-doctor-layer-'));
    written.push(dir);
    if (!cleanupRegistered) {
      cleanupRegistered = true;
      process.once('exit', () => {
        for (const folder of written) rmSync(folder, { recursive: true, force: true });
      });
    }
    const file = join(dir, props.path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(props.document, null, 2)}\n`);
    this.layer = new lambda.LayerVersion(this, 'Layer', {
      code: lambda.Code.fromAsset(dir),
      compatibleRuntimes: [lambda.Runtime.NODEJS_22_X],
      compatibleArchitectures: [lambda.Architecture.ARM_64],
      description: props.description,
    });
  }
}
