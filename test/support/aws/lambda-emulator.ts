import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { ACCOUNT, type MotoStack, TEST_CREDENTIALS } from './moto-stack';

const RUNTIME = join(__dirname, 'lambda-runtime.cjs');

/** A function of the template, as the emulator runs it. */
export interface EmulatedFunction {
  logicalId: string;
  name: string;
  arn: string;
  /** The staged bundle (`asset.../index.js`). */
  bundle: string;
  /** The environment the template gives it, resolved. */
  environment: Record<string, string>;
  /** Where its layer is "mounted" (Lambda: /opt). */
  layersDir?: string;
  timeoutS: number;
  memoryMb: number;
  /** Asynchronous invocations: retries after a function error, and where one that failed for good goes. */
  retries: number;
  onFailure?: { function: string } | { queueUrl: string };
  /** Whether it runs in a VPC (such functions reach AWS by `vpcEndpoints`). */
  inVpc: boolean;
  /** Whether Lambda puts its role's credentials in its environment (false: a role it cannot assume). */
  credentials?: boolean;
}

export type FunctionError = { errorType: string; errorMessage: string };

/** One invocation as it ran: what it was given, how it ended, what it logged. */
export interface Invocation {
  function: string;
  requestId: string;
  event: unknown;
  async: boolean;
  attempt: number;
  result?: unknown;
  error?: FunctionError;
  /** Its stdout lines (Powertools' log lines and EMF metrics). */
  logs: string[];
  ms: number;
  /** When it started, by the simulation's clock (the real time when there is none). */
  at: number;
}

export interface EmulatorOptions {
  /** Where the functions' AWS calls go (the recorder in front of moto). */
  awsEndpoint: string;
  /**
   * Per-service endpoints of the functions that run in a VPC: what their subnets reach. An entry
   * pointing at a closed port is a subnet without a route to that service.
   */
  vpcEndpoints?: Partial<Record<'SECRETS_MANAGER' | 'SNS' | 'DYNAMODB' | 'LAMBDA', string>>;
  /**
   * The simulation's clock (tests only): each invocation runs from this time at real speed, as far as
   * the bundle can tell (lambda-runtime.cjs shifts its Date).
   */
  clock?: () => number;
  /** Told of every invocation as it ends: the simulation turns them into Lambda's own metrics. */
  onInvocation?: (invocation: Invocation) => void;
  /** Told of every record sent to an on-failure queue (SQS's NumberOfMessagesSent). */
  onQueueSend?: (queueUrl: string, at: number) => void;
}

interface Container {
  child: ChildProcess;
  fn: EmulatedFunction;
  busy: boolean;
  stdout: string[];
}

/**
 * Lambda as the synthesized template describes it, on this machine: each function's staged bundle
 * runs in Node child processes that stay warm between invocations (a new one when all are busy, or
 * after an init error, a timeout or an out-of-memory kill), with the template's environment,
 * layers, timeout and memory size. Asynchronous invocations are retried as the function's
 * EventInvokeConfig says, then handed to its on-failure destination with Lambda's invocation
 * record. The functions' own Lambda API calls (`Invoke`) come back here over HTTP.
 */
export class LambdaEmulator {
  readonly functions = new Map<string, EmulatedFunction>();
  readonly invocations: Invocation[] = [];
  private readonly containers: Container[] = [];
  private readonly started = new Map<string, number>();
  private readonly pending = new Set<Promise<void>>();
  private server?: Server;
  private lambdaEndpoint = '';

  private constructor(
    readonly stack: MotoStack,
    private options: EmulatorOptions,
  ) {}

  static async start(stack: MotoStack, options: EmulatorOptions): Promise<LambdaEmulator> {
    const emulator = new LambdaEmulator(stack, options);
    emulator.readFunctions();
    await emulator.listen();
    return emulator;
  }

  /** The simulation's clock and hooks, set once the deployment they watch exists. */
  simulate(hooks: Pick<EmulatorOptions, 'clock' | 'onInvocation' | 'onQueueSend'>): void {
    this.options = { ...this.options, ...hooks };
  }

