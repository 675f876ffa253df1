import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import Redis from 'ioredis';
import { type NodeClock, NodeTimeoutError } from './node-clock';
import type { NodeError, NodeErrorKind } from './types';

/** How to reach the nodes. The password is only ever handed to the client, never logged. */
export interface ConnectionOptions {
  username?: string;
  password?: string;
  tls?: {
    /** Extra CA certificates (PEM), added to Node's own trust store. */
    ca?: string;
    /** Skip certificate verification (`--tls-insecure`). */
    insecure?: boolean;
  };
  /** Per-node timeout for connecting and for each command, ms. */
  nodeTimeoutMs: number;
  /**
   * Charges the per-node timeout to each node's own silence (see {@link NodeClock}) instead of wall-clock
   * timers: for a checker asking many nodes at once. Waits must then go through `NodeClient.within`.
   */
  clock?: NodeClock;
  /** Announced "host:port" -> reachable "host:port" (NAT, port forwarding). */
  addressMap?: Record<string, string>;
  /** Most bytes of one reply from a node (default {@link DEFAULT_MAX_NODE_BYTES}). */
  maxNodeBytes?: number;
}

/**
 * 8 MiB: a 1 000-node cluster's `CLUSTER NODES` with every slot range fragmented is well under 1 MiB,
 * and a deep key scan adds about 100 KiB. Past it the "node" is not one (or is hostile): the parser
 * would buffer whatever it promises (`$1000000000`), so the connection is cut instead.
 */
export const DEFAULT_MAX_NODE_BYTES = 8 * 1024 * 1024;

/** A node sent more than the byte bound allows: its connection was cut. */
export class ReplyTooLargeError extends Error {
  override name = 'ReplyTooLargeError';
  readonly code = 'ERR_REPLY_TOO_LARGE';
}

export function splitAddress(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at).replace(/^\[|\]$/g, '');
  return { host, port: Number(address.slice(at + 1)) };
}

/**
 * Node's own roots, plus NODE_EXTRA_CA_CERTS, plus the user's CA. Passing `ca` to TLS replaces the
 * default store, so the defaults are listed explicitly; undefined keeps Node's behaviour untouched.
 */
function trustStore(extra?: string): string[] | undefined {
  if (!extra) return undefined;
  const store = [...rootCertificates, extra];
  const envFile = process.env.NODE_EXTRA_CA_CERTS;
  if (envFile) {
    try {
      store.push(readFileSync(envFile, 'utf8'));
    } catch {
      // Node itself warns about an unreadable NODE_EXTRA_CA_CERTS at start-up
    }
  }
  return store;
}

const isIp = (host: string) => /^[\d.]+$/.test(host) || host.includes(':');

/** An ioredis client for one node that fails fast instead of retrying: a dead node is a fact, not a wait. */
export function connectNode(address: string, options: ConnectionOptions): NodeClient {
  const { host, port } = splitAddress(address);
  const tls = options.tls
    ? {
        ca: trustStore(options.tls.ca),
        rejectUnauthorized: !options.tls.insecure,
        // SNI and hostname verification use the name the node announces; SNI must not be an IP.
        servername: isIp(host) ? undefined : host,
      }
    : undefined;
  const redis = new Redis({
    host,
    port,
    username: options.username,
    password: options.password,
    tls,
    lazyConnect: true,
    enableReadyCheck: false,
    enableOfflineQueue: true,
    // With a node clock the waits are timed by it (0: no wall-clock timer of ioredis's own).
    connectTimeout: options.clock ? 0 : options.nodeTimeoutMs,
    commandTimeout: options.clock ? undefined : options.nodeTimeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    autoResubscribe: false,
    // RESP2: ioredis 6 speaks RESP3 by default, which costs a `HELLO 3` round trip on every connect
    // before the first question (and maps the replies back to RESP2's shapes anyway). With RESP2 the
    // password, if any, goes in an `AUTH` instead.
    protocol: 2,
    // No CLIENT SETINFO pair at connect: one round trip less per node before the first question.
    disableClientInfo: true,
    // ioredis waits this long for a polite close before destroying the socket, and its timer keeps the
    // process alive: 2 s past the deadline by default. A checker has nothing left to say to a node.
    disconnectTimeout: 0,
  });
  const client = new NodeClient(redis, options.password, options.maxNodeBytes ?? DEFAULT_MAX_NODE_BYTES);
  if (options.clock) client.timeBy(options.clock, options.nodeTimeoutMs);
  return client;
}

/** Wraps one connection and remembers the first low-level error, which explains "Connection is closed". */
export class NodeClient {
  private firstError?: Error;

  private bytesReceived = 0;

  private clock?: { clock: NodeClock; limitMs: number };

