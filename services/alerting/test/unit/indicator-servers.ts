// Real indicator HTTP servers for alerting's unit tests (no infrastructure): each serves an
// IndicatorState as one instance owning one partition, ready, with a fixed clock. Closed together.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Registry } from '@siliconalley/http';
import { createLogger } from '@siliconalley/logger';
import type { PartitionOwnership } from '@siliconalley/service-indicator/dist/ownership';
import { createServer as createIndicatorServer } from '@siliconalley/service-indicator/dist/server';
import type { AcceptedEvent } from '@siliconalley/contract';
import { IndicatorState } from '@siliconalley/service-indicator/dist/state';
import type { ZoneRegistry } from '@siliconalley/zones';

/** Two instances' states, half of the subjects each (alternate, sorted), like owners of alternate partitions. */
export function halvesOf(accepted: readonly AcceptedEvent[], zones: ZoneRegistry): [IndicatorState, IndicatorState] {
  const [a, b] = [new IndicatorState(zones), new IndicatorState(zones)];
  const subjects = [...new Set(accepted.map((e) => e.subject))].sort();
  const inA = new Set(subjects.filter((_, i) => i % 2 === 0));
  a.apply(
    accepted.filter((e) => inA.has(e.subject)),
    0,
  );
  b.apply(
    accepted.filter((e) => !inA.has(e.subject)),
    1,
  );
  return [a, b];
}

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
