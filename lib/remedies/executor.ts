import { type ConnectionOptions, connectNode, type NodeClient } from '../observe/connection';

/** The node refused the command as unknown, renamed or not permitted (managed services, ACLs). */
/** Where a long move stands: for a progress line. */
export interface MigrateProgress {
  slot: number;
  moved: number;
  /** Keys in the slot on the source when the move started (more may be written meanwhile). */
  total: number;
  elapsedMs: number;
}

export class RemedyUnavailableError extends Error {
  override name = 'RemedyUnavailableError';
}

/** MIGRATE met a key that already exists on the target: nothing was overwritten, the run stops. */
export class BusyKeyError extends Error {
  override name = 'BusyKeyError';
}

/**
 * A key move reached the run's deadline between two rounds and stopped there: the slot keeps both
 * marks (`MIGRATING` on the source, `IMPORTING` on the target), the `resume` state the next run
 * finishes. Nothing was lost: every key is on one side or the other.
 */
export class DeadlineError extends Error {
  override name = 'DeadlineError';

  constructor(
    message: string,
    readonly moved: number,
  ) {
    super(message);
  }
}

/** A write a remedy sent failed for another reason. */
export class RemedyCommandError extends Error {
  override name = 'RemedyCommandError';
}

/** A command's argument. A key name read back as bytes goes as a Buffer, so it arrives unchanged. */
export type CommandArg = string | number | Buffer;

/**
 * Sends remedy commands to nodes by address and records each one. The only place remedies write;
 * errors come back as named classes so the runner can tell "unavailable" from "failed".
 */
export class Executor {
  private readonly clients = new Map<string, NodeClient>();
  /** Told how a long key move stands (FixOptions.progress), for a progress line. */
  onProgress?: (progress: MigrateProgress) => void;
  /** Epoch ms past which a key move stops between rounds (asked before each round). */
  deadline?: () => number | undefined;

  constructor(
    readonly connection: ConnectionOptions,
    readonly log: string[] = [],
  ) {}

  /** An executor with connections of its own, recording in the same log: close it when done. */
  lane(): Executor {
    const lane = new Executor(this.connection, this.log);
    lane.onProgress = this.onProgress;
    lane.deadline = this.deadline;
    return lane;
  }

  async run(address: string, ...args: CommandArg[]): Promise<unknown> {
    return this.send(address, args, false);
  }

  /** As {@link run}, with bulk replies as Buffers: key names, which Redis keeps as bytes, not text. */
  async runBuffers(address: string, ...args: CommandArg[]): Promise<unknown> {
    return this.send(address, args, true);
  }

  private async send(address: string, args: CommandArg[], buffers: boolean): Promise<unknown> {
    const text = args.map(String);
    this.log.push(`${address} ${describeCommand(redact(text, this.connection.password))}`);
    let client = this.clients.get(address);
    if (!client) {
      client = connectNode(address, this.connection);
      this.clients.set(address, client);
    }
    try {
      await client.connect();
      const sent = args.map((a) => (typeof a === 'number' ? String(a) : a));
      const name = text[0] as string;
      return await (buffers
        ? client.redis.callBuffer(name, ...sent.slice(1))
        : client.redis.call(name, ...sent.slice(1)));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const safe = this.connection.password ? message.split(this.connection.password).join('***') : message;
      // The original error is kept as the cause, unless its text carried the password.
      const cause = safe === message ? error : undefined;
      if (/BUSYKEY/.test(safe)) throw new BusyKeyError(`${address}: ${safe}`, { cause });
      if (/unknown command|unknown subcommand|NOPERM|disabled/i.test(safe)) {
        throw new RemedyUnavailableError(`${address} refused ${text.slice(0, 2).join(' ')}: ${safe}`, {
          cause,
        });
      }
      const hint = /CLUSTERDOWN/.test(safe)
        ? ' (the cluster is down: commands on keys are refused until every slot is served)'
        : '';
      throw new RemedyCommandError(`${address} ${text.slice(0, 3).join(' ')}: ${safe}${hint}`, { cause });
    }
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}

/** Hides AUTH arguments of MIGRATE in logs. */
function redact(args: string[], password?: string): string[] {
  return args.map((a, i) =>
    (password && a === password) || /^AUTH2?$/i.test(args[i - 1] ?? '') ? '***' : a,
  );
}

/** A command as logged and reported: MIGRATE's key list (key names may be sensitive) and credentials summarised. */
export function describeCommand(args: CommandArg[]): string {
  const shown = args.map((a) => (a === '' ? '""' : String(a)));
  const keysAt = shown.indexOf('KEYS');
  if (shown[0] !== 'MIGRATE' || keysAt < 0) return shown.join(' ');
  return `${shown.slice(0, 6).join(' ')} KEYS <${shown.length - keysAt - 1} keys>`;
}
