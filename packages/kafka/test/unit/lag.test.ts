// The lag monitor's stop waits for the check in flight: a shutdown that awaits it leaves no admin
// request running (one that outlived a test's teardown failed CI's dashboards suite).
import { createLogger } from '@siliconalley/logger';
import { KafkaClient, offsetsBehind } from '../../src';
import { groupLag } from '../../src/lag';

class SlowLag extends KafkaClient {
  checks = 0;
  finished = 0;
  override async consumerLag(): Promise<Record<string, number>> {
    this.checks++;
    await new Promise((r) => setTimeout(r, 80));
    this.finished++;
    return { t: 3 };
  }
}

describe('monitorLag', () => {
  it('stop resolves only after the check in flight, and no check starts after it', async () => {
    const kafka = new SlowLag({ brokers: ['127.0.0.1:9'], clientId: 'lag-test', logger: createLogger('lag-test', 'silent') });
    const reported: number[] = [];
    const stop = kafka.monitorLag('g', ['t'], (_topic, n) => reported.push(n), 10);
    await new Promise((r) => setTimeout(r, 30)); // one check started, none finished
    expect(kafka.checks).toBe(1); // one at a time, however short the interval
    await stop();
    expect(kafka.finished).toBe(1);
    expect(reported).toEqual([3]);
    await new Promise((r) => setTimeout(r, 50));
    expect(kafka.checks).toBe(1);
  });
});

describe('offsetsBehind', () => {
  it('sums what a reader has still to read per partition; an unstarted partition counts whole', () => {
    expect(offsetsBehind({ '0': '10', '1': '5', '2': '0' }, { '0': '7' })).toBe(8);
    expect(offsetsBehind({ '0': '10' }, { '0': '12' })).toBe(0);
    expect(offsetsBehind({ '0': '9007199254740995' }, { '0': '9007199254740990' })).toBe(5);
  });
});

describe('groupLag', () => {
  it('counts from the committed offset, or from the first held record where the group never committed', () => {
    const ranges = { '0': { start: '0', end: '10' }, '1': { start: '4', end: '9' }, '2': { start: '3', end: '3' } };
    expect(groupLag(ranges, { '0': '7', '1': '-1' })).toBe(3 + 5);
    expect(groupLag(ranges, { '0': '12' })).toBe(5);
  });
});
