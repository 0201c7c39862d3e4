// The three modes of the CloudEvents HTTP binding. Over HTTP the type decides the topic; each event
// comes with the Kafka record it is published as, judged the same way again by ingestion.
import { parseHttpRequest, parseKafkaRecord, TOPICS, type HttpEvent, type HttpRequestIn, type HttpRequestParse } from '../../src';
import { cloudEvent, CTX, grantedData, registeredData, taskData } from '../samples';

const json = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');
const eventsOf = (parse: HttpRequestParse): HttpEvent[] => {
  if (!parse.ok) throw new Error(`request refused: ${parse.status} ${parse.message}`);
  return parse.events;
};
const parse = (request: HttpRequestIn) => eventsOf(parseHttpRequest(request, CTX));
const reasons = (events: HttpEvent[]) => events.map((e) => (e.verdict.ok ? 'accepted' : e.verdict.reason));
const messages = (events: HttpEvent[]) => events.map((e) => (e.verdict.ok ? '' : e.verdict.message));
const structured = (body: Buffer | string) =>
  parse({ contentType: 'application/cloudevents+json', headers: {}, body: Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8') });
const batch = (body: Buffer | string) =>
  parseHttpRequest({ contentType: 'application/cloudevents-batch+json', headers: {}, body: Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8') }, CTX);

/** What ingestion says of the record the gateway publishes for an HTTP event. */
const overKafka = (e: HttpEvent) => parseKafkaRecord({ topic: e.topic ?? '', key: e.record.key, headers: e.record.headers, value: e.record.value }, CTX);

/** A JSON value `depth` levels deep, as text (JSON.stringify would overflow the stack first). */
const deep = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;

describe('parseHttpRequest', () => {
  describe('structured mode (application/cloudevents+json)', () => {
    it('accepts one event, says which topic it belongs on, and publishes the body as sent', () => {
      const event = cloudEvent('certification.granted');
      const body = json(event);
      const parsed = parseHttpRequest({ contentType: 'application/cloudevents+json; charset=utf-8', headers: {}, body }, CTX);
      expect(parsed).toMatchObject({ ok: true, contentMode: 'structured' });
      const [result, ...rest] = eventsOf(parsed);
      expect(rest).toEqual([]);
      expect(result).toMatchObject({
        index: 0,
        verdict: { ok: true, event: { type: 'certification.granted', data: grantedData() } },
        topic: TOPICS.certification,
        hints: { id: event.id, source: event.source, type: 'certification.granted' },
        record: { key: event.subject, headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' }, value: body },
      });
      expect(overKafka(result!)).toMatchObject({ ok: true, event: (result!.verdict as { event: unknown }).event });
    });

    it('rejects a body over 256 KiB, or that is not a JSON object, and still reads its type for routing', () => {
      const big = cloudEvent('task.progress.reported', { ...taskData(), narrative: 'x'.repeat(270_000) });
      const [tooLarge] = structured(json(big));
      expect(reasons([tooLarge!])).toEqual(['too_large']);
      expect(tooLarge).toMatchObject({ topic: TOPICS.task, hints: { id: big.id, type: 'task.progress.reported' } });
      expect(messages([tooLarge!])[0]).toMatch(/^request body is \d+ bytes, over the limit of 262144 bytes/);
      expect(reasons(structured('[]'))).toEqual(['malformed']);
      expect(reasons(structured(''))).toEqual(['malformed']);
    });

    it('drops a leading UTF-8 byte order mark (RFC 8259 §8.1), as the Kafka binding does: type, source and subject are read', () => {
      const event = cloudEvent('enterprise.registered');
      const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), json(event)]);
      const [result] = structured(body);
      expect(result).toMatchObject({
        verdict: { ok: true },
        topic: TOPICS.enterprise,
        hints: { type: 'enterprise.registered', source: event.source },
        record: { key: event.subject },
      });
      expect(overKafka(result!)).toMatchObject({ ok: true });
    });

    it('rejects an event nested deeper than 64 levels as malformed (never a stack overflow), with the body as the record', () => {
      for (const depth of [65, 10_000, 100_000]) {
        const body = `{"specversion":"1.0","id":"d","source":"urn:x","type":"cn.gov.dongcheng.siliconalley.enterprise.registered.v1","data":${deep(depth)}}`;
        const [result] = structured(body);
        expect(result).toMatchObject({
          verdict: { ok: false, reason: 'malformed', message: expect.stringMatching(/^request body is nested more than 64 levels deep/) },
          topic: TOPICS.enterprise,
        });
        expect(result!.record.value.toString('utf8')).toBe(body);
        expect(overKafka(result!)).toMatchObject({
          ok: false,
          reason: 'malformed',
          message: expect.stringMatching(/^record value is nested more than 64 levels deep/),
        });
      }
      // 63 levels of data (64 with the event) is within the limit: judged on its merits.
      const [shallow] = structured(
        `{"specversion":"1.0","id":"d","source":"urn:x","type":"cn.gov.dongcheng.siliconalley.enterprise.registered.v1","time":"2025-01-01T00:00:00Z","subject":"s","data":${deep(63)}}`,
      );
      expect(reasons([shallow!])).toEqual(['schema_invalid']);
    });

    it('names attributes as the JSON members they are', () => {
      const [result] = structured(json(cloudEvent('enterprise.registered', registeredData(), { subject: '91110000802100433B' })));
      expect(messages([result!])[0]).toMatch(/^subject "91110000802100433B" does not match data\.uscc/);
    });
  });

  describe('batch mode (application/cloudevents-batch+json)', () => {
    it('gives one result per event, in order, each checked on its own and published as its own JSON text', () => {
      const events = [
        cloudEvent('enterprise.registered'),
        cloudEvent('task.progress.reported', { ...taskData(), department: '区教委' }),
        'not an event',
        cloudEvent('task.progress.reported'),
        cloudEvent('certification.granted', grantedData(), { type: 'cn.gov.dongcheng.siliconalley.certification.granted.v9' }),
      ];
      const parsed = batch(json(events));
      expect(parsed).toMatchObject({ ok: true, contentMode: 'batch' });
      const results = eventsOf(parsed);
      expect(reasons(results)).toEqual(['accepted', 'unauthorized_department', 'malformed', 'accepted', 'unknown_type']);
      expect(results.map((r) => r.topic)).toEqual([TOPICS.enterprise, TOPICS.task, null, TOPICS.task, null]);
      expect(results[2]).toMatchObject({
        verdict: { message: expect.stringMatching(/^batch event \[2\] is "not an event", not a JSON object/) },
        hints: { id: null, source: null, type: null },
      });
      results.forEach((r, i) => {
        expect(JSON.parse(r.record.value.toString('utf8'))).toEqual(events[i]);
        expect(r.record.headers['content-type']).toBe('application/cloudevents+json');
      });
      // Ingestion reads the routed records the same way.
      for (const r of results.filter((x) => x.topic !== null)) expect(reasons([{ ...r, verdict: overKafka(r) } as HttpEvent])).toEqual(reasons([r]));
    });

    it('applies the size limit per event', () => {
      const big = cloudEvent('task.progress.reported', { ...taskData(), narrative: 'x'.repeat(270_000) });
      expect(reasons(eventsOf(batch(json([cloudEvent('enterprise.registered'), big]))))).toEqual(['accepted', 'too_large']);
    });

    it('refuses a request that is no non-empty JSON array of shallow events as a whole (400)', () => {
      expect(batch('[]')).toEqual({ ok: false, status: 400, reason: 'malformed', message: 'the batch is empty: send at least one CloudEvent' });
      expect(batch(json(cloudEvent('enterprise.registered')))).toMatchObject({
        ok: false,
        status: 400,
        message: expect.stringMatching(/must be a JSON array of CloudEvents/),
      });
      expect(batch('[{')).toMatchObject({ ok: false, status: 400, message: expect.stringMatching(/^the batch is not valid JSON/) });
      expect(batch(Buffer.from([0x5b, 0xff, 0x5d]))).toMatchObject({ ok: false, status: 400, message: expect.stringMatching(/not valid UTF-8/) });
      for (const depth of [65, 100_000]) {
        expect(batch(`[${JSON.stringify(cloudEvent('enterprise.registered'))},${deep(depth)}]`)).toMatchObject({
          ok: false,
          status: 400,
          message: expect.stringMatching(/^batch event \[1\] is nested more than 64 levels deep/),
        });
      }
    });

    it('drops a leading byte order mark', () => {
      const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), json([cloudEvent('enterprise.registered')])]);
      expect(reasons(eventsOf(batch(body)))).toEqual(['accepted']);
    });
  });

  describe('binary mode (ce- headers)', () => {
    const headers = {
      'ce-specversion': '1.0',
      'ce-id': 'ent-42',
      'ce-source': 'urn:dongcheng:samr',
      'ce-type': 'cn.gov.dongcheng.siliconalley.enterprise.registered.v1',
      'ce-time': '2025-10-10T10:00:00+08:00',
      'ce-subject': '91110101MA01ABCD5M',
      'content-type': 'application/json',
    };
    const binary = (h: Record<string, string>, body: Buffer, contentType: string | undefined = 'application/json') => parse({ contentType, headers: h, body });

    it('takes an empty Content-Type as none, as ingestion takes an empty content-type header: both accept the event', () => {
      const [result] = binary(headers, json(registeredData()), '');
      expect(reasons([result!])).toEqual(['accepted']);
      expect(overKafka(result!)).toMatchObject({ ok: true });
    });

    it('accepts data in the body and attributes in headers, published as a binary-mode Kafka record', () => {
      const body = json(registeredData());
      const [result] = binary(headers, body);
      expect(result).toMatchObject({
        verdict: { ok: true, event: { id: 'ent-42', time: '2025-10-10T10:00:00+08:00', data: registeredData() } },
        topic: TOPICS.enterprise,
        hints: { id: 'ent-42', source: 'urn:dongcheng:samr', type: 'enterprise.registered' },
      });
      expect({ ...result!.record.headers }).toEqual({
        ce_specversion: '1.0',
        ce_id: 'ent-42',
        ce_source: 'urn:dongcheng:samr',
        ce_type: 'cn.gov.dongcheng.siliconalley.enterprise.registered.v1',
        ce_time: '2025-10-10T10:00:00+08:00',
        ce_subject: '91110101MA01ABCD5M',
        'content-type': 'application/json',
      });
      expect(result!.record).toMatchObject({ key: '91110101MA01ABCD5M', value: body });
      expect(overKafka(result!)).toMatchObject({ ok: true, contentMode: 'binary', event: (result!.verdict as { event: unknown }).event });
    });

    it('percent-decodes header values, and refuses the request (400) for a value that is not validly encoded', () => {
      const [result] = binary({ ...headers, 'ce-id': 'ent%2D42%E4%B8%9C' }, json(registeredData()));
      expect(result).toMatchObject({ verdict: { ok: true, event: { id: 'ent-42东' } }, record: { headers: { ce_id: 'ent-42东' } } });
      const broken = parseHttpRequest({ contentType: 'application/json', headers: { ...headers, 'ce-id': 'ent%E4' }, body: json(registeredData()) }, CTX);
      expect(broken).toMatchObject({ ok: false, status: 400, message: expect.stringMatching(/^header ce-id is not validly percent-encoded/) });
      // An encoded lone surrogate is no UTF-8: it cannot become an ill-formed id this way.
      const surrogate = parseHttpRequest({ contentType: 'application/json', headers: { ...headers, 'ce-id': '%ED%A0%80' }, body: json(registeredData()) }, CTX);
      expect(surrogate).toMatchObject({ ok: false, status: 400 });
      const raw = parseHttpRequest(
        { contentType: 'application/json', headers: { ...headers, 'ce-source': 'urn:dongcheng:\u00e5' }, body: json(registeredData()) },
        CTX,
      );
      expect(raw).toMatchObject({ ok: false, status: 400, message: expect.stringMatching(/^header ce-source has characters outside printable ASCII/) });
    });

    it('speaks HTTP: names the ce- header, the Content-Type header and the request body, never Kafka terms', () => {
      const { 'ce-time': _, ...noTime } = headers;
      void _;
      const said = [
        ...binary(noTime, json(registeredData())),
        ...binary({ ...headers, 'ce-subject': '91110000802100433B' }, json(registeredData())),
        ...binary(headers, json(registeredData()), 'text/plain'),
        ...binary(headers, Buffer.from('<xml/>')),
        ...binary(headers, Buffer.alloc(0)),
        ...binary(headers, json({ ...registeredData(), name: '\ud800' })),
        ...binary({ ...headers, 'ce-specversion': '0.3' }, json(registeredData())),
      ];
      expect(messages(said)).toEqual([
        expect.stringMatching(/^header ce-time is missing: send time as an RFC 3339 timestamp/),
        expect.stringMatching(/^header ce-subject "91110000802100433B" does not match data\.uscc/),
        expect.stringMatching(/^header Content-Type is "text\/plain"/),
        expect.stringMatching(/^request body \(data\) is not valid JSON/),
        expect.stringMatching(/^request body \(data\) is missing/),
        expect.stringMatching(/^data\.name is "\\ud800": send text as well-formed Unicode/),
        expect.stringMatching(/^header ce-specversion is "0\.3"/),
      ]);
      for (const m of messages(said)) expect(m).not.toMatch(/ce_|record value|content-type/);
    });
  });

  it('refuses a request that is no CloudEvent at all, or in another event format, with 415', () => {
    const plain = parseHttpRequest({ contentType: 'application/json', headers: {}, body: json(registeredData()) }, CTX);
    expect(plain).toMatchObject({
      ok: false,
      status: 415,
      message: expect.stringMatching(/binary mode \(ce-\* headers with a JSON body\); got application\/json/),
    });
    for (const contentType of ['application/cloudevents+avro', 'application/cloudevents+json; charset=latin1']) {
      expect(parseHttpRequest({ contentType, headers: {}, body: Buffer.from('{}') }, CTX)).toMatchObject({
        ok: false,
        status: 415,
        message: expect.stringMatching(/is not a supported event format/),
      });
    }
    expect(parseHttpRequest({ contentType: undefined, headers: {}, body: Buffer.from('{}') }, CTX)).toMatchObject({
      ok: false,
      status: 415,
      message: expect.stringMatching(/got no content type$/),
    });
  });
});