  /** Changes where VPC functions' calls go (a route removed or restored); warm containers are discarded. */
  setVpcEndpoints(endpoints: EmulatorOptions['vpcEndpoints']): void {
    this.options = { ...this.options, vpcEndpoints: endpoints };
    this.discardContainers();
  }

  private readFunctions(): void {
    const { stack } = this.stack;
    const invokeConfigs = stack.ofType('AWS::Lambda::EventInvokeConfig').map(([, r]) => r.Properties);
    for (const [id, resource] of stack.ofType('AWS::Lambda::Function')) {
      const p = resource.Properties;
      const name = String(p.FunctionName);
      const env = this.stack.resolve((p.Environment as { Variables?: object } | undefined)?.Variables ?? {});
      const layers = ((p.Layers as unknown[] | undefined) ?? []).map((ref) => (ref as { Ref: string }).Ref);
      if (layers.length > 1) throw new Error(`${name}: the emulator mounts one layer per function`);
      const config = invokeConfigs.find((c) => (c.FunctionName as { Ref?: string }).Ref === id);
      const destination = (config?.DestinationConfig as { OnFailure?: { Destination: unknown } } | undefined)
        ?.OnFailure?.Destination as { 'Fn::GetAtt'?: [string, string] } | undefined;
      const target = destination?.['Fn::GetAtt']?.[0];
      const targetType = target ? stack.resources[target]?.Type : undefined;
      this.functions.set(name, {
        logicalId: id,
        name,
        arn: `arn:aws:lambda:${this.stack.region}:${ACCOUNT}:function:${name}`,
        bundle: join(stack.assetDir(id), String(p.Handler).split('.')[0] ?? 'index'),
        environment: env as Record<string, string>,
        ...(layers[0] ? { layersDir: stack.assetDir(layers[0]) } : {}),
        timeoutS: Number(p.Timeout ?? 3),
        memoryMb: Number(p.MemorySize ?? 128),
        retries: Number(config?.MaximumRetryAttempts ?? 2),
        ...(target && targetType === 'AWS::Lambda::Function'
          ? { onFailure: { function: String(stack.resources[target]?.Properties.FunctionName) } }
          : target && targetType === 'AWS::SQS::Queue'
            ? { onFailure: { queueUrl: this.stack.ref(target) } }
            : {}),
        inVpc: p.VpcConfig !== undefined,
      });
    }
  }

  /** A scenario's change to a function (a lower timeout or memory, a broken bundle): a new deployment of it. */
  redeploy(
    name: string,
    patch: Partial<
      Pick<EmulatedFunction, 'timeoutS' | 'memoryMb' | 'bundle' | 'environment' | 'credentials'>
    >,
  ) {
    const fn = this.fn(name);
    this.functions.set(name, { ...fn, ...patch });
    this.discardContainers(name);
  }

  /** How many execution environments of a function were started (cold starts). */
  starts(name: string): number {
    return this.started.get(this.fn(name).name) ?? 0;
  }

  fn(name: string): EmulatedFunction {
    const found = this.functions.get(name) ?? [...this.functions.values()].find((f) => f.arn === name);
    if (!found) throw new Error(`no function ${name} in the template`);
    return found;
  }

  /** `Invoke` with `RequestResponse`: the caller waits for the outcome. */
  async invoke(name: string, event: unknown): Promise<Invocation> {
    return this.run(this.fn(name), event, false, 1);
  }

