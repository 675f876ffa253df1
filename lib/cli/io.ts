/** Where the CLI writes and what it reads from its environment: injected so tests run it in-process. */
export interface CliIo {
  out: (text: string) => void;
  warn: (text: string) => void;
  env: NodeJS.ProcessEnv;
  color: boolean;
}

export function processIo(): CliIo {
  return {
    out: (text) => process.stdout.write(text),
    warn: (text) => process.stderr.write(`${text}\n`),
    env: process.env,
    color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
  };
}
