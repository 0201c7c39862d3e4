// Both content modes of the CloudEvents Kafka binding, on every topic.
import { parseKafkaRecord, SHORT_TYPES, type KafkaParseResult, type KafkaRecordIn } from '../../src';
import { binaryRecord, cloudEvent, CTX, structuredRecord, taskData, TOPIC_OF } from '../samples';

const reasonOf = (r: KafkaParseResult) => (r.ok ? 'accepted' : r.reason);
const messageOf = (r: KafkaParseResult) => (r.ok ? '' : r.message);

describe('parseKafkaRecord: content modes', () => {
  it.each(SHORT_TYPES)('accepts %s in structured and in binary mode, as the same event', (type) => {
    const event = cloudEvent(type);
    const structured = parseKafkaRecord(structuredRecord(event), CTX);
    const binary = parseKafkaRecord(binaryRecord(event), CTX);
    expect(structured).toMatchObject({ ok: true, contentMode: 'structured' });
    expect(binary).toMatchObject({ ok: true, contentMode: 'binary' });
    if (structured.ok && binary.ok) expect(binary.event).toEqual(structured.event);
  });

  it('takes a Buffer value as well as a string', () => {
    const rec = structuredRecord(cloudEvent('enterprise.registered'));
    expect(parseKafkaRecord({ ...rec, value: Buffer.from(String(rec.value), 'utf8') }, CTX).ok).toBe(true);
    const bin = binaryRecord(cloudEvent('certification.granted'));
    expect(parseKafkaRecord({ ...bin, value: Buffer.from(String(bin.value), 'utf8') }, CTX)).toMatchObject({ ok: true, contentMode: 'binary' });
  });

  describe('content-type variants', () => {
    const withContentType = (rec: KafkaRecordIn, name: string, value: string): KafkaRecordIn => {
      const { 'content-type': _, ...rest } = rec.headers;
      void _;
      return { ...rec, headers: { ...rest, [name]: value } };
    };

    it.each(['application/cloudevents+json; charset=utf-8', 'Application/CloudEvents+JSON', 'application/cloudevents+json;charset="UTF-8"'])(
      'structured with %j',
      (contentType) => {
        const rec = withContentType(structuredRecord(cloudEvent('enterprise.registered')), 'content-type', contentType);
        expect(parseKafkaRecord(rec, CTX)).toMatchObject({ ok: true, contentMode: 'structured' });
      },
    );

    it('reads a header spelled Content-Type', () => {
      const rec = withContentType(structuredRecord(cloudEvent('enterprise.registered')), 'Content-Type', 'application/cloudevents+json');
      expect(parseKafkaRecord(rec, CTX)).toMatchObject({ ok: true, contentMode: 'structured' });
    });

    it('binary with application/json; charset=utf-8, or with no content-type at all', () => {
      const rec = binaryRecord(cloudEvent('task.progress.reported'));
      expect(parseKafkaRecord(withContentType(rec, 'content-type', 'application/json; charset=utf-8'), CTX)).toMatchObject({ ok: true, contentMode: 'binary' });
      const { 'content-type': _, ...noContentType } = rec.headers;
      void _;
      expect(parseKafkaRecord({ ...rec, headers: noContentType }, CTX)).toMatchObject({ ok: true, contentMode: 'binary' });
    });

    it('refuses other encodings and event formats', () => {
      const structured = structuredRecord(cloudEvent('enterprise.registered'));
      expect(reasonOf(parseKafkaRecord(withContentType(structured, 'content-type', 'application/cloudevents+json; charset=gbk'), CTX))).toBe('malformed');
      const batch = parseKafkaRecord(withContentType(structured, 'content-type', 'application/cloudevents-batch+json'), CTX);
      expect(reasonOf(batch)).toBe('malformed');
      expect(messageOf(batch)).toMatch(/is not a supported event format: send application\/cloudevents\+json/);
      const binary = binaryRecord(cloudEvent('enterprise.registered'));
      const text = parseKafkaRecord(withContentType(binary, 'content-type', 'text/plain'), CTX);
      expect(reasonOf(text)).toBe('malformed');
      expect(messageOf(text)).toMatch(/^header content-type is "text\/plain": send datacontenttype "application\/json"/);
    });
  });

  describe('malformed records', () => {
    it('no content-type and no ce_ headers', () => {
      const rec = { ...structuredRecord(cloudEvent('enterprise.registered')), headers: {} };
      expect(reasonOf(parseKafkaRecord(rec, CTX))).toBe('malformed');
      expect(messageOf(parseKafkaRecord(rec, CTX))).toMatch(/not a CloudEvent: .* send it in one of the two CloudEvents content modes/);
    });

    it('binary mode with a missing attribute header names the header', () => {
      const rec = binaryRecord(cloudEvent('enterprise.registered'));
      const { ce_source: _, ...headers } = rec.headers;
      void _;
      const result = parseKafkaRecord({ ...rec, headers }, CTX);
      expect(reasonOf(result)).toBe('malformed');
      expect(messageOf(result)).toMatch(/^header ce_source is missing: send source as a non-empty URI-reference/);
    });

    it('binary mode without ce_specversion', () => {
      const rec = binaryRecord(cloudEvent('enterprise.registered'));
      const { ce_specversion: _, ...headers } = rec.headers;
      void _;
      expect(messageOf(parseKafkaRecord({ ...rec, headers }, CTX))).toMatch(/^header ce_specversion is missing: send specversion "1.0"/);
    });

    it('binary mode with a value that is not JSON, or no value', () => {
      const rec = binaryRecord(cloudEvent('enterprise.registered'));
      expect(messageOf(parseKafkaRecord({ ...rec, value: 'uscc=9111' }, CTX))).toMatch(/^record value \(data\) is not valid JSON/);
      expect(messageOf(parseKafkaRecord({ ...rec, value: null }, CTX))).toMatch(/^record value \(data\) is missing: send data/);
      expect(messageOf(parseKafkaRecord({ ...rec, value: '' }, CTX))).toMatch(/^record value \(data\) is missing/);
    });

    it('structured mode with no value or invalid UTF-8', () => {
      const rec = structuredRecord(cloudEvent('enterprise.registered'));
      expect(reasonOf(parseKafkaRecord({ ...rec, value: null }, CTX))).toBe('malformed');
      const broken = Buffer.concat([Buffer.from(String(rec.value).slice(0, 40)), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
      expect(messageOf(parseKafkaRecord({ ...rec, value: broken }, CTX))).toMatch(/not valid UTF-8: send JSON encoded as UTF-8/);
    });

    it('ignores ce_ headers in structured mode: the value is the event', () => {
      const rec = structuredRecord(cloudEvent('enterprise.registered'));
      const result = parseKafkaRecord({ ...rec, headers: { ...rec.headers, ce_type: 'nonsense', ce_id: 'other' } }, CTX);
      expect(result).toMatchObject({ ok: true, contentMode: 'structured', event: { id: 'enterprise.registered-0001' } });
    });
  });

  it('checks the topic in binary mode too', () => {
    const rec = binaryRecord(cloudEvent('task.progress.reported', taskData()), 'siliconalley.certification.v1');
    expect(reasonOf(parseKafkaRecord(rec, CTX))).toBe('unknown_type');
    expect(reasonOf(parseKafkaRecord({ ...rec, topic: TOPIC_OF['task.progress.reported'] }, CTX))).toBe('accepted');
  });

  it('does not check the record key (it only picks the partition)', () => {
    const rec = structuredRecord(cloudEvent('enterprise.registered'));
    expect(parseKafkaRecord({ ...rec, key: null }, CTX).ok).toBe(true);
    expect(parseKafkaRecord({ ...rec, key: 'something-else' }, CTX).ok).toBe(true);
  });
});