  constructor(
    readonly redis: Redis,
    private readonly secret?: string,
    private readonly maxBytes = DEFAULT_MAX_NODE_BYTES,
  ) {
    redis.on('error', (error: Error) => {
      this.firstError ??= error;
    });
    // ioredis has no reply-size limit: count the bytes on the socket since the last reply finished, and
    // cut it past the bound. Its parser listens first (prependListener), so by the time this listener
    // runs the chunk's complete replies are off the queue: a new command at its head means a reply
    // finished within this chunk, and the count starts again (the bytes of the next reply that this
    // chunk began are left out: at most one socket read). So the bound is on one reply, however many
    // replies a long remediation's pipelines add up to.
    redis.on('connect', () => {
      const stream = redis.stream;
      let head = redis.commandQueue.peekFront();
      stream.on('data', (chunk: Buffer) => {
        const now = redis.commandQueue.peekFront();
        if (now !== head || now === undefined) {
          head = now;
          this.bytesReceived = 0;
          return;
        }
        this.bytesReceived += chunk.length;
        if (this.bytesReceived > this.maxBytes && !stream.destroyed) {
          this.firstError = new ReplyTooLargeError(
            `sent more than ${this.maxBytes} bytes of one reply (the --max-node-bytes bound): not a Redis node, or a reply far larger than any this checker asks for`,
          );
          stream.destroy();
        }
      });
    });
  }

  /** Times this client's waits by `clock` (see {@link within}). */
  timeBy(clock: NodeClock, limitMs: number): void {
    this.clock = { clock, limitMs };
  }

  /**
   * Waits for `work`, charged to this node: past its time (on the node clock, when there is one) the
   * connection is cut, so `work` fails as a timeout. Without a clock ioredis's own timers apply.
   */
  async within<T>(work: Promise<T>): Promise<T> {
    if (!this.clock) return work;
    const { clock, limitMs } = this.clock;
    const cancel = clock.start(limitMs, () => {
      this.firstError ??= new NodeTimeoutError(
        `Command timed out: no answer in ${limitMs} ms of the checker waiting for it`,
      );
      this.close();
    });
    try {
      return await work;
    } finally {
      cancel();
    }
  }

  async connect(): Promise<void> {
    if (this.redis.status === 'wait') await this.within(this.redis.connect());
  }

  /** Turns whatever went wrong into a NodeError a person can act on, with any secret removed. */
  describe(error: unknown): NodeError {
    const cause =
      this.firstError instanceof ReplyTooLargeError ||
      (this.firstError && /closed|timed out/i.test(String(error)))
        ? this.firstError
        : error;
    return classifyError(cause, this.secret);
  }

  /**
   * Sends a pipeline in one write: ioredis writes each command to the socket on its own, a syscall
   * (and on loopback a wake-up of the server) per command; corked, Node sends them together.
   */
  exec(pipeline: ReturnType<Redis['pipeline']>): ReturnType<typeof pipeline.exec> {
    const stream = this.redis.stream;
    const corked = this.redis.status === 'ready' && stream && !stream.destroyed;
    if (corked) stream.cork();
    let work: ReturnType<typeof pipeline.exec>;
    try {
      work = pipeline.exec();
    } finally {
      if (corked) stream.uncork();
    }
    return this.within(work);
  }

  /** Closes at once: no timer or socket of this client outlives the call. */
  close(): void {
    this.redis.disconnect();
    this.redis.stream?.destroy();
  }
}

/** A message that came (partly) from the network: printable and short, whatever the peer sent. */
function printable(message: string): string {
  const clean = message.replace(/[\p{Cc}\p{Cf}]/gu, '?');
  return clean.length > 300 ? `${clean.slice(0, 300)}...` : clean;
}

export function classifyError(error: unknown, secret?: string): NodeError {
  const code = (error as { code?: string })?.code ?? '';
  let message = error instanceof Error ? error.message : String(error);
  if (secret) message = message.split(secret).join('***');
  message = printable(message);
  let kind: NodeErrorKind = 'other';
  if (code === 'ERR_REPLY_TOO_LARGE') kind = 'protocol';
  else if (/Unknown RESP type|Protocol error|ReplyParserError/i.test(`${code} ${message}`)) {
    kind = 'protocol';
    message = `not speaking the Redis protocol (${message})`;
  } else if (
    /WRONGPASS|NOAUTH|invalid password|invalid username-password|AUTH.*called without any password/i.test(
      message,
    )
  ) {
    kind = 'auth';
  } else if (/NOPERM/.test(message)) kind = 'restricted';
  else if (code === 'ECONNREFUSED' || /ECONNREFUSED/.test(message)) kind = 'refused';
  else if (code === 'ETIMEDOUT' || /timed out|timeout/i.test(message)) kind = 'timeout';
  else if (
    /certificate|CERT_|SSL|TLS|self.signed|wrong version number|handshake/i.test(`${code} ${message}`)
  ) {
    kind = 'tls';
  } else if (/unknown command|ERR/.test(message)) kind = 'protocol';
  return { kind, message: explain(kind, message) };
}

function explain(kind: NodeErrorKind, message: string): string {
  switch (kind) {
    case 'auth':
      return `authentication failed (${message.split('\n')[0]}): check the user and the password`;
    case 'refused':
      return 'connection refused: nothing listens on that port (node down?)';
    case 'timeout':
      return `no answer in time (${message}): node paused, overloaded or unreachable`;
    case 'tls':
      return `TLS failed (${message}): check --tls, the CA (--tls-ca) and the name the node announces`;
    default:
      return message;
  }
}
