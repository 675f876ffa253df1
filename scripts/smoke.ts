import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { Command } from 'commander';
import { ConfigError, loadConfig } from '../lib/config/load';
import { formatSmoke, runSmoke, smokeTargets } from '../lib/service/smoke';

/**
 * `npm run smoke [-- --config FILE] [--deployment NAME...] [--cluster NAME...]`: invokes each deployed
 * check once, synchronously, with the event its schedule sends, and prints the summaries. Exit 1 when
 * any check failed or could not be invoked. Uses the AWS credentials of the environment.
 */
const program = new Command('smoke')
  .option('--config <file>', 'the configuration deployed (default: config/clusters.json, else the example)')
  .option('--deployment <names...>', 'only these deployments')
  .option('--cluster <names...>', 'only these clusters')
  .parse();
const options = program.opts<{ config?: string; deployment?: string[]; cluster?: string[] }>();
const own = join(__dirname, '..', 'config', 'clusters.json');
const path = options.config
  ? resolve(options.config)
  : existsSync(own)
    ? own
    : join(__dirname, '..', 'config', 'clusters.example.json');

async function main(): Promise<number> {
  const targets = smokeTargets(loadConfig(path), {
    deployments: options.deployment,
    clusters: options.cluster,
  });
  if (targets.length === 0) {
    console.error(`${path}: no cluster matches`);
    return 64;
  }
  const clients = new Map<string, LambdaClient>();
  const clientFor = (region: string) => {
    if (!clients.has(region)) clients.set(region, new LambdaClient({ region }));
    return clients.get(region) as LambdaClient;
  };
  const results = await runSmoke(targets, clientFor);
  for (const result of results) console.log(formatSmoke(result));
  const failed = results.filter((r) => r.error).length;
  console.log(`${results.length - failed}/${results.length} checks answered`);
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(error instanceof ConfigError ? 64 : 1);
  },
);
