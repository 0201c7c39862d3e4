// POST /api/v1/events on in-memory stand-ins for the broker, the dead-letter topic and the token
// store (createServer): the batch bound (countArrayItems), what each event's verdict is, where each
// record goes (its topic, or the dead-letter topic), and the provider's grants. The real broker is
// the integration tests' (test/integration/ingest.test.ts).
import request from 'supertest';
import { TOPICS } from '@siliconalley/contract';
import { countArrayItems } from '../../src/server';
import { bearer, fullType, gateway, registered, type Gateway } from './fakes';

const CE_JSON = 'application/cloudevents+json';
const CE_BATCH = 'application/cloudevents-batch+json';

describe('countArrayItems', () => {
  const count = (text: string, stopAfter = 1000) => countArrayItems(Buffer.from(text, 'utf8'), stopAfter);

  it('counts the top-level elements of a JSON array, nested arrays and objects as one each', () => {
    expect(count('[]')).toBe(0);
    expect(count('[1]')).toBe(1);
    expect(count('[1, "two", null, true, {"a": [1, 2, {"b": [3, 4]}]}, [5, 6, 7]]')).toBe(6);
    expect(count(' \r\n\t[ {} ,\n {} ]')).toBe(2);
    expect(count('\uFEFF[{}, {}, {}]')).toBe(3); // a UTF-8 byte order mark first
  });

  it('is not fooled by brackets, braces, commas and escaped quotes inside strings', () => {
    expect(count('[{"id": "a, [b], {c}"}, "x\\",]", "\\\\", "]"]')).toBe(4);
    expect(count('["[", "{", ",", "\\"[\\""]')).toBe(4);
  });

  it('stops once past `stopAfter`, whatever follows', () => {
    const huge = `[${'{},'.repeat(100_000)}{}]`;
    expect(countArrayItems(Buffer.from(huge), 3)).toBe(4);
    expect(countArrayItems(Buffer.from(huge), 200_000)).toBe(100_001);
  });

  it('null for a body that is no array (the route says what is wrong with it)', () => {
    for (const text of ['', '   ', '{}', '"[1,2]"', '12', 'null']) expect([text, count(text)]).toEqual([text, null]);
  });
});

describe('the batch bound (INGEST_MAX_BATCH_EVENTS)', () => {
  let g: Gateway;
  let samr: string;
  beforeEach(async () => {
    g = gateway({ maxBatchEvents: 3 });
    samr = (await g.tokens.issue('provider', { types: ['enterprise.registered'] })).token;
  });
  const post = (contentType: string, body: string) =>
    request(g.app).post('/api/v1/events').set('Authorization', bearer(samr)).set('Content-Type', contentType).send(body);
  /** Events whose strings hold what a naive count would take for array syntax. */
  const batchOf = (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => registered(900 + i, { id: `batch-${i}, [x], {"y": "\\"}` })));

  it('413 naming the limit for one event too many, before any is judged or produced', async () => {
    const res = await post(`${CE_BATCH}; charset=utf-8`, batchOf(4));
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ maxEvents: 3 });
    expect(res.body.detail).toMatch(/at most 3 events \(INGEST_MAX_BATCH_EVENTS\)/);
    expect([g.broker.sends, g.deadLetters.letters.length]).toEqual([0, 0]);
  });

  it('up to the limit the batch is judged and produced', async () => {
    const res = await post(CE_BATCH, batchOf(3)).expect(200);
    expect(res.body).toMatchObject({ accepted: 3, duplicates: 0, rejected: 0 });
    expect(g.broker.ids(TOPICS.enterprise)).toEqual(['batch-0, [x], {"y": "\\"}', 'batch-1, [x], {"y": "\\"}', 'batch-2, [x], {"y": "\\"}']);
  });

  it('only batches are counted: one structured event is one event', async () => {
    await post(CE_JSON, JSON.stringify(registered(1))).expect(202);
    expect(g.broker.ids(TOPICS.enterprise)).toEqual(['gw-unit-reg-1']);
  });
});

