// kafkajs 2.2.4 (its last release; upstream is unmaintained) schedules the throttle check of a
// broker connection's request queue `throttledUntil - Date.now()` ms ahead, and `throttledUntil` is -1
// when the broker never throttled: a timeout of about -1.8e12 ms. Node clamped it to 1 ms silently up
// to 22; Node ≥ 23 (we run 24) clamps it the same way but prints a TimeoutNegativeWarning on stderr
// of every process that talks to Kafka. This replaces that one method with the same logic and the
// delay clamped to ≥ 1 ms ourselves: same behaviour, no warning. Applied once, on kafkajs 2.2.4 only
// (a unit test fails when the version changes, to look again).
export const PATCHED_KAFKAJS_VERSION = '2.2.4';
/** kafkajs' CHECK_PENDING_REQUESTS_INTERVAL (module-private in src/network/requestQueue). */
const CHECK_PENDING_REQUESTS_INTERVAL = 10;

interface RequestQueueInternals {
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  pending: unknown[];
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

const PATCHED = Symbol.for('siliconalley.kafkajs.negativeTimeout');

/** True when the patch is in place (after this call). */
export function patchKafkajsNegativeTimeout(): boolean {
  const { version } = require('kafkajs/package.json') as { version: string };
  if (version !== PATCHED_KAFKAJS_VERSION) return false;
  const RequestQueue = require('kafkajs/src/network/requestQueue') as { prototype: RequestQueueInternals & { [PATCHED]?: true } };
  const proto = RequestQueue.prototype;
  if (proto[PATCHED]) return true;
  proto.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(this: RequestQueueInternals): void {
    let scheduleAt = this.throttledUntil - Date.now();
    if (!this.throttleCheckTimeoutId) {
      if (this.pending.length > 0) scheduleAt = scheduleAt > 0 ? scheduleAt : CHECK_PENDING_REQUESTS_INTERVAL;
      this.throttleCheckTimeoutId = setTimeout(
        () => {
          this.throttleCheckTimeoutId = null;
          this.checkPendingRequests();
        },
        Math.max(scheduleAt, 1),
      );
    }
  };
  proto[PATCHED] = true;
  return true;
}

patchKafkajsNegativeTimeout();
