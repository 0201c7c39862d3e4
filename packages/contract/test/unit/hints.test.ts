import { kafkaRecordHints, parseHttpRequest } from '../../src';

const TYPE = 'cn.gov.dongcheng.siliconalley.enterprise.registered.v1';
const ctx = { receivedAt: new Date('2025-07-01T00:00:00Z') };

describe('envelope hints, read whether or not the event is valid', () => {
  it('reads a Kafka record’s ce_ headers when it has ce_source or ce_id', () => {
    expect(kafkaRecordHints({ headers: { ce_source: 'urn:a', ce_id: 'e-1', ce_type: TYPE }, value: '{"source":"urn:b"}' })).toEqual({
      id: 'e-1',
      source: 'urn:a',
      type: TYPE,
    });
    expect(kafkaRecordHints({ headers: { ce_id: Buffer.from('e-2') }, value: null })).toEqual({ id: 'e-2', source: null, type: null });
  });

  it('reads a Kafka record’s JSON value otherwise, and nothing from a value that is no JSON object', () => {
    expect(kafkaRecordHints({ headers: {}, value: Buffer.from(JSON.stringify({ id: 'e-3', source: 'urn:c', type: 7 })) })).toEqual({
      id: 'e-3',
      source: 'urn:c',
      type: null,
    });
    for (const value of ['not json', '[1]', 'null', '"x"', null])
      expect(kafkaRecordHints({ headers: {}, value })).toEqual({ id: null, source: null, type: null });
  });

  it('drops Kafka hints over 512 characters (no provider’s names)', () => {
    expect(kafkaRecordHints({ headers: { ce_source: 'x'.repeat(513), ce_id: 'x'.repeat(512) }, value: null })).toEqual({
      id: 'x'.repeat(512),
      source: null,
      type: null,
    });
  });

  it('gives HTTP events the type as the contract’s short type, in every content mode', () => {
    const event = { specversion: '1.0', id: 'e-4', source: 'urn:d', type: TYPE };
    const structured = parseHttpRequest({ contentType: 'application/cloudevents+json', headers: {}, body: Buffer.from(JSON.stringify(event)) }, ctx);
    const binary = parseHttpRequest(
      { contentType: 'application/json', headers: { 'ce-id': 'e-4', 'ce-source': 'urn:d', 'ce-type': TYPE }, body: Buffer.from('{}') },
      ctx,
    );
    const batch = parseHttpRequest({ contentType: 'application/cloudevents-batch+json', headers: {}, body: Buffer.from(JSON.stringify([event, 5])) }, ctx);
    const hints = [structured, binary, batch].flatMap((r) => (r.ok ? r.events.map((e) => e.hints) : []));
    expect(hints).toEqual([
      { id: 'e-4', source: 'urn:d', type: 'enterprise.registered' },
      { id: 'e-4', source: 'urn:d', type: 'enterprise.registered' },
      { id: 'e-4', source: 'urn:d', type: 'enterprise.registered' },
      { id: null, source: null, type: null },
    ]);
  });
});
