import { createServer, type Server, type Socket } from 'node:net';

/**
 * What a hostile "server" does once a client connects:
 * - `garbage`: answers every request with bytes that are not RESP;
 * - `huge-bulk`: answers `$1000000000` and then streams the promised bytes, as fast as the client reads;
 * - `endless`: streams a simple string that never ends (no CRLF), so a parser can only buffer;
 * - `silent`: accepts the connection and never says anything.
 */
export type HostileBehaviour = 'garbage' | 'huge-bulk' | 'endless' | 'silent';

export const HOSTILE_BEHAVIOURS: readonly HostileBehaviour[] = ['garbage', 'huge-bulk', 'endless', 'silent'];

const CHUNK = Buffer.alloc(64 * 1024, 'x');
/** Starts with a byte no RESP reply starts with, then an HTML page: what a web server on the wrong port says. */
const GARBAGE = Buffer.concat([Buffer.from([0x00, 0xff]), Buffer.from('<html>not redis</html>\r\n')]);

/**
 * A TCP listener on a free loopback port that misbehaves as told: the fixture for "hostile input never
 * hurts". It streams only while the client keeps reading (it respects backpressure), so the memory that
 * grows is the client's, never the test runner's. Always `stop()` it.
 *
 * @example
 * const server = await HostileServer.start('huge-bulk');
 * // ... run the checker against server.address ...
 * await server.stop();
 */
export class HostileServer {
  private readonly sockets = new Set<Socket>();
  /** Bytes written to all clients so far. */
  bytesSent = 0;
  /** Connections accepted so far. */
  connections = 0;

  private constructor(
    readonly behaviour: HostileBehaviour,
    private readonly server: Server,
    readonly port: number,
  ) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  static start(behaviour: HostileBehaviour): Promise<HostileServer> {
    return new Promise((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      // Port 0: the OS picks a free port and there is no window in which another process takes it.
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        if (!address || typeof address !== 'object') {
          reject(new Error('the OS gave no port'));
          return;
        }
        const hostile = new HostileServer(behaviour, server, address.port);
        server.on('connection', (socket) => hostile.serve(socket));
        resolve(hostile);
      });
    });
  }

  private serve(socket: Socket): void {
    this.connections++;
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    // A client that resets the connection is the expected outcome, not a failure of the fixture.
    socket.on('error', () => socket.destroy());
    switch (this.behaviour) {
      case 'garbage':
        socket.on('data', () => this.write(socket, GARBAGE));
        break;
      case 'huge-bulk':
        socket.once('data', () => {
          this.write(socket, Buffer.from('$1000000000\r\n'));
          this.stream(socket);
        });
        break;
      case 'endless':
        socket.once('data', () => {
          this.write(socket, Buffer.from('+'));
          this.stream(socket);
        });
        break;
      case 'silent':
        break;
    }
  }

  private write(socket: Socket, bytes: Buffer): boolean {
    if (socket.destroyed) return false;
    this.bytesSent += bytes.length;
    return socket.write(bytes);
  }

  /** Writes chunks while the client reads them; waits for `drain` otherwise. Ends when the client leaves. */
  private stream(socket: Socket): void {
    while (!socket.destroyed) {
      if (!this.write(socket, CHUNK)) {
        socket.once('drain', () => this.stream(socket));
        return;
      }
    }
  }

  /** Closes every connection and the listener. */
  stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
