import { join } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../lib/config/load';
import { formatSmoke, runSmoke, smokeTargets } from '../../../lib/service/smoke';

const lambda = mockClient(LambdaClient);
const fleet = loadConfig(join(__dirname, '..', '..', '..', 'config', 'fleet.example.json'));
const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const clients = new Map<string, LambdaClient>();
const clientFor = (region: string) => {
  if (!clients.has(region)) clients.set(region, new LambdaClient({ region }));
  return clients.get(region) as LambdaClient;
};

beforeEach(() => lambda.reset());
afterAll(() => lambda.restore());

describe('npm run smoke', () => {
  it("invokes each cluster's placement check once, synchronously, with the event its schedule sends", async () => {
    lambda.on(InvokeCommand).callsFake((input: { Payload: Uint8Array }) => {
      const event = JSON.parse(new TextDecoder().decode(input.Payload));
      return {
        StatusCode: 200,
        Payload: encode({
          cluster: event.cluster,
          status: 'ok',
          findings: 0,
          published: [],
          remediationStarted: false,
          credentialsRefreshed: false,
        }),
      };
    });
    const targets = smokeTargets(fleet);
    const results = await runSmoke(targets, clientFor);
    const [paris] = fleet.deployments;
    const orders = paris?.clusters[0];
    if (!orders) throw new Error('the example has orders-cache');
    const inputs = lambda.commandCalls(InvokeCommand).map((c) => c.args[0].input);
    expect(inputs.map((i) => [i.FunctionName, i.InvocationType])).toEqual([
      ['ClusterDoctor-paris-app-vpc-check', 'RequestResponse'],
      ['ClusterDoctor-paris-app-vpc-check', 'RequestResponse'],
      ['ClusterDoctor-paris-batch-vpc-check', 'RequestResponse'],
      ['ClusterDoctor-virginia-edge-check', 'RequestResponse'],
    ]);
    expect(inputs[0]).toEqual({
      FunctionName: 'ClusterDoctor-paris-app-vpc-check',
      InvocationType: 'RequestResponse',
      Payload: encode({ cluster: 'orders-cache', kind: 'frequent' }),
    });
    // Each deployment's functions are called in its own region.
    expect(
      await Promise.all(lambda.commandCalls(InvokeCommand).map((c) => c.thisValue.config.region())),
    ).toEqual(['eu-west-3', 'eu-west-3', 'eu-west-3', 'us-east-1']);
    expect(results.map(formatSmoke)).toEqual([
      'ok   ClusterDoctor-paris orders-cache (ClusterDoctor-paris-app-vpc-check): ok, 0 finding(s), published nothing',
      'ok   ClusterDoctor-paris carts-cache (ClusterDoctor-paris-app-vpc-check): ok, 0 finding(s), published nothing',
      'ok   ClusterDoctor-paris sessions (ClusterDoctor-paris-batch-vpc-check): ok, 0 finding(s), published nothing',
      'ok   ClusterDoctor-virginia edge-cache (ClusterDoctor-virginia-edge-check): ok, 0 finding(s), published nothing',
    ]);
  });

  it('reports a failed check with its error, and an invocation that could not be made, and goes on', async () => {
    lambda
      .on(InvokeCommand, { FunctionName: 'ClusterDoctor-paris-batch-vpc-check' })
      .resolves({
        StatusCode: 200,
        FunctionError: 'Unhandled',
        Payload: encode({
          errorType: 'SecretFormatError',
          errorMessage: 'the cluster secret must be a password',
        }) as never, // the SDK's Uint8Array has helpers the code does not use
      })
      .on(InvokeCommand, { FunctionName: 'ClusterDoctor-virginia-edge-check' })
      .rejects(Object.assign(new Error('Function not found'), { name: 'ResourceNotFoundException' }));
    const results = await runSmoke(smokeTargets(fleet, { clusters: ['sessions', 'edge-cache'] }), clientFor);
    expect(results.map(formatSmoke)).toEqual([
      'FAIL ClusterDoctor-paris sessions (ClusterDoctor-paris-batch-vpc-check): SecretFormatError: the cluster secret must be a password',
      'FAIL ClusterDoctor-virginia edge-cache (ClusterDoctor-virginia-edge-check): ResourceNotFoundException: Function not found',
    ]);
  });

  it('selects deployments and clusters by name', () => {
    expect(smokeTargets(fleet, { deployments: ['virginia'] }).map((t) => t.cluster)).toEqual(['edge-cache']);
    expect(smokeTargets(fleet, { clusters: ['carts-cache'] }).map((t) => t.functionName)).toEqual([
      'ClusterDoctor-paris-app-vpc-check',
    ]);
  });
});
