/**
 * RESP2 as a Redis server speaks it, for the fake cluster: requests in (arrays of bulk strings, or an
 * inline command), replies out. Only what the fake answers; nothing here is used by the checker.
 */

/** A reply value: text is a bulk string, an Error an error reply, null a nil bulk. */
export type RespValue = string | number | null | Error | Buffer | RespValue[];

/** A simple-string reply (`+OK`), as distinct from a bulk string. */
export class SimpleString {
  constructor(readonly text: string) {}
}

export function encode(value: RespValue | SimpleString): Buffer {
  const parts: Buffer[] = [];
  write(value, parts);
  return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
}

function write(value: RespValue | SimpleString, parts: Buffer[]): void {
  if (value === null) parts.push(Buffer.from('$-1\r\n'));
  else if (value instanceof SimpleString) parts.push(Buffer.from(`+${value.text}\r\n`));
  else if (value instanceof Error) parts.push(Buffer.from(`-${value.message}\r\n`));
  else if (typeof value === 'number') parts.push(Buffer.from(`:${value}\r\n`));
  else if (typeof value === 'string' || Buffer.isBuffer(value)) {
    const bytes = typeof value === 'string' ? Buffer.from(value) : value;
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'));
  } else {
    parts.push(Buffer.from(`*${value.length}\r\n`));
    for (const item of value) write(item, parts);
  }
}

/** Bulk-string header for a payload of `length` bytes: lets a caller send a prepared payload as is. */
export function bulkHeader(length: number): Buffer {
  return Buffer.from(`$${length}\r\n`);
}

/** Splits a byte stream into commands; keeps an incomplete tail for the next chunk. */
export class RequestParser {
  private buffer: Buffer = Buffer.alloc(0);

  /** Most bytes one request may take: a client sending more is cut off, as Redis does (512 MB there). */
  constructor(private readonly maxBytes = 16 * 1024 * 1024) {}

  /** The complete commands in what has arrived so far; throws on a protocol error. */
  push(chunk: Buffer): string[][] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const commands: string[][] = [];
    let offset = 0;
    for (;;) {
      const parsed = this.buffer[offset] === 0x2a ? this.array(offset) : this.inline(offset);
      if (!parsed) break;
      if (parsed.args.length > 0) commands.push(parsed.args);
      offset = parsed.next;
    }
    this.buffer = this.buffer.subarray(offset);
    if (this.buffer.length > this.maxBytes) throw new Error('Protocol error: request too large');
    return commands;
  }

  private line(offset: number): { text: string; next: number } | undefined {
    const end = this.buffer.indexOf('\r\n', offset);
    if (end < 0) return undefined;
    return { text: this.buffer.toString('latin1', offset, end), next: end + 2 };
  }

  private inline(offset: number): { args: string[]; next: number } | undefined {
    const end = this.buffer.indexOf('\n', offset);
    if (end < 0 || offset >= this.buffer.length) return undefined;
    const text = this.buffer.toString('utf8', offset, end).replace(/\r$/, '');
    return { args: text.split(' ').filter((a) => a !== ''), next: end + 1 };
  }

  private array(offset: number): { args: string[]; next: number } | undefined {
    const header = this.line(offset);
    if (!header) return undefined;
    const count = Number(header.text.slice(1));
    if (!Number.isInteger(count) || count > 1024 * 1024)
      throw new Error('Protocol error: invalid multibulk length');
    const args: string[] = [];
    let next = header.next;
    for (let i = 0; i < count; i++) {
      const size = this.line(next);
      if (!size) return undefined;
      if (!size.text.startsWith('$')) throw new Error(`Protocol error: expected '$', got '${size.text[0]}'`);
      const length = Number(size.text.slice(1));
      if (!Number.isInteger(length) || length < 0) throw new Error('Protocol error: invalid bulk length');
      if (this.buffer.length < size.next + length + 2) return undefined;
      args.push(this.buffer.toString('utf8', size.next, size.next + length));
      next = size.next + length + 2;
    }
    return { args, next };
  }
}
