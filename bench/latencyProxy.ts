// A TCP proxy on loopback (to the server of `databaseUrl`, any database on it) that holds every chunk for `oneWayMs` in each direction: the network between an
// instance and its database, which in production is a millisecond or two per round trip, not loopback's
// tens of microseconds. Bytes are passed on unchanged and in order (timers of one delay fire in the order
// they were set).
import { createServer, connect, type Socket } from 'node:net';

export interface LatencyProxy {
  /** A database URL of the proxied server, with its host and port replaced by the proxy's. */
  via(databaseUrl: string): string;
  close(): Promise<void>;
}

export async function startLatencyProxy(databaseUrl: string, oneWayMs: number): Promise<LatencyProxy> {
  const upstream = new URL(databaseUrl);
  const sockets = new Set<Socket>();
  const delayed = (from: Socket, to: Socket) => {
    from.on('data', (chunk) => void setTimeout(() => to.writable && to.write(chunk), oneWayMs));
    from.on('end', () => void setTimeout(() => to.end(), oneWayMs));
    from.on('error', () => to.destroy());
  };
  const server = createServer((client) => {
    const database = connect(Number(upstream.port || 5432), upstream.hostname);
    for (const socket of [client, database]) {
      socket.setNoDelay(true);
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    }
    delayed(client, database);
    delayed(database, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = String(typeof address === 'object' && address ? address.port : 0);
  return {
    via: (url) => Object.assign(new URL(url), { hostname: '127.0.0.1', port }).href,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