describe('POST /api/v1/events: verdicts and where each record goes', () => {
  let g: Gateway;
  let samr: string;
  beforeEach(async () => {
    g = gateway();
    samr = (await g.tokens.issue('provider', { types: ['enterprise.registered', 'enterprise.updated'] })).token;
  });
  const post = (token: string, contentType: string, body: string) =>
    request(g.app).post('/api/v1/events').set('Authorization', bearer(token)).set('Content-Type', contentType).send(body);
  const rejectedCount = async () => (await g.registry.getSingleMetric('siliconalley_events_rejected_total')!.get()).values.reduce((n, v) => n + v.value, 0);

  it('202 for a valid event, produced to its namespaced topic keyed by subject', async () => {
    const event = registered(7);
    const res = await post(samr, CE_JSON, JSON.stringify(event)).expect(202);
    expect(res.body).toMatchObject({
      accepted: 1,
      duplicates: 0,
      rejected: 0,
      results: [{ index: 0, id: 'gw-unit-reg-7', source: 'urn:dongcheng:samr', status: 'accepted' }],
    });
    const [record] = g.broker.produced.get(g.broker.topic(TOPICS.enterprise))!;
    expect(record!.key).toBe(event.subject);
    expect(JSON.parse(String(record!.value))).toEqual(event);
  });

  it('400 with the reason for an invalid event, which still goes to its topic for ingestion to dead-letter and count', async () => {
    const event = registered(8);
    const bad = '91110101MA01ABCD5X'; // check character wrong
    const res = await post(samr, CE_JSON, JSON.stringify({ ...event, subject: bad, data: { ...(event.data as object), uscc: bad } }));
    expect([res.status, res.body.reason]).toEqual([400, 'invalid_uscc']);
    expect(res.body.detail.length).toBeGreaterThan(10);
    expect(g.broker.ids(TOPICS.enterprise)).toEqual(['gw-unit-reg-8']);
    expect(g.deadLetters.letters).toEqual([]);
  });

  it('a body that is not JSON has no topic: 400 malformed, dead-lettered here with origin http, and counted', async () => {
    const res = await post(samr, CE_JSON, '{not json');
    expect([res.status, res.body.reason]).toEqual([400, 'malformed']);
    expect(g.deadLetters.letters.map((l) => [l.reason, l.origin])).toEqual([['malformed', { topic: 'http', partition: null, offset: null }]]);
    expect(g.broker.sends).toBe(0);
    expect(await rejectedCount()).toBe(1);
  });

  it('a mixed batch: a result per event; the second copy of a (source, id) is a duplicate; unknown types are dead-lettered here', async () => {
    const batch = [
      registered(1),
      registered(2, { data: 'not an object' }),
      registered(1), // the same (source, id) again
      registered(3, { type: fullType('enterprise.teleported') }),
      registered(4, { type: fullType('enterprise.updated'), id: 'upd-4' }),
    ];
    const res = await post(samr, CE_BATCH, JSON.stringify(batch)).expect(200);
    expect(res.body.results.map((r: { status: string; reason?: string }) => [r.status, r.reason ?? null])).toEqual([
      ['accepted', null],
      ['rejected', 'schema_invalid'],
      ['duplicate', null],
      ['rejected', 'unknown_type'],
      ['rejected', 'schema_invalid'], // an enterprise.updated event needs its own data shape
    ]);
    expect(res.body).toMatchObject({ accepted: 1, duplicates: 1, rejected: 3 });
    // Routable records (valid or not, duplicates too) go to their topic; the unknown type to the dead letters.
    expect(g.broker.ids(TOPICS.enterprise)).toEqual(['gw-unit-reg-1', 'gw-unit-reg-2', 'gw-unit-reg-1', 'upd-4']);
    expect(g.deadLetters.letters.map((l) => l.reason)).toEqual(['unknown_type']);
    expect(await rejectedCount()).toBe(1);
  });

  it('403 for the whole request when one event has a type the token may not publish; nothing produced', async () => {
    const batch = [registered(1), registered(2, { type: fullType('certification.granted') })];
    const res = await post(samr, CE_BATCH, JSON.stringify(batch));
    expect(res.status).toBe(403);
    expect(res.body.detail).toMatch(/may publish enterprise.registered, enterprise.updated; the request has certification.granted/);
    expect([g.broker.sends, g.deadLetters.letters.length]).toEqual([0, 0]);
  });

  it('a token pinned to a source publishes as that source only (403 for any other), and as it, normally', async () => {
    const pinned = (await g.tokens.issue('provider', { types: ['enterprise.registered'], source: 'urn:dongcheng:samr' })).token;
    const res = await post(pinned, CE_JSON, JSON.stringify(registered(5, { source: 'urn:dongcheng:other' })));
    expect(res.status).toBe(403);
    expect(res.body.detail).toMatch(/publishes as source urn:dongcheng:samr; the request has source urn:dongcheng:other/);
    expect(g.broker.sends).toBe(0);
    await post(pinned, CE_JSON, JSON.stringify(registered(5))).expect(202);
  });

  it('only providers may post events (403 for the other roles)', async () => {
    for (const role of ['evaluator', 'operator'] as const) {
      const res = await post((await g.tokens.issue(role)).token, CE_JSON, JSON.stringify(registered(1)));
      expect([role, res.status]).toEqual([role, 403]);
    }
    expect(g.broker.sends).toBe(0);
  });
});
