import Redis from 'ioredis';

/**
 * A plain RESP2 client to one node (no cluster redirections, no retries), for tests that compare
 * replies byte for byte; disconnected after `use`, whatever it throws.
 */
export async function withNodeClient<T>(address: string, use: (client: Redis) => Promise<T>): Promise<T> {
  const [host, port] = address.split(':');
  const client = new Redis({
    host,
    port: Number(port),
    protocol: 2,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
  });
  try {
    await client.connect();
    return await use(client);
  } finally {
    client.disconnect();
  }
}
