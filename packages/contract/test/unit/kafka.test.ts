// Both content modes of the CloudEvents Kafka binding, on every topic.
import { parseKafkaRecord, SHORT_TYPES, validateCloudEvent, type KafkaParseResult, type KafkaRecordIn } from '../../src';
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

describe('parseKafkaRecord: hostile JSON and text (issue #14)', () => {
  it('refuses an attribute header whose bytes are not UTF-8 (malformed, naming it) instead of decoding it lossily; other headers may be bytes', () => {
    const bin = binaryRecord(cloudEvent('enterprise.registered'));
    const latin1Source = Buffer.from([0x75, 0x72, 0x6e, 0x3a, 0xe9]); // "urn:" + a latin-1 é
    expect(parseKafkaRecord({ ...bin, headers: { ...bin.headers, ce_source: latin1Source } }, CTX)).toEqual({
      ok: false,
      reason: 'malformed',
      message: 'header ce_source is not valid UTF-8: send CloudEvents attribute headers as UTF-8 text',
    });
    const traced = parseKafkaRecord({ ...bin, headers: { ...bin.headers, traceparent_bin: Buffer.from([0xff, 0xfe]) } }, CTX);
    expect(traced.ok).toBe(true);
    const utf8Source = parseKafkaRecord({ ...bin, headers: { ...bin.headers, ce_source: Buffer.from('urn:dongcheng:samr', 'utf8') } }, CTX);
    expect(utf8Source.ok && utf8Source.event.source).toBe('urn:dongcheng:samr');
  });

  const deep = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;
  const registered = cloudEvent('enterprise.registered');

  it('dead-letters an event nested deeper than 64 levels as malformed, in either mode, instead of throwing', () => {
    for (const depth of [65, 10_000, 100_000]) {
      const text = JSON.stringify(registered).replace(/"data":\{/, `"deep":${deep(depth)},"data":{`);
      const structured = parseKafkaRecord({ ...structuredRecord(registered), value: text }, CTX);
      expect(structured).toMatchObject({
        ok: false,
        reason: 'malformed',
        message: expect.stringMatching(/^record value is nested more than 64 levels deep: send/),
      });
      // An attribute deep enough to overflow the message's rendering of it (a RangeError: a 500 over HTTP).
      const deepId = parseKafkaRecord(
        { ...structuredRecord(registered), value: JSON.stringify(registered).replace(/"id":"[^"]*"/, `"id":${deep(depth)}`) },
        CTX,
      );
      expect(deepId).toMatchObject({ ok: false, reason: 'malformed', message: expect.stringMatching(/^record value is nested more than 64 levels deep/) });
      const binary = parseKafkaRecord({ ...binaryRecord(registered), value: Buffer.from(`{"a":${deep(depth)}}`) }, CTX);
      expect(binary).toMatchObject({
        ok: false,
        reason: 'malformed',
        message: expect.stringMatching(/^record value \(data\) is nested more than 64 levels deep/),
      });
    }
  });

  it('renders a value too deep to show without throwing, when validateCloudEvent is called directly', () => {
    const result = validateCloudEvent({ ...registered, id: JSON.parse(deep(100_000)) }, { ...CTX, attributeLabel: (a) => a });
    expect(result).toMatchObject({
      ok: false,
      reason: 'malformed',
      message: expect.stringMatching(/^id is a deeply nested array: send id as a non-empty string/),
    });
  });

  it('drops a leading byte order mark from a string value as from bytes (RFC 8259 §8.1)', () => {
    const rec = structuredRecord(registered);
    expect(parseKafkaRecord({ ...rec, value: `\uFEFF${String(rec.value)}` }, CTX)).toMatchObject({ ok: true });
    expect(parseKafkaRecord({ ...rec, value: Buffer.from(`\uFEFF${String(rec.value)}`, 'utf8') }, CTX)).toMatchObject({ ok: true });
  });

  it('rejects text that is not well-formed Unicode (an unpaired surrogate) as schema_invalid, wherever a string is taken', () => {
    // Stored as UTF-8 both ids would become "x\uFFFD": the second event would pass for a duplicate.
    for (const id of ['x\ud800', 'x\udc00', '\udbff']) {
      expect(reasonOf(parseKafkaRecord(structuredRecord({ ...registered, id }), CTX))).toBe('schema_invalid');
    }
    expect(messageOf(parseKafkaRecord(structuredRecord({ ...registered, id: 'x\ud800' }), CTX))).toMatch(/^id is "x\\ud800": send text as well-formed Unicode/);
    expect(messageOf(parseKafkaRecord(structuredRecord({ ...registered, source: 'urn:\ud800' }), CTX))).toMatch(
      /^source is "urn:\\ud800": send text as well-formed/,
    );
    const data = registered.data as Record<string, unknown>;
    for (const [field, spoilt] of [
      ['name', { ...data, name: '\ud800' }],
      ['site.address', { ...data, site: { ...(data.site as object), address: 'a\udfff' } }],
      ['site.buildingId', { ...data, site: { ...(data.site as object), buildingId: '\ud83d' } }],
    ] as const) {
      const result = parseKafkaRecord(structuredRecord({ ...registered, data: spoilt }), CTX);
      expect({ field, reason: reasonOf(result), message: messageOf(result) }).toEqual({
        field,
        reason: 'schema_invalid',
        message: expect.stringContaining(`data.${field} is`),
      });
    }
    const task = cloudEvent('task.progress.reported');
    expect(reasonOf(parseKafkaRecord(structuredRecord({ ...task, data: { ...taskData(), narrative: '\ud800' } }), CTX))).toBe('schema_invalid');
    expect(reasonOf(parseKafkaRecord(structuredRecord({ ...task, data: { ...taskData(), department: '区国资委\ud800' } }), CTX))).toBe('schema_invalid');
    // A well-formed pair is text like any other; the checking order of events.md still holds.
    expect(reasonOf(parseKafkaRecord(structuredRecord({ ...registered, id: 'x\ud83d\ude00' }), CTX))).toBe('accepted');
    expect(
      reasonOf(parseKafkaRecord(structuredRecord({ ...registered, id: 'x\ud800', type: 'cn.gov.dongcheng.siliconalley.enterprise.renamed.v1' }), CTX)),
    ).toBe('unknown_type');
    expect(reasonOf(parseKafkaRecord(structuredRecord({ ...registered, id: '' }), CTX))).toBe('malformed');
  });
});
