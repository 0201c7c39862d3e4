// kafkajs' request queue, never throttled, schedules its throttle check with a timeout of about
// -Date.now() ms, which Node ≥ 23 reports as a TimeoutNegativeWarning on stderr (src/negative-timeout).
import '../../src';
import { PATCHED_KAFKAJS_VERSION, patchKafkajsNegativeTimeout } from '../../src/negative-timeout';

// kafkajs' internal class, required as the patch does.
const RequestQueue = require('kafkajs/src/network/requestQueue') as new (
  opts: object,
) => {
  throttledUntil: number;
  pending: unknown[];
  scheduleCheckPendingRequests(): void;
  checkPendingRequests(): void;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
};

const queue = () => {
  const q = new RequestQueue({
    maxInFlightRequests: 1,
    requestTimeout: 1000,
    enforceRequestTimeout: true,
    clientId: 'test',
    broker: 'b:9092',
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  });
  q.checkPendingRequests = jest.fn();
  return q;
};

describe('kafkajs negative throttle timeout', () => {
  it('is the kafkajs version the patch was written for (look at the patch again when it changes)', () => {
    expect((require('kafkajs/package.json') as { version: string }).version).toBe(PATCHED_KAFKAJS_VERSION);
    expect(patchKafkajsNegativeTimeout()).toBe(true);
  });

  it('schedules the check of a never-throttled queue without a TimeoutNegativeWarning, 1 ms ahead as before', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const q = queue();
      expect(q.throttledUntil).toBe(-1);
      q.scheduleCheckPendingRequests();
      expect(q.throttleCheckTimeoutId).not.toBeNull();
      await new Promise((r) => setTimeout(r, 30));
      expect(q.checkPendingRequests).toHaveBeenCalledTimes(1);
      expect(q.throttleCheckTimeoutId).toBeNull();
      await new Promise((r) => setImmediate(r));
      expect(warnings).not.toContain('TimeoutNegativeWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('still waits out a broker throttle, and polls pending requests every 10 ms after it', async () => {
    const q = queue();
    q.throttledUntil = Date.now() + 60;
    q.scheduleCheckPendingRequests();
    await new Promise((r) => setTimeout(r, 20));
    expect(q.checkPendingRequests).not.toHaveBeenCalled();
    await new Promise((r) => setTimeout(r, 80));
    expect(q.checkPendingRequests).toHaveBeenCalledTimes(1);
    q.throttledUntil = -1;
    q.pending = [{}];
    q.scheduleCheckPendingRequests();
    await new Promise((r) => setTimeout(r, 5));
    expect(q.checkPendingRequests).toHaveBeenCalledTimes(1);
    await new Promise((r) => setTimeout(r, 30));
    expect(q.checkPendingRequests).toHaveBeenCalledTimes(2);
  });
});
