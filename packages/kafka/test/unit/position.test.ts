// A record's position is one spelling everywhere (dispositions' `_id`s are stored with it).
import { DeadLetterProducer, DLQ_HEADERS, recordPosition, type OutboundRecord } from '../../src';

describe('recordPosition', () => {
  it('is topic/partition/offset', () => {
    expect(recordPosition({ topic: 'siliconalley.enterprise.v1', partition: 3, offset: '42' })).toBe('siliconalley.enterprise.v1/3/42');
  });

  it('reads the same from the headers of the record’s dead letter', async () => {
    const sent: OutboundRecord[] = [];
    const dlq = new DeadLetterProducer({ send: async (_topic, records) => void sent.push(...records) }, 'dlq');
    const origin = { topic: 'siliconalley.enterprise.v1', partition: 3, offset: '42' };
    await dlq.send([{ record: { key: null, headers: {}, value: null }, origin, reason: 'r', message: 'm' }]);
    const h = sent[0]!.headers!;
    const text = (name: string) => String(h[name]);
    expect(recordPosition({ topic: text(DLQ_HEADERS.topic), partition: text(DLQ_HEADERS.partition), offset: text(DLQ_HEADERS.offset) })).toBe(
      recordPosition(origin),
    );
  });
});
