import type { CliIo } from '../../lib/cli/io';
import { runCli } from '../../lib/cli/program';

export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with captured output and the given environment. */
export async function cli(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    out: (text) => {
      stdout += text;
    },
    warn: (text) => {
      stderr += `${text}\n`;
    },
    env,
    color: false,
  };
  const status = await runCli(argv, io);
  return { status, stdout, stderr };
}
