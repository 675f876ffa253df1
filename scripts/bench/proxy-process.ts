/**
 * Child process of `ProxyFleet`: receives `{ targets, delayMs }` over IPC, opens one delay proxy per
 * target port, answers `{ ports }`, and serves until its parent kills it or goes away.
 */
import { listenDelayProxy, type ProxyReply, type ProxyRequest } from './delay-proxy';

process.once('message', async (message) => {
  const { targets, delayMs } = message as ProxyRequest;
  const servers = await Promise.all(targets.map((t) => listenDelayProxy(t, delayMs)));
  const ports = servers.map((s) => {
    const address = s.address();
    if (!address || typeof address === 'string') throw new Error('a delay proxy has no port');
    return address.port;
  });
  process.send?.({ ports } satisfies ProxyReply);
});
// The parent died without killing us: do not outlive it.
process.once('disconnect', () => process.exit(0));
