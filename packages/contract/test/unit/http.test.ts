// The three modes of the CloudEvents HTTP binding. Over HTTP the type decides the topic.
import { parseHttpRequest, type HttpEventResult } from '../../src';
import { cloudEvent, CTX, grantedData, registeredData, taskData } from '../samples';

const json = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');
const reasons = (results: HttpEventResult[]) => results.map((r) => (r.ok ? 'accepted' : r.reason));

describe('parseHttpRequest', () => {
  describe('structured mode (application/cloudevents+json)', () => {
    it('accepts one event and says which topic it belongs on', () => {
      const event = cloudEvent('certification.granted');
      const [result, ...rest] = parseHttpRequest({ contentType: 'application/cloudevents+json; charset=utf-8', headers: {}, body: json(event) }, CTX);
      expect(rest).toEqual([]);
      expect(result).toMatchObject({
        ok: true,
        contentMode: 'structured',
        topic: 'siliconalley.certification.v1',
        cloudEvent: event,
        event: { type: 'certification.granted', data: grantedData() },
      });
    });

    it('rejects a body over 256 KiB, or that is not a JSON object', () => {
      const big = cloudEvent('task.progress.reported', { ...taskData(), narrative: 'x'.repeat(270_000) });
      expect(reasons(parseHttpRequest({ contentType: 'application/cloudevents+json', headers: {}, body: json(big) }, CTX))).toEqual(['too_large']);
      expect(reasons(parseHttpRequest({ contentType: 'application/cloudevents+json', headers: {}, body: Buffer.from('[]') }, CTX))).toEqual(['malformed']);
      expect(reasons(parseHttpRequest({ contentType: 'application/cloudevents+json', headers: {}, body: Buffer.from('') }, CTX))).toEqual(['malformed']);
    });
  });

  describe('batch mode (application/cloudevents-batch+json)', () => {
    it('gives one result per event, in order, each checked on its own', () => {
      const events = [
        cloudEvent('enterprise.registered'),
        cloudEvent('task.progress.reported', { ...taskData(), department: '区教委' }),
        'not an event',
        cloudEvent('task.progress.reported'),
        cloudEvent('certification.granted', grantedData(), { type: 'cn.gov.dongcheng.siliconalley.certification.granted.v9' }),
      ];
      const results = parseHttpRequest({ contentType: 'application/cloudevents-batch+json', headers: {}, body: json(events) }, CTX);
      expect(reasons(results)).toEqual(['accepted', 'unauthorized_department', 'malformed', 'accepted', 'unknown_type']);
      expect(results[0]).toMatchObject({ contentMode: 'batch', topic: 'siliconalley.enterprise.v1' });
      expect(results[3]).toMatchObject({ contentMode: 'batch', topic: 'siliconalley.task.v1' });
      expect(results[2]).toMatchObject({ message: expect.stringMatching(/^batch event \[2\] is "not an event", not a JSON object/) });
    });

    it('applies the size limit per event', () => {
      const big = cloudEvent('task.progress.reported', { ...taskData(), narrative: 'x'.repeat(270_000) });
      const results = parseHttpRequest({ contentType: 'application/cloudevents-batch+json', headers: {}, body: json([cloudEvent('enterprise.registered'), big]) }, CTX);
      expect(reasons(results)).toEqual(['accepted', 'too_large']);
    });

    it('accepts an empty batch and rejects a body that is not an array', () => {
      expect(parseHttpRequest({ contentType: 'application/cloudevents-batch+json', headers: {}, body: Buffer.from('[]') }, CTX)).toEqual([]);
      const notArray = parseHttpRequest({ contentType: 'application/cloudevents-batch+json', headers: {}, body: json(cloudEvent('enterprise.registered')) }, CTX);
      expect(notArray).toEqual([{ ok: false, reason: 'malformed', message: 'request body is not a JSON array: send a batch as a JSON array of CloudEvents' }]);
      expect(reasons(parseHttpRequest({ contentType: 'application/cloudevents-batch+json', headers: {}, body: Buffer.from('[{') }, CTX))).toEqual(['malformed']);
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

    it('accepts data in the body and attributes in headers', () => {
      const [result] = parseHttpRequest({ contentType: 'application/json', headers, body: json(registeredData()) }, CTX);
      expect(result).toMatchObject({
        ok: true,
        contentMode: 'binary',
        topic: 'siliconalley.enterprise.v1',
        event: { id: 'ent-42', time: '2025-10-10T10:00:00+08:00', data: registeredData() },
        cloudEvent: { specversion: '1.0', id: 'ent-42', datacontenttype: 'application/json', data: registeredData() },
      });
    });

    it('percent-decodes header values', () => {
      const [result] = parseHttpRequest(
        { contentType: 'application/json', headers: { ...headers, 'ce-id': 'ent%2D42%E4%B8%9C' }, body: json(registeredData()) },
        CTX,
      );
      expect(result).toMatchObject({ ok: true, event: { id: 'ent-42东' } });
      const [broken] = parseHttpRequest({ contentType: 'application/json', headers: { ...headers, 'ce-id': 'ent%E4' }, body: json(registeredData()) }, CTX);
      expect(broken).toMatchObject({ ok: false, reason: 'malformed', message: expect.stringMatching(/^header ce-id is not validly percent-encoded/) });
    });

    it('names the ce- header that is missing', () => {
      const { 'ce-time': _, ...noTime } = headers;
      void _;
      const [result] = parseHttpRequest({ contentType: 'application/json', headers: noTime, body: json(registeredData()) }, CTX);
      expect(result).toMatchObject({ ok: false, reason: 'malformed', message: expect.stringMatching(/^header ce-time is missing: send time as an RFC 3339 timestamp/) });
    });

    it('checks the whole contract: a subject that is not data.uscc', () => {
      const [result] = parseHttpRequest({ contentType: 'application/json', headers: { ...headers, 'ce-subject': '91110000802100433B' }, body: json(registeredData()) }, CTX);
      expect(result).toMatchObject({ ok: false, reason: 'subject_mismatch', message: expect.stringMatching(/^header ce-subject "91110000802100433B" does not match data\.uscc/) });
    });

    it('rejects a non-JSON body or content type', () => {
      expect(reasons(parseHttpRequest({ contentType: 'application/json', headers, body: Buffer.from('<xml/>') }, CTX))).toEqual(['malformed']);
      const [text] = parseHttpRequest({ contentType: 'text/plain', headers, body: json(registeredData()) }, CTX);
      expect(text).toMatchObject({ reason: 'malformed', message: expect.stringMatching(/^header Content-Type is "text\/plain"/) });
    });
  });

  it('rejects a request that is no CloudEvent at all, or in another event format', () => {
    const plain = parseHttpRequest({ contentType: 'application/json', headers: {}, body: json(registeredData()) }, CTX);
    expect(plain).toEqual([expect.objectContaining({ ok: false, reason: 'malformed', message: expect.stringMatching(/^request is not a CloudEvent/) })]);
    const avro = parseHttpRequest({ contentType: 'application/cloudevents+avro', headers: {}, body: Buffer.from('x') }, CTX);
    expect(reasons(avro)).toEqual(['malformed']);
  });
});
