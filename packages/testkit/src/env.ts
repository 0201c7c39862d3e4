// Integration tests run against the test stack that `npm test` starts (packages/devstack) and
// isolate themselves with a namespace: their own topics, consumer groups and database.
import { randomBytes } from 'node:crypto';

export interface TestEnv {
  brokers: string[];
  mongoUrl: string;
  prometheusUrl: string;
  alertmanagerUrl: string;
  namespace: string;
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
  };
}
