import { connect, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy to `target` (an http:// URL) that cuts every `cutEvery`-th chunk of the server's
 * responses in half and closes both connections there, as a network does that resets a
 * connection mid-response: the client sees `Error: aborted` (ECONNRESET) or a socket hang-up.
 */
export async function startResettingProxy(
  target: string,
  cutEvery: number,
): Promise<{ url: string; cuts: () => number; close: () => Promise<void> }> {
  const upstreamUrl = new URL(target);
  let chunks = 0;
  let cuts = 0;
  const sockets = new Set<Socket>();
  const track = (s: Socket): void => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  const server = createServer((client) => {
    const upstream = connect(Number(upstreamUrl.port), upstreamUrl.hostname);
    track(client);
    track(upstream);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.end());
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      if (++chunks % cutEvery !== 0) {
        client.write(chunk);
        return;
      }
      cuts++;
      client.end(chunk.subarray(0, Math.floor(chunk.length / 2)));
      upstream.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no proxy address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    cuts: () => cuts,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
