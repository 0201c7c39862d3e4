// A TCP relay on 127.0.0.1 in front of a real server, the one home of the socket plumbing that the
// connection cutter and the database recorder share: each client connection gets its own upstream
// connection, either side closing or failing closes both, and `close` ends every connection.
import { connect, createServer, type Socket } from 'node:net';

export interface Relay {
  readonly port: number;
  close(): Promise<void>;
}

/** `wire` connects the two sockets of one connection (forwarding, and whatever the relay is for). */
export async function startRelay(target: { host: string; port: number }, what: string, wire: (client: Socket, upstream: Socket) => void): Promise<Relay> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    sockets.add(client).add(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    wire(client, upstream);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error(`the ${what} has no TCP port`);
  return {
    port: address.port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
