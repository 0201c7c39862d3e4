// Events built and encoded with the official CloudEvents JavaScript SDK (`cloudevents` on npm) are
// what the contract accepts, in every binding and content mode, as the same normalised event — and
// what the SDK leaves to the producer (unset attributes as header values `undefined`, `data` as an
// object in Kafka binary mode) is what docs/providers.md says to do about it.
import { CloudEvent, HTTP, Kafka } from 'cloudevents';
import {
  parseHttpRequest,
  parseKafkaRecord,
  TOPICS,
  usccCheckCharacter,
  USCC_ALPHABET,
  validateCloudEvent,
  type AcceptedEvent,
  type HttpRequestParse,
  type KafkaParseResult,
  type KafkaRecordIn,
} from '../../src';
import { CTX, registeredData } from '../samples';
import { contractEvent, definedHeaders, httpBatchRequest, httpRequest, kafkaBinaryMessage, kafkaStructuredMessage } from './sdk-provider';

/** A valid USCC for firm `n`, built as packages/testkit's syntheticUscc(n) does (testkit depends on this package). */
function uscc(n: number): string {
  let serial = '';
  for (let v = n, i = 0; i < 8; i++, v = Math.floor(v / 31)) serial = USCC_ALPHABET[v % 31]! + serial;
  const first17 = `91110101${serial}0`;
  return first17 + usccCheckCharacter(first17)!;
}

// UTC with milliseconds: the SDK writes `time` so in structured mode and over HTTP (see below).
const TIME = '2025-10-10T02:00:00.000Z';

const registered = (n: number) => contractEvent('enterprise.registered', 'urn:dongcheng:samr', `samr-${n}`, uscc(n), TIME, registeredData(uscc(n)));

const granted = (n: number) =>
  contractEvent('certification.granted', 'urn:dongcheng:stc', `stc-${n}`, uscc(n), TIME, {
    uscc: uscc(n),
    kind: 'HNTE',
    level: 'national',
    certificateNo: `GR2023110${String(n).padStart(5, '0')}`,
    validFrom: '2023-12-12',
    validUntil: null,
    issuer: '北京市科学技术委员会',
    batch: '2023-2',
  });

const EVENTS = [
  { name: 'enterprise.registered', build: registered, topic: TOPICS.enterprise },
  { name: 'certification.granted', build: granted, topic: TOPICS.certification },
];

/** The normalised event the contract makes of the same event written as plain JSON, without the SDK. */
function reference(event: CloudEvent<object>): AcceptedEvent {
  const plain = {
    specversion: '1.0',
    id: event.id,
    source: event.source,
    type: event.type,
    time: TIME,
    subject: event.subject,
    datacontenttype: 'application/json',
    data: event.data,
  };
  const verdict = validateCloudEvent(plain, { ...CTX, attributeLabel: (name) => name });
  if (!verdict.ok) throw new Error(`reference event rejected: ${verdict.message}`);
  return verdict.event;
}

/** A record as a kafkajs consumer hands it over: header values and value as Buffers. */
function consumed(topic: string, message: { key: string | null; value: string; headers: Record<string, string> }): KafkaRecordIn {
  const headers = Object.fromEntries(Object.entries(message.headers).map(([name, value]) => [name, Buffer.from(value, 'utf8')]));
  return { topic, key: message.key, headers, value: Buffer.from(message.value, 'utf8') };
}

/** An HTTP request as the gateway reads it: lower-case header names, the body as bytes. */
function received(request: { headers: Record<string, string>; body: string }): HttpRequestParse {
  const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), value]));
  return parseHttpRequest({ contentType: headers['content-type'], headers, body: Buffer.from(request.body, 'utf8') }, CTX);
}

const eventOf = (result: KafkaParseResult) => {
  if (!result.ok) throw new Error(`rejected: ${result.reason}: ${result.message}`);
  return result.event;
};

