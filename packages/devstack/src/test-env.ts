import { createLogger } from '@siliconalley/logger';
import { KafkaClient } from '@siliconalley/kafka';
import type { TestEnv } from '@siliconalley/testkit';
import { topicSpecs } from './topics';

/** Creates the namespace's topics, as the stack does for the real names, and returns a client for them. */
export async function createTestTopics(env: TestEnv): Promise<KafkaClient> {
  const client = new KafkaClient({ brokers: env.brokers, clientId: `test-${env.namespace}`, logger: createLogger('test', 'warn'), namespace: env.namespace });
  await client.ensureTopics(topicSpecs(env.namespace));
  return client;
}
