// A TCP relay between a client and a real server that cuts one connection mid-conversation, as a
// killed server or a network fault does, while the server itself stays up: the store's tests use it
// to prove that a write whose answer never came is never taken for done.
import { startRelay } from './relay';

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
  const relay = await startRelay(target, 'connection cutter', (client, upstream) => {
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
  });
  return {
    port: relay.port,
    cutNext: (point, marker) =>
      new Promise<void>((done) => {
        armed = { point, marker: Buffer.from(marker, 'utf8'), done };
      }),
    close: () => relay.close(),
  };
}
