// Where a bench runs: the stack named by KAFKA_BROKERS/MONGO_URL (e.g. the test stack), or a stack
// of its own on bench ports. Each run gets a random namespace (topics, groups, database) and
// removes what it created, so benches run beside tests without disturbing them.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { Stack, createTestTopics, kafkaBrokers, localDir, mongoUrl, type StackLayout } from '@siliconalley/devstack';
import { databaseUrl } from '@siliconalley/db';
import type { KafkaClient } from '@siliconalley/kafka';
import { newInternalApiSecret, type TestEnv } from '@siliconalley/testkit';

const benchLayout: StackLayout = {
  name: 'test-stack',
  dir: join(localDir, 'bench-stack'),
  ports: { kafka: 39092, kafkaController: 39192, mongo: 37027, prometheus: 39090, alertmanager: 39093, serviceBase: 39100, gateway: 38080 },
};

export interface BenchStack {
  env: TestEnv;
  /** A client for the namespace, its topics created (3 partitions each, as in production). */
  kafka: KafkaClient;
  describe: string;
  /** Database URL of the namespace (as the services derive it from MONGO_URL and SA_NAMESPACE). */
  databaseUrl: (suffix?: string) => string;
  /** Deletes the namespace's topics and databases, closes clients, stops an own stack. */
  close: () => Promise<void>;
}

/** A broker that has just started may not serve metadata for new topics yet: try a few times. */
async function createTopicsRetrying(env: TestEnv): Promise<KafkaClient> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await createTestTopics(env);
    } catch (err) {
      if (attempt >= 5) throw err;
      await new Promise((r) => setTimeout(r, 2000 * attempt));
    }
  }
}

export async function benchStack(label: string): Promise<BenchStack> {
  let own: Stack | null = null;
  if (!process.env.KAFKA_BROKERS || !process.env.MONGO_URL) {
    own = new Stack({ layout: benchLayout, fresh: true, say: () => undefined });
    process.stdout.write('[bench] KAFKA_BROKERS/MONGO_URL unset: starting a bench stack (Kafka, FerretDB) …\n');
    await own.up();
    process.env.KAFKA_BROKERS = kafkaBrokers(benchLayout);
    process.env.MONGO_URL = mongoUrl(benchLayout);
  }
  const env: TestEnv = {
    brokers: process.env.KAFKA_BROKERS!.split(','),
    mongoUrl: process.env.MONGO_URL!,
    prometheusUrl: process.env.PROMETHEUS_URL ?? '',
    alertmanagerUrl: process.env.ALERTMANAGER_URL ?? '',
    namespace: `b${label}${randomBytes(3).toString('hex')}`,
    internalApiSecret: newInternalApiSecret(),
  };
  let kafka: KafkaClient;
  try {
    kafka = await createTopicsRetrying(env);
  } catch (err) {
    if (own) await own.down();
    throw err;
  }
  const databases = new Set<string>();
  const dbUrl = (suffix = '') => {
    const url = databaseUrl(env.mongoUrl, suffix ? `${env.namespace}-${suffix}` : env.namespace);
    databases.add(url);
    return url;
  };
  dbUrl();
  return {
    env,
    kafka,
    databaseUrl: dbUrl,
    describe: `${own ? 'own bench stack' : 'stack of KAFKA_BROKERS/MONGO_URL'} (Kafka ${env.brokers.join(',')}, FerretDB ${env.mongoUrl.replace(/\/[^/]*$/, '')}), namespace ${env.namespace}`,
    close: async () => {
      const prefix = `.${env.namespace}`;
      await kafka
        .listTopics()
        .then((topics) => kafka.deleteTopics(topics.filter((t) => t.endsWith(prefix))))
        .catch((err) => process.stderr.write(`[bench] could not delete topics: ${(err as Error).message}\n`));
      await kafka.close();
      for (const url of databases) {
        const client = new MongoClient(url, { serverSelectionTimeoutMS: 5000 });
        await client
          .db()
          .dropDatabase()
          .catch(() => undefined)
          .finally(() => client.close());
      }
      if (own) await own.down();
    },
  };
}
