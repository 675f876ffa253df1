#!/usr/bin/env node
import { processIo } from '../lib/cli/io';
import { runCli } from '../lib/cli/program';

runCli(process.argv.slice(2), processIo()).then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    process.stderr.write(
      `cluster-doctor: unexpected error: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exitCode = 70;
  },
);
