// A TCP relay between a client and a real server that cuts one connection mid-conversation, as a
// killed server or a network fault does, while the server itself stays up: the store's tests use it
// to prove that a write whose answer never came is never taken for done.
import { connect, createServer, type Socket } from 'node:net';

/** Where the cut falls: before the server sees the request, or after it acted but before it answered. */
export type CutPoint = 'request' | 'response';

export interface ConnectionCutter {
  /** The relay's port on 127.0.0.1; point the client there instead of at the server. */
  readonly port: number;
  /**
   * Cuts the connection that next carries a request containing `marker` (e.g. a document id) at
   * `point`. Resolves once the cut happened.
   */
  cutNext(point: CutPoint, marker: string): Promise<void>;
  close(): Promise<void>;
}

interface Armed {
  point: CutPoint;
  marker: Buffer;
  done: () => void;
}

export async function startConnectionCutter(target: { host: string; port: number }): Promise<ConnectionCutter> {
  let armed: Armed | null = null;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    sockets.add(client).add(upstream);
    // The armed cut this connection carries a request of, waiting for the server's answer.
    let awaitingAnswer: Armed | null = null;
    const cut = (then: Armed) => {
      client.destroy();
      upstream.destroy();
      then.done();
    };
    client.on('data', (chunk: Buffer) => {
      if (armed && chunk.includes(armed.marker)) {
        const hit = armed;
        armed = null;
        if (hit.point === 'request') return cut(hit);
        awaitingAnswer = hit;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (awaitingAnswer) return cut(awaitingAnswer);
      client.write(chunk);
    });
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the connection cutter has no TCP port');
  return {
    port: address.port,
    cutNext: (point, marker) =>
      new Promise<void>((done) => {
        armed = { point, marker: Buffer.from(marker, 'utf8'), done };
      }),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
