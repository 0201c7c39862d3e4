// Real indicator HTTP servers for alerting's unit tests (no infrastructure): each serves an
// IndicatorState as one instance owning one partition, ready, with a fixed clock. Closed together.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Registry } from '@siliconalley/http';
import { createLogger } from '@siliconalley/logger';
import type { PartitionOwnership } from '@siliconalley/service-indicator/dist/ownership';
import { createServer as createIndicatorServer } from '@siliconalley/service-indicator/dist/server';
import type { IndicatorState } from '@siliconalley/service-indicator/dist/state';

/** An instance that owns `partition` and is ready. */
const owning = (partition: number) => ({ isReady: () => true, partitions: () => [partition], appliedOffsets: () => ({}) }) as unknown as PartitionOwnership;

export class IndicatorServers {
  private readonly servers: Server[] = [];

  constructor(
    readonly secret: string,
    private readonly now: Date,
  ) {}

  /** Starts one instance serving `state` as the owner of `partition`; its base URL. */
  async start(state: IndicatorState, partition: number): Promise<string> {
    const app = createIndicatorServer({
      state,
      logger: createLogger('test', 'silent'),
      registry: new Registry(),
      ownership: owning(partition),
      internalSecret: this.secret,
      now: () => this.now,
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    this.servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  }
}
