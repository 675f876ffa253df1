import { fstatSync, writeSync } from 'node:fs';

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
  /** Width of the terminal the descriptor writes to, for help text; absent or undefined: 80. */
  columns?: (fd: 1 | 2) => number | undefined;
}

/**
 * The real process's output. Answers are written straight to the file descriptor, and whether a
 * descriptor is a terminal is asked only when a command needs to know: the first touch of
 * `process.stdout` or `process.stderr` builds a stream, which on a pipe loads Node's net and stream
 * modules, about 6 ms of a `--help` that otherwise takes 15 ms beyond Node's own start.
 */
export function processIo(): CliIo {
  return {
    out: (text) => writeAll(1, text),
    warn: (text) => writeAll(2, `${text}\n`),
    env: process.env,
    get color() {
      return colorOn(1);
    },
    progress: (text) => writeAll(2, text),
    get progressTty() {
      return isTerminal(2);
    },
    columns: (fd) => (isTerminal(fd) ? (fd === 1 ? process.stdout : process.stderr).columns : undefined),
  };
}

/**
 * Colours and other escapes only for a person at a terminal: never into a pipe or a file, and never
 * when `NO_COLOR` is set to anything (no-color.org).
 */
export function colorOn(fd: 1 | 2): boolean {
  return isTerminal(fd) && !process.env.NO_COLOR;
}

/**
 * A terminal is a character device, so a pipe or a file is answered by `fstat` alone. `node:tty` is
 * loaded only for a character device (a terminal, or /dev/null): importing it loads `net` and the streams.
 */
function isTerminal(fd: 1 | 2): boolean {
  try {
    if (!fstatSync(fd).isCharacterDevice()) return false;
  } catch {
    return false;
  }
  // getBuiltinModule is Node 20.16 and later; before it, the stream answers (and is built).
  if (typeof process.getBuiltinModule !== 'function')
    return Boolean((fd === 1 ? process.stdout : process.stderr).isTTY);
  return process.getBuiltinModule('node:tty').isatty(fd);
}

/** Descriptors that met EAGAIN once: from then on everything goes through their stream, in order. */
const streamed = new Set<1 | 2>();

/**
 * Writes all of `text`, in order with everything written before. A descriptor another process left
 * non-blocking, once full, answers EAGAIN: the rest, and every later write to it, goes through the
 * stream, which waits for room. A reader that went away (`| head`) ends the output silently, as for
 * any Unix tool; the exit status still tells the outcome.
 */
export function writeAll(fd: 1 | 2, text: string): void {
  const stream = () => (fd === 1 ? process.stdout : process.stderr);
  if (streamed.has(fd)) {
    stream().write(text);
    return;
  }
  const bytes = Buffer.from(text);
  let offset = 0;
  try {
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EPIPE') return;
    if (code !== 'EAGAIN') throw error;
    streamed.add(fd);
    stream().write(bytes.subarray(offset));
  }
}
