import { Command, CommanderError, Option } from 'commander';
import type { CheckFlags } from './check-command';
import type { FixFlags } from './fix-command';
import type { CliIo } from './io';
import { LIMITS, SnapshotWriteError, UsageError } from './options';

export const EXIT_USAGE = 64;
/** The snapshot could not be written (EX_CANTCREAT): the report was printed first. */
export const EXIT_CANT_CREATE = 73;

/** Commander repeats an unknown `--flag=value` whole: the value may be a password typed by mistake. */
const redact = (text: string) => text.replace(/(--?[\w-]+)=[^'"\s]*/g, '$1=***');

/** A usage error is one line (commander puts its "Did you mean" suggestion on a second). */
const oneLine = (text: string) => text.replace(/\n\(Did you mean/g, ' (Did you mean');

function connectionOptions(command: Command): Command {
  return command
    .option('--user <name>', 'ACL user name')
    .option('--password-env <VAR>', 'read the password from this environment variable')
    .option('--tls', 'connect with TLS (certificates verified)')
    .option(
      '--tls-ca <file>',
      "extra CA certificate (PEM) to trust, besides Node's own and NODE_EXTRA_CA_CERTS",
    )
    .option('--tls-insecure', 'do not verify certificates (like redis-cli --insecure)')
    .option(
      '--timeout-ms <n>',
      `deadline for the whole observation, ms (default 10000, ${LIMITS.timeoutMs.min}-${LIMITS.timeoutMs.max})`,
    )
    .option(
      '--max-node-bytes <n>',
      `most bytes of one reply from a node before it is cut off as unreachable (default 8 MiB, ${LIMITS.maxNodeBytes.min}-${LIMITS.maxNodeBytes.max})`,
    )
    .addOption(
      new Option(
        '--map <announced=reachable...>',
        'address map for NAT: announced HOST:PORT=reachable HOST:PORT',
      ),
    );
}

/**
 * Runs the CLI on `argv` (without `node` and the script) and returns the exit status. Never calls
 * `process.exit`, so tests run it in-process.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let status = 0;
  const program = new Command('cluster-doctor')
    .description('Checks a Redis Cluster and repairs known-safe failures behind guards.')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s),
      writeErr: (s) => io.warn(oneLine(redact(s.trimEnd()))),
      // Commander's defaults ask process.stdout and process.stderr, which builds both streams (see io.ts).
      getOutHelpWidth: () => io.columns?.(1) ?? 80,
      getErrHelpWidth: () => io.columns?.(2) ?? 80,
      getOutHasColors: () => false,
      getErrHasColors: () => false,
    });
  connectionOptions(
    program
      .command('check')
      .description(
        'observe every node, run every check, print a report (exit 0 ok, 1 warning, 2 critical, 3 unknown)',
      )
      .argument('[seeds...]', 'HOST:PORT of one or more nodes'),
  )
    .option('--json', 'print exactly one JSON document on stdout')
    .option('--snapshot-out <file>', 'save the observed snapshot as JSON')
    .option('--from-snapshot <file>', 'run the checks on a saved snapshot, with no network')
    .option('--quick', 'skip counting keys in every owned slot (faster; misses stranded keys)')
    .option('--name <cluster>', 'cluster name for the report')
    .action(async (seeds: string[], flags: CheckFlags) => {
      // Loaded on use: `--help` and usage errors never evaluate ioredis and the checks (start-up).
      const { checkCommand } = await import('./check-command');
      status = await checkCommand(seeds, flags, io);
    });
  connectionOptions(
    program
      .command('fix')
      .description('plan the guarded remedies and, with --yes, apply them (exit 0 when healthy afterwards)')
      .argument('[seeds...]', 'HOST:PORT of one or more nodes'),
  )
    .option('--dry-run', 'only print the plan (the default)')
    .option('--yes', 'apply the actions every guard allows')
    .option('--allow <ids>', 'comma-separated remedy ids allowed to act (opt-in ones must be named)')
    .option('--settle-ms <n>', 'time between the two observations that must agree (default 5000)')
    .option('--json', 'print exactly one JSON document on stdout')
    .option('--ghost-min-age-ms <n>', 'forget-ghost-node: how long a node must have been silent')
    .option('--failed-master-min-age-ms <n>', 'promote-replica: how long a master must have been failed')
    .option('--takeover', 'promote-replica may use CLUSTER FAILOVER TAKEOVER')
    .action(async (seeds: string[], flags: FixFlags) => {
      const { fixCommand } = await import('./fix-command');
      status = await fixCommand(seeds, flags, io);
    });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return status;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    if (error instanceof UsageError) {
      io.warn(`cluster-doctor: ${error.message}`);
      return EXIT_USAGE;
    }
    if (error instanceof SnapshotWriteError) {
      io.warn(`cluster-doctor: ${error.message}`);
      return EXIT_CANT_CREATE;
    }
    throw error;
  }
}
