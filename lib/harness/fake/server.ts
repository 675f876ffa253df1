/**
 * The fake cluster's process (started by `FakeCluster.start`): receives its topology over IPC, listens
 * on one free loopback port per node, answers `{ nodes }` and serves RESP2 until its parent kills it
 * or goes away. One process for every node, so a thousand nodes cost one Node process, not a
 * thousand redis-servers.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { type FakeClusterState, FakeNodeReplies } from './replies';
import { bulkHeader, encode, RequestParser } from './resp';
import { type FakeTopologyOptions, layout } from './topology';

export interface FakeServerReady {
  nodes: { index: number; id: string; port: number; busPort: number; role: string; master?: number }[];
}

const CRLF = Buffer.from('\r\n');

function listen(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer({ noDelay: true });
    server.once('error', reject);
    // Port 0: the OS picks a free port, with no window in which another process takes it.
    server.listen({ port: 0, host: '127.0.0.1', backlog: 1024 }, () => resolve(server));
  });
}

function portOf(server: Server): number {
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('a fake node has no port');
  return address.port;
}

function serve(socket: Socket, replies: FakeNodeReplies): void {
  const parser = new RequestParser();
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: Buffer) => {
    // A stalled node reads (the kernel would accept and buffer too) and never answers.
    if (replies.stalled) return;
    let commands: string[][];
    try {
      commands = parser.push(chunk);
    } catch (error) {
      socket.end(encode(new Error(`ERR ${(error as Error).message}`)));
      return;
    }
    if (commands.length === 0) return;
    socket.cork();
    for (const command of commands) {
      const answer = replies.answer(command);
      if (answer && typeof answer === 'object' && 'view' in answer) {
        socket.write(bulkHeader(answer.view.length));
        socket.write(answer.view);
        socket.write(CRLF);
      } else socket.write(encode(answer));
      if ((command[0] ?? '').toUpperCase() === 'QUIT') {
        socket.end();
        break;
      }
    }
    socket.uncork();
  });
}

async function start(options: FakeTopologyOptions): Promise<FakeServerReady> {
  const nodes = layout(options);
  const servers: Server[] = [];
  // Listeners first (the views print every node's port), a few hundred at a time.
  for (let i = 0; i < nodes.length; i += 256)
    servers.push(...(await Promise.all(nodes.slice(i, i + 256).map(() => listen()))));
  nodes.forEach((n, i) => {
    n.port = portOf(servers[i] as Server);
    // Redis's default bus port is the port + 10000; nothing is served there (as behind a firewall).
    n.busPort = n.port + 10_000 <= 65_535 ? n.port + 10_000 : n.port - 10_000;
  });
  const state: FakeClusterState = {
    nodes,
    faults: options.faults ?? [],
    keysPerSlot: options.keysPerSlot ?? 0,
    seed: options.seed ?? 1,
    startedAt: Date.now() - 3_600_000,
  };
  nodes.forEach((n, i) => {
    const replies = new FakeNodeReplies(state, n);
    (servers[i] as Server).on('connection', (socket) => serve(socket, replies));
  });
  return {
    nodes: nodes.map((n) => ({
      index: n.index,
      id: n.id,
      port: n.port,
      busPort: n.busPort,
      role: n.role,
      master: n.master,
    })),
  };
}

process.once('message', (message) => {
  start(message as FakeTopologyOptions).then(
    (ready) => process.send?.(ready),
    (error: unknown) => process.send?.({ error: String((error as Error)?.stack ?? error) }),
  );
});
// The parent died without killing us: do not outlive it.
process.once('disconnect', () => process.exit(0));