describe('the CloudEvents JavaScript SDK against the contract', () => {
  describe.each(EVENTS)('$name', ({ build, topic }) => {
    const event = build(7);
    const expected = reference(event);

    it('Kafka binary (Kafka.binary, data JSON.stringify-ed, unset attributes dropped) is accepted as the same event, with Buffer or string headers', () => {
      const message = kafkaBinaryMessage(event);
      expect(message.headers).toMatchObject({ ce_specversion: '1.0', ce_id: event.id, ce_subject: uscc(7), 'content-type': 'application/json' });
      expect(parseKafkaRecord(consumed(topic, message), CTX)).toEqual({ ok: true, contentMode: 'binary', event: expected });
      expect(parseKafkaRecord({ topic, ...message }, CTX)).toEqual({ ok: true, contentMode: 'binary', event: expected });
    });

    it('Kafka structured (Kafka.structured) is accepted as the same event', () => {
      const message = kafkaStructuredMessage(event);
      expect(message.headers).toEqual({ 'content-type': 'application/cloudevents+json; charset=utf-8' });
      expect(parseKafkaRecord(consumed(topic, message), CTX)).toEqual({ ok: true, contentMode: 'structured', event: expected });
    });

    it.each(['structured', 'binary'] as const)(
      'HTTP %s (HTTP.structured or HTTP.binary) is accepted as the same event, and so is the record the gateway publishes',
      (mode) => {
        const parsed = received(httpRequest(event, mode, 'token'));
        expect(parsed).toMatchObject({ ok: true, contentMode: mode });
        if (!parsed.ok) return;
        const [only, ...rest] = parsed.events;
        expect(rest).toEqual([]);
        expect(only).toMatchObject({ verdict: { ok: true, event: expected }, topic, record: { key: uscc(7) } });
        expect(eventOf(parseKafkaRecord({ topic, ...only!.record }, CTX))).toEqual(expected);
      },
    );
  });

  it('HTTP batch (JSON.stringify of SDK events) is accepted event by event', () => {
    const events = [registered(1), granted(1), registered(2), granted(2)];
    const parsed = received(httpBatchRequest(events, 'token'));
    expect(parsed).toMatchObject({ ok: true, contentMode: 'batch' });
    if (!parsed.ok) return;
    expect(parsed.events.map((e) => e.verdict)).toEqual(events.map((e) => ({ ok: true, event: reference(e) })));
    expect(parsed.events.map((e) => e.topic)).toEqual([TOPICS.enterprise, TOPICS.certification, TOPICS.enterprise, TOPICS.certification]);
  });

  it('the SDK rewrites time to UTC in structured mode and over HTTP, and keeps it as given in Kafka binary mode: the same instant', () => {
    const event = contractEvent('enterprise.registered', 'urn:dongcheng:samr', 'samr-tz', uscc(3), '2025-10-10T10:00:00+08:00', registered(3).data!);
    const binary = eventOf(parseKafkaRecord(consumed(TOPICS.enterprise, kafkaBinaryMessage(event)), CTX));
    const structured = eventOf(parseKafkaRecord(consumed(TOPICS.enterprise, kafkaStructuredMessage(event)), CTX));
    expect(binary.time).toBe('2025-10-10T10:00:00+08:00');
    expect(structured.time).toBe('2025-10-10T02:00:00.000Z');
    expect({ ...structured, time: binary.time }).toEqual(binary);
  });
});

