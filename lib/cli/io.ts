/** Where the CLI writes and what it reads from its environment: injected so tests run it in-process. */
export interface CliIo {
  out: (text: string) => void;
  warn: (text: string) => void;
  env: NodeJS.ProcessEnv;
  color: boolean;
  /** Raw stderr for a progress line (no newline added); absent: progress goes through `warn`. */
  progress?: (text: string) => void;
  /** stderr is a terminal: the progress line is rewritten in place. */
  progressTty?: boolean;
}

export function processIo(): CliIo {
  return {
    out: (text) => process.stdout.write(text),
    warn: (text) => process.stderr.write(`${text}\n`),
    env: process.env,
    color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
    progress: (text) => process.stderr.write(text),
    progressTty: Boolean(process.stderr.isTTY),
  };
}