  /** `Invoke` with `Event`: queued, retried, and handed to the on-failure destination when it fails for good. */
  invokeAsync(name: string, event: unknown): void {
    const fn = this.fn(name);
    const work = (async () => {
      let last: Invocation | undefined;
      for (let attempt = 1; attempt <= fn.retries + 1; attempt++) {
        last = await this.run(fn, event, true, attempt);
        if (!last.error) return;
      }
      if (last?.error) await this.fail(fn, event, last);
    })();
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  /** Waits until no asynchronous invocation (nor any it started) is left. */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Lambda's on-failure record, to the destination the template names. */
  private async fail(fn: EmulatedFunction, event: unknown, last: Invocation): Promise<void> {
    if (!fn.onFailure) return;
    const record = {
      version: '1.0',
      timestamp: new Date().toISOString(),
      requestContext: {
        requestId: last.requestId,
        functionArn: `${fn.arn}:$LATEST`,
        condition: 'RetriesExhausted',
        approximateInvokeCount: last.attempt,
      },
      requestPayload: event,
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: last.error,
    };
    if ('function' in fn.onFailure) this.invokeAsync(fn.onFailure.function, record);
    else {
      await this.stack.clients.sqs.send(
        new SendMessageCommand({ QueueUrl: fn.onFailure.queueUrl, MessageBody: JSON.stringify(record) }),
      );
      this.options.onQueueSend?.(fn.onFailure.queueUrl, this.options.clock?.() ?? Date.now());
    }
  }

  private async run(
    fn: EmulatedFunction,
    event: unknown,
    async: boolean,
    attempt: number,
  ): Promise<Invocation> {
    const requestId = randomUUID();
    const started = Date.now();
    const at = this.options.clock?.() ?? started;
    const container = await this.acquire(fn);
    const outcome = await this.send(container, {
      requestId,
      event,
      deadline: started + fn.timeoutS * 1000,
      ...(this.options.clock ? { clock: at } : {}),
    });
    const logs = container.stdout.splice(0);
    const invocation: Invocation = {
      function: fn.name,
      requestId,
      event,
      async,
      attempt,
      ...outcome,
      logs: logs.filter((line) => !/^(START|END) RequestId: /.test(line)),
      ms: Date.now() - started,
      at,
    };
    this.invocations.push(invocation);
    this.options.onInvocation?.(invocation);
    return invocation;
  }

  private async acquire(fn: EmulatedFunction): Promise<Container> {
    const idle = this.containers.find((c) => c.fn === fn && !c.busy && c.child.exitCode === null);
    if (idle) {
      idle.busy = true;
      return idle;
    }
    this.started.set(fn.name, (this.started.get(fn.name) ?? 0) + 1);
    const child = fork(RUNTIME, [fn.bundle, 'handler'], {
      cwd: join(fn.bundle, '..'),
      env: this.environmentOf(fn),
      execArgv: [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const container: Container = { child, fn, busy: true, stdout: [] };
    let partial = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      container.stdout.push(...lines);
    });
    child.stderr?.on('data', () => {});
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`${fn.name}: the runtime exited at start (${code})`)));
    });
    this.containers.push(container);
    return container;
  }

  /** The environment Lambda gives the function: the template's, its role's credentials, its region. */
  private environmentOf(fn: EmulatedFunction): NodeJS.ProcessEnv {
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_') && !k.startsWith('POWERTOOLS_')),
    );
    const routes = fn.inVpc ? (this.options.vpcEndpoints ?? {}) : {};
    return {
      ...inherited,
      ...fn.environment,
      ...(fn.credentials === false
        ? {}
        : // The role's own key: the recorder tells which function made a call by it.
          { ...TEST_CREDENTIALS, AWS_ACCESS_KEY_ID: accessKeyOf(fn.name) }),
      AWS_REGION: this.stack.region,
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
      AWS_ENDPOINT_URL: this.options.awsEndpoint,
      AWS_ENDPOINT_URL_LAMBDA: this.lambdaEndpoint,
      ...Object.fromEntries(
        Object.entries(routes).map(([service, url]) => [`AWS_ENDPOINT_URL_${service}`, url]),
      ),
      ...(fn.layersDir ? { CLUSTER_DOCTOR_LAYERS_DIR: fn.layersDir } : {}),
    };
  }

  /**
   * One invocation in a container: its outcome, or what Lambda says when the runtime could not
   * answer (a timeout, a memory kill, a crash). A container that did not answer is never reused.
   */
  private send(
    container: Container,
    request: { requestId: string; event: unknown; deadline: number; clock?: number },
  ): Promise<{ result?: unknown; error?: FunctionError }> {
    const { child, fn } = container;
    const id = randomUUID();
    return new Promise((resolve) => {
      let killedFor: 'timeout' | 'memory' | undefined;
      const finish = (outcome: { result?: unknown; error?: FunctionError }, reusable: boolean) => {
        clearTimeout(timer);
        clearInterval(watch);
        child.off('message', onMessage);
        child.off('exit', onExit);
        container.busy = false;
        if (!reusable) this.discard(container);
        resolve(outcome);
      };
      const onMessage = (message: {
        id?: string;
        result?: unknown;
        error?: FunctionError;
        init?: boolean;
      }) => {
        if (message.id !== id) return;
        if (message.error) finish({ error: message.error }, !message.init);
        else finish({ result: message.result }, true);
      };
      const onExit = () => {
        const error: FunctionError =
          killedFor === 'timeout'
            ? {
                errorType: 'Sandbox.Timedout',
                errorMessage: `RequestId: ${request.requestId} Error: Task timed out after ${fn.timeoutS.toFixed(2)} seconds`,
              }
            : killedFor === 'memory'
              ? {
                  errorType: 'Runtime.OutOfMemory',
                  errorMessage: `RequestId: ${request.requestId} Error: Runtime exited with error: signal: killed`,
                }
              : {
                  errorType: 'Runtime.ExitError',
                  errorMessage: `RequestId: ${request.requestId} Error: Runtime exited with error: exit status ${child.exitCode}`,
                };
        finish({ error }, false);
      };
      const timer = setTimeout(
        () => {
          killedFor = 'timeout';
          child.kill('SIGKILL');
        },
        Math.max(0, request.deadline - Date.now()),
      );
      // Lambda stops a function at its memory size: the runtime is killed, the invocation fails.
      const watch = setInterval(() => {
        if (rssMb(child.pid) > fn.memoryMb) {
          killedFor = 'memory';
          child.kill('SIGKILL');
        }
      }, 50);
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send({ id, ...request, functionName: fn.name });
    });
  }

  private discard(container: Container): void {
    const at = this.containers.indexOf(container);
    if (at >= 0) this.containers.splice(at, 1);
    if (container.child.exitCode === null) container.child.kill('SIGKILL');
  }

  private discardContainers(name?: string): void {
    for (const c of [...this.containers]) if (!name || c.fn.name === name) if (!c.busy) this.discard(c);
  }

  /** The Lambda API the bundles call for `Invoke` (the check handing a cluster to its fix function). */
  private async listen(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(req.url ?? '');
        if (req.method !== 'POST' || !match) {
          res.writeHead(404).end();
          return;
        }
        const name = decodeURIComponent(match[1] as string);
        const body = Buffer.concat(chunks).toString();
        const event = body === '' ? {} : JSON.parse(body);
        if (req.headers['x-amz-invocation-type'] === 'Event') {
          this.invokeAsync(name, event);
          res.writeHead(202, { 'content-type': 'application/json' }).end();
          return;
        }
        void this.invoke(name, event).then((done) => {
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          if (done.error) headers['x-amz-function-error'] = 'Unhandled';
          res.writeHead(200, headers).end(JSON.stringify(done.error ?? done.result ?? null));
        });
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.lambdaEndpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await this.settle().catch(() => {});
    for (const c of [...this.containers]) this.discard(c);
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** The access key id a function's calls are signed with (its role's, as Lambda sets it). */
export const accessKeyOf = (functionName: string) =>
  `AKIA${functionName.toUpperCase().replace(/[^A-Z0-9]/g, '')}`.slice(0, 128);

/** The function that signed a recorded call (its access key), if any. */
export function callerOf(authorization: unknown, functions: Iterable<string>): string | undefined {
  const key = /Credential=([^/]+)\//.exec(String(authorization ?? ''))?.[1];
  for (const name of functions) if (accessKeyOf(name) === key) return name;
  return undefined;
}

/** Resident memory of a process, MiB (0 when it is gone). */
function rssMb(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return Number(kb ?? 0) / 1024;
  } catch {
    return 0;
  }
}
