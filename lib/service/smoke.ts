import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { placementFunctionNames } from '../config/function-env';
import type { CheckEvent } from '../config/placement-settings';
import type { FleetConfig } from '../config/schema';
import type { CheckSummary } from './check-handler';

/** One deployed check to invoke: a cluster, its placement's check function, and the event its schedule sends. */
export interface SmokeTarget {
  stackName: string;
  region: string;
  cluster: string;
  functionName: string;
  event: CheckEvent;
}

export interface SmokeResult {
  target: SmokeTarget;
  /** The check's summary, or why there is none (the function failed, or could not be invoked). */
  summary?: CheckSummary;
  error?: string;
}

/**
 * Every cluster of the fleet (or of the named deployments and clusters), with the function that checks
 * it (by the naming convention, which the stack outputs also list) and a `frequent` check event as its
 * schedule would send it, so the smoke run is the scheduled run and leaves what one leaves: state, and
 * the `CheckRan` datapoint the cluster's dead-man alarm waits for after a first deploy. The event
 * names the cluster only: what the run may do is what was deployed, whatever the local file says.
 */
export function smokeTargets(
  fleet: FleetConfig,
  only: { deployments?: string[]; clusters?: string[] } = {},
): SmokeTarget[] {
  return fleet.deployments
    .filter((d) => !only.deployments?.length || only.deployments.includes(d.name))
    .flatMap((d) =>
      d.clusters
        .filter((c) => !only.clusters?.length || only.clusters.includes(c.name))
        .map((c) => ({
          stackName: d.stackName,
          region: d.region,
          cluster: c.name,
          functionName: placementFunctionNames(d.stackName, c.placement).check,
          event: { cluster: c.name, kind: 'frequent' as const },
        })),
    );
}

/**
 * Invokes each target's check once, synchronously (RequestResponse), a few at a time, and returns
 * each summary or error. A function error is the handler's own message (it names what failed and
 * never holds a secret); an invocation that could not be made is the SDK's.
 */
export async function runSmoke(
  targets: SmokeTarget[],
  clientFor: (region: string) => LambdaClient,
  concurrency = 8,
): Promise<SmokeResult[]> {
  const results: SmokeResult[] = new Array(targets.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < targets.length; i = next++) {
      const target = targets[i] as SmokeTarget;
      results[i] = await invokeOnce(target, clientFor(target.region));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, targets.length) }, worker));
  return results;
}

async function invokeOnce(target: SmokeTarget, client: LambdaClient): Promise<SmokeResult> {
  try {
    const out = await client.send(
      new InvokeCommand({
        FunctionName: target.functionName,
        InvocationType: 'RequestResponse',
        Payload: new TextEncoder().encode(JSON.stringify(target.event)),
      }),
    );
    const text = out.Payload ? new TextDecoder().decode(out.Payload) : '';
    const body: unknown = text === '' ? undefined : JSON.parse(text);
    if (out.FunctionError) {
      const message = (body as { errorType?: string; errorMessage?: string } | undefined) ?? {};
      return { target, error: `${message.errorType ?? out.FunctionError}: ${message.errorMessage ?? text}` };
    }
    return { target, summary: body as CheckSummary };
  } catch (error) {
    return { target, error: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

/** One line per cluster, as `npm run smoke` prints them. */
export function formatSmoke(result: SmokeResult): string {
  const { target, summary, error } = result;
  const head = `${target.stackName} ${target.cluster} (${target.functionName})`;
  if (error || !summary) return `FAIL ${head}: ${error ?? 'no summary'}`;
  const published = summary.published.length > 0 ? summary.published.join(',') : 'nothing';
  return `ok   ${head}: ${summary.status}, ${summary.findings} finding(s), published ${published}${summary.remediationStarted ? ', remediation started' : ''}`;
}
