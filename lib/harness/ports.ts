import { createServer } from 'node:net';

/** Asks the OS for a free TCP port on 127.0.0.1. There is a window between closing and reuse: callers retry. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('the OS gave no port'));
      });
    });
  });
}

/**
 * A free port below the OS's ephemeral range (32768 and up here), where `freePort` never looks: an
 * address a test may leave a node trying to reach (a MEET to nowhere) without a server another test
 * starts later answering it and joining the two clusters.
 */
export async function freePortOutsideEphemeral(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.unref();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port found between 20000 and 32000');
}
