// Kafka header names are the provider's: `__proto__`, `constructor` and the like are headers like any
// other, read and dead-lettered intact, and nothing of them reaches Object.prototype.
import type { KafkaMessage } from 'kafkajs';
import { DeadLetterProducer, DLQ_HEADERS, type KafkaClient, type OutboundRecord } from '../../src';
import { toInboundRecord } from '../../src/records';

/** Headers as kafkajs decodes them: computed keys, so `__proto__` is an own property. */
const providerHeaders = (): KafkaMessage['headers'] => ({
  ['__proto__']: Buffer.from('p'),
  ['constructor']: Buffer.from('c'),
  ['prototype']: Buffer.from('q'),
  ['ce_id']: Buffer.from('e-1'),
});

describe('provider header names', () => {
  afterEach(() => {
    expect(({} as Record<string, unknown>).p).toBeUndefined();
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });

  it('are read as they are, `__proto__` included', () => {
    const message = { offset: '7', key: null, value: Buffer.from('{}'), timestamp: '0', attributes: 0, headers: providerHeaders() } as unknown as KafkaMessage;
    const record = toInboundRecord('t', 0, message);
    expect(Object.entries(record.headers)).toEqual([
      ['__proto__', 'p'],
      ['constructor', 'c'],
      ['prototype', 'q'],
      ['ce_id', 'e-1'],
    ]);
    expect(record.headers.constructor).toBe('c');
  });

  it('go to the dead-letter topic with the original record intact', async () => {
    const sent: OutboundRecord[] = [];
    const client = { send: async (_topic: string, records: OutboundRecord[]) => void sent.push(...records) } as unknown as KafkaClient;
    const record = toInboundRecord('t', 0, {
      offset: '7',
      key: null,
      value: Buffer.from('{}'),
      timestamp: '0',
      attributes: 0,
      headers: providerHeaders(),
    } as unknown as KafkaMessage);
    await new DeadLetterProducer(client, 'dlq').send(
      [{ record, origin: { topic: 't', partition: 0, offset: '7' }, reason: 'malformed', message: 'm' }],
      new Date(0),
    );
    const headers = sent[0]!.headers as Record<string, string>;
    expect(Object.keys(headers)).toEqual(['__proto__', 'constructor', 'prototype', 'ce_id', ...Object.values(DLQ_HEADERS)]);
    expect(headers['__proto__']).toBe('p');
    expect(headers[DLQ_HEADERS.reason]).toBe('malformed');
  });
});

describe('header values', () => {
  it('a null value (a producer that writes a null header) is an absent header, not the text "null"', () => {
    const message = {
      offset: '1',
      key: null,
      value: Buffer.from('{}'),
      timestamp: '0',
      attributes: 0,
      headers: { 'content-type': null, ce_id: Buffer.from('e-1') },
    } as unknown as KafkaMessage;
    const record = toInboundRecord('t', 0, message);
    expect(record.headers['content-type']).toBeUndefined();
    expect(record.headers.ce_id).toBe('e-1');
  });
});

describe('header bytes that are not UTF-8', () => {
  it('are kept as bytes (not decoded lossily), and dead-lettered as they came', async () => {
    const raw = Buffer.from([0x75, 0xe9]);
    const message = {
      offset: '1',
      key: null,
      value: Buffer.from('{}'),
      timestamp: '0',
      attributes: 0,
      headers: { ce_source: raw, ce_id: Buffer.from('e-1') },
    } as unknown as KafkaMessage;
    const record = toInboundRecord('t', 0, message);
    expect(record.headers.ce_source).toEqual(raw);
    expect(record.headers.ce_id).toBe('e-1');
    const sent: OutboundRecord[] = [];
    const dlq = new DeadLetterProducer(
      { send: async (_topic: string, records: OutboundRecord[]) => void sent.push(...records) } as unknown as KafkaClient,
      'dlq',
    );
    await dlq.send([{ record, origin: { topic: 't', partition: 0, offset: '1' }, reason: 'malformed', message: 'm' }]);
    expect(sent[0]!.headers!.ce_source).toEqual(raw);
  });
});
