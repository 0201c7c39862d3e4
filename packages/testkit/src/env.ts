// Integration tests run against the test stack that `npm test` starts (packages/devstack) and
// isolate themselves with a namespace: their own topics, consumer groups and database.
import { randomBytes } from 'node:crypto';

export interface TestEnv {
  brokers: string[];
  mongoUrl: string;
  prometheusUrl: string;
  alertmanagerUrl: string;
  namespace: string;
  /**
   * INTERNAL_API_SECRET for the services this test starts (indicator, alerting and gateway refuse
   * to start without one, and their internal APIs refuse calls without it): fresh per test.
   */
  internalApiSecret: string;
}

/** A fresh INTERNAL_API_SECRET (64 hex characters, as the local stack makes them). */
export function newInternalApiSecret(): string {
  return randomBytes(32).toString('hex');
}

export function testEnv(): TestEnv {
  const missing = ['KAFKA_BROKERS', 'MONGO_URL'].filter((k) => !process.env[k]);
  if (missing.length) {
    throw new Error(`integration tests need the test stack (${missing.join(', ')} unset): run them with \`npm test\``);
  }
  return {
    brokers: process.env.KAFKA_BROKERS!.split(','),
    mongoUrl: process.env.MONGO_URL!,
    prometheusUrl: process.env.PROMETHEUS_URL ?? '',
    alertmanagerUrl: process.env.ALERTMANAGER_URL ?? '',
    namespace: `t${randomBytes(4).toString('hex')}`,
    internalApiSecret: newInternalApiSecret(),
  };
}

/** Polls `ok` until it holds; the error names what was awaited and the last observation. */
export async function waitUntil(what: string, ok: () => Promise<boolean>, timeoutMs = 180000, intervalMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
