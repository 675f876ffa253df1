#!/usr/bin/env node
import { processIo } from '../lib/cli/io';
import { runCli } from '../lib/cli/program';

/**
 * Once the answer is printed nothing is left to wait for. The library closes its sockets and timers
 * itself (a test holds it to that); this unref'd timer only fires if a stray handle, e.g. a DNS
 * lookup of a name that never answers, would keep the process alive past the deadline.
 */
const exitSoon = (status: number) => {
  process.exitCode = status;
  setTimeout(() => process.exit(status), 50).unref();
};

runCli(process.argv.slice(2), processIo()).then(exitSoon, (error: unknown) => {
  // One line: a stack trace helps no user and may print values; CLUSTER_DOCTOR_DEBUG=1 shows it.
  const detail = process.env.CLUSTER_DOCTOR_DEBUG && error instanceof Error ? `\n${error.stack}` : '';
  const message = error instanceof Error ? `${error.name}: ${error.message}` : 'unknown failure';
  process.stderr.write(`cluster-doctor: unexpected error: ${message.split('\n')[0]}${detail}\n`);
  exitSoon(70);
});
