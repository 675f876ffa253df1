import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError, loadConfig } from '../lib/config/load';
import { ClusterDoctorStack } from '../lib/infra/cluster-doctor-stack';

const CONFIG_DIR = join(__dirname, '..', 'config');

/** `-c config=PATH` if given, else `config/clusters.json` if present, else the example. */
function configPath(app: App): string {
  const fromContext: unknown = app.node.tryGetContext('config');
  if (typeof fromContext === 'string' && fromContext !== '') return resolve(fromContext);
  const own = join(CONFIG_DIR, 'clusters.json');
  return existsSync(own) ? own : join(CONFIG_DIR, 'clusters.example.json');
}

const app = new App();
try {
  // One stack per deployment, named by it; `cdk deploy --all`, or one by name.
  for (const deployment of loadConfig(configPath(app)).deployments) {
    new ClusterDoctorStack(app, deployment.stackName, {
      env: { account: deployment.account, region: deployment.region },
      config: deployment,
    });
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