describe('what the SDK leaves to the producer', () => {
  const event = registered(11);

  it('Kafka.binary lists unset optional attributes as headers whose value is undefined, and leaves data an object', () => {
    const message = Kafka.binary(event);
    expect(typeof message.value).toBe('object');
    const unset = Object.entries(message.headers)
      .filter(([, value]) => value === undefined)
      .map(([name]) => name);
    expect(unset).toEqual(expect.arrayContaining(['ce_dataschema']));
    // Without datacontenttype the content-type header itself is one of them.
    const bare = new CloudEvent<object>({ ...event, datacontenttype: undefined });
    expect(
      Object.entries(Kafka.binary(bare).headers)
        .filter(([, value]) => value === undefined)
        .map(([name]) => name),
    ).toEqual(expect.arrayContaining(['content-type', 'ce_datacontenttype', 'ce_dataschema']));
  });

  it('accepts unset optional attributes however the producer writes them: left out, undefined, null or empty', () => {
    const bare = new CloudEvent<object>({ ...event, datacontenttype: undefined });
    const message = Kafka.binary(bare);
    const value = JSON.stringify(message.value);
    const raw = message.headers as Record<string, string | undefined>;
    const asEmpty = Object.fromEntries(Object.entries(raw).map(([name, v]) => [name, v ?? '']));
    const asNull = Object.fromEntries(Object.entries(raw).map(([name, v]) => [name, v ?? null]));
    expect(asEmpty).toMatchObject({ 'content-type': '', ce_dataschema: '' });
    const expected = reference(event);
    for (const headers of [definedHeaders(raw), raw, asEmpty, asNull]) {
      expect(parseKafkaRecord({ topic: TOPICS.enterprise, key: uscc(11), headers, value }, CTX)).toEqual({ ok: true, contentMode: 'binary', event: expected });
    }
    const asBuffers = Object.fromEntries(Object.entries(asEmpty).map(([name, v]) => [name, Buffer.from(v, 'utf8')]));
    expect(parseKafkaRecord({ topic: TOPICS.enterprise, key: uscc(11), headers: asBuffers, value: Buffer.from(value) }, CTX)).toMatchObject({ ok: true });
  });

  it('an SDK value that is not serialised (the object as text) is malformed: JSON.stringify it', () => {
    const message = Kafka.binary(event);
    const result = parseKafkaRecord({ topic: TOPICS.enterprise, key: uscc(11), headers: definedHeaders(message.headers), value: String(message.value) }, CTX);
    expect(result).toMatchObject({ ok: false, reason: 'malformed' });
    expect(result.ok ? '' : result.message).toMatch(/^record value \(data\) is not valid JSON/);
  });

  it('an empty ce_subject is rejected, naming the header (the SDK itself refuses one unless told not to validate)', () => {
    expect(() => new CloudEvent<object>({ ...event, subject: '' })).toThrow();
    const unchecked = new CloudEvent<object>({ ...event, subject: '' }, false);
    const message = kafkaBinaryMessage(unchecked);
    expect(message.headers.ce_subject).toBe('');
    const result = parseKafkaRecord(consumed(TOPICS.enterprise, message), CTX);
    expect(result).toMatchObject({ ok: false, reason: 'malformed' });
    expect(result.ok ? '' : result.message).toBe(
      'header ce_subject is "": send subject as the firm\'s USCC (equal to data.uscc), or the task id "1".."34" for task reports',
    );
  });

  it.each(['ce_specversion', 'ce_id', 'ce_source', 'ce_type', 'ce_time'])('an empty %s is rejected as malformed, naming the header', (name) => {
    const message = kafkaBinaryMessage(event);
    const result = parseKafkaRecord(consumed(TOPICS.enterprise, { ...message, headers: { ...message.headers, [name]: '' } }), CTX);
    expect(result).toMatchObject({ ok: false, reason: 'malformed' });
    expect(result.ok ? '' : result.message).toMatch(new RegExp(`^header ${name} is "": send `));
  });

  it('HTTP.binary always sends a Content-Type and leaves unset attributes out', () => {
    const { headers } = HTTP.binary(new CloudEvent<object>({ ...event, datacontenttype: undefined }));
    expect(headers['content-type']).toBe('application/json; charset=utf-8');
    expect(Object.values(headers).every((value) => typeof value === 'string' && value !== '')).toBe(true);
  });
});

describe('header values as Kafka clients give them', () => {
  const message = kafkaBinaryMessage(registered(21));
  const parse = (headers: KafkaRecordIn['headers']) => parseKafkaRecord({ topic: TOPICS.enterprise, key: uscc(21), headers, value: message.value }, CTX);

  it('a repeated header (kafkajs: an array) counts with its last value', () => {
    const result = parse({ ...message.headers, ce_id: [Buffer.from('first'), Buffer.from('samr-21')] });
    expect(result).toMatchObject({ ok: true, event: { id: 'samr-21' } });
  });

  it('reads Buffer values as UTF-8', () => {
    const result = parse({ ...message.headers, ce_source: Buffer.from('urn:dongcheng:市场监管局', 'utf8') });
    expect(result).toMatchObject({ ok: true, event: { source: 'urn:dongcheng:市场监管局' } });
  });

  it('an empty content-type in structured mode leaves no content mode but binary: without ce_ headers the record is no CloudEvent', () => {
    const structured = kafkaStructuredMessage(registered(21));
    const result = parseKafkaRecord({ topic: TOPICS.enterprise, key: uscc(21), headers: { 'content-type': '' }, value: structured.value }, CTX);
    expect(result).toMatchObject({ ok: false, reason: 'malformed' });
    expect(result.ok ? '' : result.message).toMatch(/^record is not a CloudEvent/);
  });

  it('empty extension headers are absent too, and an empty optional header alone does not make a CloudEvent valid', () => {
    expect(parse({ ...message.headers, ce_partitionkey: '', ce_traceparent: '' })).toMatchObject({ ok: true });
    const result = parse({ 'content-type': 'application/json', ce_dataschema: '' });
    expect(result).toMatchObject({ ok: false, reason: 'malformed' });
    expect(result.ok ? '' : result.message).toMatch(/^header ce_specversion is missing/);
  });
});
