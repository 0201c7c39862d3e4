// Demo data for `npm start`: the small fixture, replayed once into an empty system.
import { createLogger } from '@siliconalley/logger';
import { KafkaClient } from '@siliconalley/kafka';
import { loadFixtureRecords } from '@siliconalley/testkit';
import { publishRecords } from './publish';
import { kafkaBrokers, type StackLayout } from './layout';

export async function replayDemo(layout: StackLayout, say: (line: string) => void): Promise<void> {
  const client = new KafkaClient({ brokers: [kafkaBrokers(layout)], clientId: 'devstack-demo', logger: createLogger('devstack', 'warn') });
  try {
    const offsets = await client.withAdmin((admin) => admin.fetchTopicOffsets('siliconalley.enterprise.v1'));
    if (offsets.some((p) => Number(p.high) > 0)) {
      say('[demo] the broker already holds provider events: demo replay skipped');
      return;
    }
    const records = loadFixtureRecords('small');
    say(`[demo] replaying ${records.length} fixture records (shared/fixtures/small) into Kafka`);
    await publishRecords(client, records, '');
    say('[demo] done; the services are applying them now');
  } finally {
    await client.close();
  }
}
