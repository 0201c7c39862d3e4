// HTTP ingest on the real broker and store: what the provider is told, and what actually lands on
// the namespace's Kafka topics (read back with a real consumer).
import request from 'supertest';
import type { Express } from 'express';
import { TOPICS } from '@siliconalley/contract';
import { DLQ_HEADERS, type InboundRecord } from '@siliconalley/kafka';
import { syntheticUscc } from '@siliconalley/testkit';
import {
  bearer,
  closeServer,
  expectProblem,
  fullType,
  granted,
  listenLocal,
  openStack,
  rawHttp,
  producedSoFar,
  readBack,
  registered,
  storedEvent,
  type Readback,
  type Stack,
} from './harness';

jest.setTimeout(120000);

let stack: Stack;
let app: Express;
let readback: Readback;
/** May publish enterprise events only. */
let samr: string;
/** May publish certification events only. */
let stc: string;
let evaluator: string;

const CE_JSON = 'application/cloudevents+json';
const CE_BATCH = 'application/cloudevents-batch+json';

const topic = (base: string) => stack.kafka.topic(base);
const byEventId = (t: string, id: string) => (r: InboundRecord) =>
  r.topic === topic(t) && r.value !== null && r.value.toString('utf8').includes(JSON.stringify(id));

beforeAll(async () => {
  stack = await openStack();
  app = stack.app();
  samr = (await stack.store.tokens.issue('provider', { types: ['enterprise.registered', 'enterprise.updated', 'enterprise.deregistered'], label: 'samr' }))
    .token;
  stc = (await stack.store.tokens.issue('provider', { types: ['certification.granted', 'certification.revoked'], label: 'stc' })).token;
  evaluator = (await stack.store.tokens.issue('evaluator')).token;
  readback = await readBack(stack.kafka, [TOPICS.enterprise, TOPICS.certification, TOPICS.task, TOPICS.deadLetter]);
});

afterAll(async () => {
  await readback?.stop();
  await stack?.close();
});

const post = (token: string, contentType: string | null, body: string | Buffer, target: Express = app) => {
  const t = request(target).post('/api/v1/events').set('Authorization', bearer(token));
  if (contentType !== null) t.set('Content-Type', contentType);
  return t.send(body);
};

describe('structured mode', () => {
  it('answers 202 for a valid event and produces it, unchanged, to the namespaced enterprise topic keyed by subject', async () => {
    const event = registered(101);
    const body = JSON.stringify(event);
    const res = await post(samr, CE_JSON, body).expect(202);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({
      accepted: 1,
      duplicates: 0,
      rejected: 0,
      results: [{ index: 0, id: event.id, source: 'urn:dongcheng:samr', status: 'accepted' }],
    });

    const record = await readback.waitFor('the event on the enterprise topic', byEventId(TOPICS.enterprise, event.id as string));
    expect(record.key).toBe(syntheticUscc(101));
    expect(record.headers['content-type']).toBe(CE_JSON);
    expect(record.value!.toString('utf8')).toBe(body);
    // Not on any other topic.
    expect(readback.records.filter((r) => r.value?.toString('utf8').includes(JSON.stringify(event.id))).map((r) => r.topic)).toEqual([
      topic(TOPICS.enterprise),
    ]);
  });

  it('answers 400 with the reason and an instructive detail for an invalid event, and still routes it to its topic for ingestion to dead-letter', async () => {
    const bad = registered(102, { subject: syntheticUscc(103) });
    const res = await post(samr, `${CE_JSON}; charset=utf-8`, JSON.stringify(bad));
    expectProblem(res, 400, /subject .* does not match data\.uscc .*: send the same/);
    const problem = JSON.parse(res.text);
    expect(problem.reason).toBe('subject_mismatch');
    expect(problem.results).toEqual([
      { index: 0, id: bad.id, source: 'urn:dongcheng:samr', status: 'rejected', reason: 'subject_mismatch', message: problem.detail },
    ]);
    const record = await readback.waitFor('the invalid event on the enterprise topic', byEventId(TOPICS.enterprise, bad.id as string));
    expect(record.key).toBe(syntheticUscc(103));
  });

  it('answers 400 malformed for a body that is not JSON, and dead-letters it (it has no topic)', async () => {
    const res = await post(samr, CE_JSON, '{"specversion": "1.0", "id": "half');
    expectProblem(res, 400);
    expect(JSON.parse(res.text)).toMatchObject({
      reason: 'malformed',
      results: [{ index: 0, id: null, source: null, status: 'rejected', reason: 'malformed' }],
    });
    const dead = await readback.waitFor(
      'the malformed body on the dead-letter topic',
      (r) => r.topic === topic(TOPICS.deadLetter) && r.value?.toString('utf8') === '{"specversion": "1.0", "id": "half',
    );
    expect(dead.headers[DLQ_HEADERS.reason]).toBe('malformed');
    expect(dead.headers[DLQ_HEADERS.topic]).toBe('http');
    expect(dead.headers[DLQ_HEADERS.message]).toMatch(/JSON/);
  });

  it('queues an event whose (source, id) is already stored as accepted: ingestion settles duplicates, the gateway reads no store', async () => {
    const event = registered(104);
    expect(await stack.store.events.insertMany([storedEvent(event)])).toEqual(['inserted']);
    const res = await post(samr, CE_JSON, JSON.stringify({ ...event, time: '2021-05-11T09:00:00+08:00' })).expect(202);
    expect(res.body).toEqual({
      accepted: 1,
      duplicates: 0,
      rejected: 0,
      results: [{ index: 0, id: event.id, source: 'urn:dongcheng:samr', status: 'accepted' }],
    });
    const record = await readback.waitFor(
      'the re-sent event on its topic',
      (r) => r.topic === topic(TOPICS.enterprise) && r.value?.toString('utf8').includes('2021-05-11T09:00:00+08:00') === true,
    );
    expect(JSON.parse(record.value!.toString('utf8')).id).toBe(event.id);
  });
});

describe('batch mode', () => {
  it('refuses the whole request with 403 when one event has a type the token may not publish, and produces nothing', async () => {
    const before = await producedSoFar(stack.kafka);
    const batch = [registered(110), registered(111, { data: { uscc: syntheticUscc(111) } }), granted(112)];
    const res = await post(samr, CE_BATCH, JSON.stringify(batch));
    expectProblem(
      res,
      403,
      /this token may publish enterprise\.registered, enterprise\.updated, enterprise\.deregistered; the request has certification\.granted/,
    );
    expect(await producedSoFar(stack.kafka)).toBe(before);
  });

  it('answers 200 with a result per event (reason codes, instructive messages) for a mixed batch, and routes each record', async () => {
    const valid = registered(120);
    const noName = registered(121);
    delete (noName.data as Record<string, unknown>).name;
    const badUscc = registered(122);
    (badUscc.data as Record<string, unknown>).uscc = `${syntheticUscc(122).slice(0, 17)}${syntheticUscc(122).endsWith('0') ? '1' : '0'}`;
    badUscc.subject = (badUscc.data as Record<string, unknown>).uscc;
    const unknownType = registered(123, { type: fullType('enterprise.renamed') });
    const future = registered(124, { data: { ...(registered(124).data as object), establishedOn: '2099-01-01' } });
    const batch = [valid, noName, badUscc, unknownType, 42, future];
    const res = await post(samr, CE_BATCH, JSON.stringify(batch)).expect(200);
    expect(res.body).toMatchObject({ accepted: 1, duplicates: 0, rejected: 5 });
    expect(res.body.results).toEqual([
      { index: 0, id: valid.id, source: 'urn:dongcheng:samr', status: 'accepted' },
      { index: 1, id: noName.id, source: 'urn:dongcheng:samr', status: 'rejected', reason: 'schema_invalid', message: expect.stringMatching(/data\.name/) },
      {
        index: 2,
        id: badUscc.id,
        source: 'urn:dongcheng:samr',
        status: 'rejected',
        reason: 'invalid_uscc',
        message: expect.stringMatching(/not a valid Unified Social Credit Code.*send the firm's 18-character code/),
      },
      {
        index: 3,
        id: unknownType.id,
        source: 'urn:dongcheng:samr',
        status: 'rejected',
        reason: 'unknown_type',
        message: expect.stringMatching(/is not a type of event contract v1: send one of/),
      },
      { index: 4, id: null, source: null, status: 'rejected', reason: 'malformed', message: expect.stringMatching(/.+/) },
      {
        index: 5,
        id: future.id,
        source: 'urn:dongcheng:samr',
        status: 'rejected',
        reason: 'future_dated',
        message: expect.stringMatching(/2099-01-01 is later than .*: send the event no earlier/),
      },
    ]);

    // Routable records (valid or not) go to their topic, keyed by subject, as single structured events.
    for (const e of [valid, noName, badUscc, future]) {
      const r = await readback.waitFor(`batch event ${e.id}`, byEventId(TOPICS.enterprise, e.id as string));
      expect(r.key).toBe(e.subject);
      expect(r.headers['content-type']).toBe(CE_JSON);
      expect(JSON.parse(r.value!.toString('utf8'))).toEqual(e);
    }
    // The rest are dead-lettered here with the reason, the message and origin `http`.
    const unknown = await readback.waitFor('the unknown type on the dead-letter topic', byEventId(TOPICS.deadLetter, unknownType.id as string));
    expect(unknown.headers[DLQ_HEADERS.reason]).toBe('unknown_type');
    expect(unknown.headers[DLQ_HEADERS.topic]).toBe('http');
    expect(unknown.headers[DLQ_HEADERS.message]).toBe(res.body.results[3].message);
    const notAnObject = await readback.waitFor(
      'the non-object on the dead-letter topic',
      (r) => r.topic === topic(TOPICS.deadLetter) && r.value?.toString('utf8') === '42',
    );
    expect(notAnObject.headers[DLQ_HEADERS.reason]).toBe('malformed');
  });

  it('reports the second copy of a (source, id) inside a batch as a duplicate, and a stored one as accepted', async () => {
    const old = registered(130);
    await stack.store.events.insertMany([storedEvent(old)]);
    const fresh = registered(131);
    const res = await post(samr, CE_BATCH, JSON.stringify([old, fresh, fresh])).expect(200);
    expect(res.body).toEqual({
      accepted: 2,
      duplicates: 1,
      rejected: 0,
      results: [
        { index: 0, id: old.id, source: 'urn:dongcheng:samr', status: 'accepted' },
        { index: 1, id: fresh.id, source: 'urn:dongcheng:samr', status: 'accepted' },
        { index: 2, id: fresh.id, source: 'urn:dongcheng:samr', status: 'duplicate' },
      ],
    });
  });

  it('answers 400 problems for a batch that is not a non-empty JSON array', async () => {
    expectProblem(await post(samr, CE_BATCH, '{"not": "an array"}'), 400, /must be a JSON array of CloudEvents/);
    expectProblem(await post(samr, CE_BATCH, '[]'), 400, /the batch is empty/);
    expectProblem(await post(samr, CE_BATCH, '[{"a":'), 400, /the batch is not valid JSON/);
  });

  it('produces a batch larger than one Kafka request allows (events just under 256 KiB each)', async () => {
    // Each event is valid (extra data fields are ignored) and ~200 KB; the batch is ~1.4 MB, over
    // the broker's message.max.bytes for one partition's record batch (same subject, same partition).
    const padding = 'x'.repeat(200 * 1024);
    const events = Array.from({ length: 7 }, () => registered(140, { data: { ...(registered(140).data as object), padding } }));
    const res = await post(samr, CE_BATCH, JSON.stringify(events));
    expect(res.status).toBe(200);
    expect(res.body.accepted).toBe(7);
    const records = [];
    for (const e of events) records.push(await readback.waitFor(`big event ${e.id}`, byEventId(TOPICS.enterprise, e.id as string)));
    // One key, one partition, and the batch's order kept across produce calls.
    expect(new Set(records.map((r) => r.partition)).size).toBe(1);
    const offsets = records.map((r) => BigInt(r.offset));
    expect(offsets).toEqual([...offsets].sort((a, b) => (a < b ? -1 : 1)));
  });

  it('reports an event over 256 KiB inside a batch as too_large; over what the broker takes, it is dead-lettered without its body', async () => {
    const big = registered(141, { data: { ...(registered(141).data as object), padding: 'x'.repeat(1100 * 1024) } });
    const small = registered(142);
    const before = await producedSoFar(stack.kafka);
    const res = await post(samr, CE_BATCH, JSON.stringify([big, small])).expect(200);
    expect(res.body.results).toEqual([
      {
        index: 0,
        id: big.id,
        source: 'urn:dongcheng:samr',
        status: 'rejected',
        reason: 'too_large',
        message: expect.stringMatching(/^batch event \[0\] is \d+ bytes, over the limit of 262144 bytes \(256 KiB\): send a smaller event/),
      },
      { index: 1, id: small.id, source: 'urn:dongcheng:samr', status: 'accepted' },
    ]);
    await readback.waitFor('the small event', byEventId(TOPICS.enterprise, small.id as string));
    const dead = await readback.waitFor(
      'the body-less dead letter',
      (r) => r.topic === topic(TOPICS.deadLetter) && String(r.headers[DLQ_HEADERS.message]).startsWith(res.body.results[0].message) === true,
    );
    expect(dead.value).toBeNull();
    expect(dead.headers[DLQ_HEADERS.reason]).toBe('too_large');
    expect(dead.headers[DLQ_HEADERS.topic]).toBe('http');
    expect(dead.headers[DLQ_HEADERS.message]).toMatch(/is more than the broker takes and is not kept here\)$/);
    expect(await producedSoFar(stack.kafka)).toBe(before + 2);
  });

  it('reports the second copy of one (source, id) in a batch as a duplicate', async () => {
    const event = registered(143);
    const res = await post(
      samr,
      CE_BATCH,
      JSON.stringify([event, { ...event, time: '2021-05-10T10:00:00+08:00' }, { ...event, source: 'urn:dongcheng:samr:2' }]),
    ).expect(200);
    expect(res.body.results.map((r: { status: string }) => r.status)).toEqual(['accepted', 'duplicate', 'accepted']);
    expect(res.body).toMatchObject({ accepted: 2, duplicates: 1, rejected: 0 });
  });
});

describe('binary mode', () => {
  const binaryHeaders = (event: Record<string, unknown>) => ({
    'ce-specversion': '1.0',
    'ce-id': event.id as string,
    'ce-source': event.source as string,
    'ce-type': event.type as string,
    'ce-time': event.time as string,
    'ce-subject': event.subject as string,
  });

  it('answers 202 and produces a binary-mode record: data as the value, ce_* headers, keyed by subject', async () => {
    const event = registered(150);
    const data = JSON.stringify(event.data);
    const res = await request(app)
      .post('/api/v1/events')
      .set('Authorization', bearer(samr))
      .set(binaryHeaders(event))
      .set('Content-Type', 'application/json')
      .send(data)
      .expect(202);
    expect(res.body).toEqual({
      accepted: 1,
      duplicates: 0,
      rejected: 0,
      results: [{ index: 0, id: event.id, source: 'urn:dongcheng:samr', status: 'accepted' }],
    });
    const record = await readback.waitFor('the binary record', (r) => r.topic === topic(TOPICS.enterprise) && r.headers.ce_id === event.id);
    expect(record.key).toBe(event.subject);
    expect(record.value!.toString('utf8')).toBe(data);
    expect(record.headers).toEqual({
      ce_specversion: '1.0',
      ce_id: event.id,
      ce_source: 'urn:dongcheng:samr',
      ce_type: event.type,
      ce_time: event.time,
      ce_subject: event.subject,
      'content-type': 'application/json',
    });
  });

  it('percent-decodes ce-* header values (HTTP binding) before they become Kafka headers', async () => {
    const event = registered(151, { id: `东城 100% ${Date.now()}`, source: 'urn:dongcheng:市场监管局' });
    const headers = Object.fromEntries(
      Object.entries(binaryHeaders(event)).map(([k, v]) => [k, v.replace(/[^\x21-\x7e]|[%"]/gu, (c) => encodeURIComponent(c).replace(/"/g, '%22'))]),
    );
    expect(headers['ce-id']).toMatch(/^%E4%B8%9C%E5%9F%8E%20100%25%20\d+$/);
    const res = await request(app)
      .post('/api/v1/events')
      .set('Authorization', bearer(samr))
      .set(headers)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify(event.data));
    expect(res.status).toBe(202);
    expect(res.body.results).toEqual([{ index: 0, id: event.id, source: 'urn:dongcheng:市场监管局', status: 'accepted' }]);
    const record = await readback.waitFor('the percent-decoded binary record', (r) => r.topic === topic(TOPICS.enterprise) && r.headers.ce_id === event.id);
    expect(record.headers.ce_source).toBe('urn:dongcheng:市场监管局');
  });

  it('answers 400 malformed for a ce-* header that is not validly percent-encoded, and produces nothing', async () => {
    const event = registered(152);
    const before = await producedSoFar(stack.kafka);
    const res = await request(app)
      .post('/api/v1/events')
      .set('Authorization', bearer(samr))
      .set({ ...binaryHeaders(event), 'ce-id': 'bad%E4%B8' })
      .set('Content-Type', 'application/json')
      .send(JSON.stringify(event.data));
    expectProblem(res, 400, /ce-id is not validly percent-encoded/);
    expect(await producedSoFar(stack.kafka)).toBe(before);
  });

  it('answers 400 malformed for raw (unencoded) UTF-8 in a ce-* header, and produces nothing', async () => {
    const event = registered(154);
    const server = await listenLocal(app);
    try {
      const before = await producedSoFar(stack.kafka);
      const data = Buffer.from(JSON.stringify(event.data), 'utf8');
      const head = [
        'POST /api/v1/events HTTP/1.1',
        `Host: 127.0.0.1`,
        'Connection: close',
        `Authorization: ${bearer(samr)}`,
        'Content-Type: application/json',
        `Content-Length: ${data.length}`,
        ...Object.entries({ ...binaryHeaders(event), 'ce-source': 'urn:dongcheng:市场监管局' }).map(([k, v]) => `${k}: ${v}`),
        '',
        '',
      ].join('\r\n');
      const res = await rawHttp(server, Buffer.concat([Buffer.from(head, 'utf8'), data]));
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(res.body)).toMatchObject({
        status: 400,
        reason: 'malformed',
        detail: expect.stringMatching(/header ce-source has characters outside printable ASCII: percent-encode/),
      });
      expect(await producedSoFar(stack.kafka)).toBe(before);
    } finally {
      await closeServer(server);
    }
  });

  it('refuses a binary event of a type the token may not publish with 403', async () => {
    const before = await producedSoFar(stack.kafka);
    const cert = granted(153);
    const res = await request(app)
      .post('/api/v1/events')
      .set('Authorization', bearer(samr))
      .set(binaryHeaders(cert))
      .set('Content-Type', 'application/json')
      .send(JSON.stringify(cert.data));
    expectProblem(res, 403, /the request has certification\.granted/);
    expect(await producedSoFar(stack.kafka)).toBe(before);
  });
});

describe('what the door refuses', () => {
  it('refuses a certification event from a provider limited to enterprise types (403), and accepts it from the certification provider', async () => {
    const before = await producedSoFar(stack.kafka);
    const cert = granted(160);
    const res = await post(samr, CE_JSON, JSON.stringify(cert));
    expectProblem(
      res,
      403,
      /this token may publish enterprise\.registered, enterprise\.updated, enterprise\.deregistered; the request has certification\.granted/,
    );
    expect(await producedSoFar(stack.kafka)).toBe(before);
    await post(stc, CE_JSON, JSON.stringify(cert)).expect(202);
    const record = await readback.waitFor('the certification event', byEventId(TOPICS.certification, cert.id as string));
    expect(record.key).toBe(cert.subject);
  });

  it('holds a provider token pinned to a source to that source (403 for any other, whole request)', async () => {
    const pinned = (await stack.store.tokens.issue('provider', { types: ['enterprise.registered'], source: 'urn:dongcheng:samr', label: 'pinned' })).token;
    const before = await producedSoFar(stack.kafka);
    const forged = registered(162, { source: 'urn:dongcheng:stc' });
    expectProblem(
      await post(pinned, CE_JSON, JSON.stringify(forged)),
      403,
      /this token publishes as source urn:dongcheng:samr; the request has source urn:dongcheng:stc/,
    );
    expectProblem(await post(pinned, CE_BATCH, JSON.stringify([registered(163), forged])), 403, /source urn:dongcheng:stc/);
    const binary = await request(app)
      .post('/api/v1/events')
      .set('Authorization', bearer(pinned))
      .set({
        'ce-specversion': '1.0',
        'ce-id': forged.id as string,
        'ce-source': 'urn%3Adongcheng%3Astc',
        'ce-type': forged.type as string,
        'ce-time': forged.time as string,
        'ce-subject': forged.subject as string,
      })
      .set('Content-Type', 'application/json')
      .send(JSON.stringify(forged.data));
    expectProblem(binary, 403, /the request has source urn:dongcheng:stc/);
    expect(await producedSoFar(stack.kafka)).toBe(before);
    await post(pinned, CE_JSON, JSON.stringify(registered(164))).expect(202);
  });

  it('refuses non-providers before reading the body (403)', async () => {
    expectProblem(await post(evaluator, CE_JSON, JSON.stringify(registered(161))), 403, /needs the role provider; the token has the role evaluator/);
  });

  it('answers 415 for a content type that is no CloudEvents mode and no ce- headers', async () => {
    const before = await producedSoFar(stack.kafka);
    const event = JSON.stringify(registered(170));
    expectProblem(await post(samr, 'text/plain', event), 415, /send application\/cloudevents\+json .* got text\/plain/);
    expectProblem(await post(samr, 'application/json', event), 415, /binary mode \(ce-\* headers with a JSON body\); got application\/json/);
    const none = await request(app).post('/api/v1/events').set('Authorization', bearer(samr)).send(Buffer.from(event));
    expectProblem(none, 415, /got (no content type|application\/octet-stream)/);
    expect(await producedSoFar(stack.kafka)).toBe(before);
  });

  it('answers 413 for a body over maxBodyBytes, and produces nothing', async () => {
    const small = stack.app({ maxBodyBytes: 2048 });
    const before = await producedSoFar(stack.kafka);
    const big = registered(171, { data: { ...(registered(171).data as object), padding: 'x'.repeat(4096) } });
    const res = await post(samr, CE_JSON, JSON.stringify(big), small);
    expectProblem(res, 413, /larger than the limit of 2048 bytes/);
    await post(samr, CE_JSON, JSON.stringify(registered(172)), small).expect(202);
    expect(await producedSoFar(stack.kafka)).toBe(before + 1);
  });

  it('answers 400 too_large (not 5xx) for one event over 256 KiB — even one over what Kafka takes', async () => {
    for (const size of [300 * 1024, 1100 * 1024]) {
      const big = registered(173, { data: { ...(registered(173).data as object), padding: 'x'.repeat(size) } });
      const res = await post(samr, CE_JSON, JSON.stringify(big));
      expectProblem(res, 400, /262,?144|256 KiB/);
      expect(JSON.parse(res.text).reason).toBe('too_large');
    }
  });

  it('puts a too-large event on the record (events.md): whole on its topic for ingestion to dead-letter and count when the broker takes it, else dead-lettered here without its body', async () => {
    const event = registered(174, { id: `too-large-${Date.now()}` });
    const fits = { ...event, data: { ...(event.data as object), padding: 'x'.repeat(300 * 1024) } };
    const body = JSON.stringify(fits);
    expect(JSON.parse((await post(samr, CE_JSON, body)).text).reason).toBe('too_large');
    const routed = await readback.waitFor('the 300 KB event on its topic', byEventId(TOPICS.enterprise, event.id as string));
    expect(routed.value!.toString('utf8')).toBe(body);
    expect(routed.key).toBe(event.subject);

    // Not a type of the contract: no topic to leave it to; dead-lettered whole here.
    const unknown = { ...fits, id: `${event.id}-unknown`, type: fullType('enterprise.renamed') };
    await post(samr, CE_JSON, JSON.stringify(unknown)).expect(400);
    const letter = await readback.waitFor('the unroutable 300 KB event', byEventId(TOPICS.deadLetter, unknown.id));
    expect(letter.headers[DLQ_HEADERS.reason]).toBe('too_large');
    expect(letter.value!.length).toBe(Buffer.byteLength(JSON.stringify(unknown)));

    // Over the broker's limit: recorded and counted without the body.
    const huge = { ...event, id: `${event.id}-huge`, data: { ...(event.data as object), padding: 'x'.repeat(1100 * 1024) } };
    const res = await post(samr, CE_JSON, JSON.stringify(huge));
    const problem = JSON.parse(res.text);
    const bodiless = await readback.waitFor(
      'the body-less dead letter',
      (r) => r.topic === topic(TOPICS.deadLetter) && String(r.headers[DLQ_HEADERS.message]).startsWith(problem.detail) === true,
    );
    expect(bodiless.value).toBeNull();
    expect(bodiless.headers['content-type']).toBe(CE_JSON);
    expect(bodiless.headers[DLQ_HEADERS.reason]).toBe('too_large');
    // A too-large event of a type the token may not publish is refused as any other (its type is read).
    expectProblem(
      await post(samr, CE_JSON, JSON.stringify({ ...granted(175), padding: 'x'.repeat(300 * 1024) })),
      403,
      /the request has certification\.granted/,
    );
  });

  it('answers the 4th request in a minute with 429 and Retry-After, producing nothing for it', async () => {
    const limited = stack.app({ rateLimitPerMinute: 3 });
    for (let i = 0; i < 3; i++) await post(samr, CE_JSON, JSON.stringify(registered(180 + i)), limited).expect(202);
    const before = await producedSoFar(stack.kafka);
    const res = await post(samr, CE_JSON, JSON.stringify(registered(183)), limited);
    expectProblem(res, 429, /more than 3 requests per minute/);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(await producedSoFar(stack.kafka)).toBe(before);
  });

  it('never lets operator objects in the body reach the store: they are malformed, not 5xx', async () => {
    const structured = await post(samr, CE_JSON, JSON.stringify(registered(190, { id: { $gt: '' } })));
    expectProblem(structured, 400, /send id as a non-empty string/);
    expect(JSON.parse(structured.text).reason).toBe('malformed');
    const batch = await post(
      samr,
      CE_BATCH,
      JSON.stringify([
        registered(191, { source: { $ne: null } }),
        registered(192, { id: { $regex: '.*' } }),
        registered(193, { type: { $in: [fullType('enterprise.registered')] } }),
      ]),
    ).expect(200);
    expect(batch.body.results.map((r: { status: string; reason: string; id: unknown; source: unknown }) => [r.status, r.reason, r.id, r.source])).toEqual([
      ['rejected', 'malformed', expect.any(String), null],
      ['rejected', 'malformed', null, 'urn:dongcheng:samr'],
      ['rejected', 'malformed', expect.any(String), 'urn:dongcheng:samr'],
    ]);
    const binary = await request(app)
      .post('/api/v1/events')
      .set('Authorization', bearer(samr))
      .set({
        'ce-specversion': '1.0',
        'ce-id': '{"$gt":""}',
        'ce-source': '{"$ne":null}',
        'ce-type': fullType('enterprise.registered'),
        'ce-time': '2021-05-10T09:00:00Z',
        'ce-subject': syntheticUscc(194),
      })
      .set('Content-Type', 'application/json')
      .send(JSON.stringify(registered(194).data));
    // Header values are strings: an id or source that merely looks like JSON is an ordinary string.
    expect(binary.status).toBe(202);
    expect(binary.body.results).toEqual([{ index: 0, id: '{"$gt":""}', source: '{"$ne":null}', status: 'accepted' }]);
  });
});

describe('one HTTP binding, the contract one: its words, its parse', () => {
  const binaryHeaders = (event: Record<string, unknown>) => ({
    'ce-specversion': '1.0',
    'ce-id': event.id as string,
    'ce-source': event.source as string,
    'ce-type': event.type as string,
    'ce-time': event.time as string,
    'ce-subject': event.subject as string,
  });

  it('tells an HTTP client about ce- headers and the request body, never Kafka headers or record values', async () => {
    const event = registered(200);
    const mismatch = await request(app)
      .post('/api/v1/events')
      .set('Authorization', bearer(samr))
      .set({ ...binaryHeaders(event), 'ce-subject': syntheticUscc(201) })
      .set('Content-Type', 'application/json')
      .send(JSON.stringify(event.data));
    expectProblem(mismatch, 400, /^header ce-subject "[0-9A-Z]{18}" does not match data\.uscc/);
    const { 'ce-time': _, ...noTime } = binaryHeaders(event);
    void _;
    const missing = await request(app)
      .post('/api/v1/events')
      .set('Authorization', bearer(samr))
      .set(noTime)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify(event.data));
    expectProblem(missing, 400, /^header ce-time is missing/);
    const notJson = await request(app)
      .post('/api/v1/events')
      .set('Authorization', bearer(samr))
      .set(binaryHeaders(event))
      .set('Content-Type', 'application/json')
      .send('{"uscc":');
    expectProblem(notJson, 400, /^request body \(data\) is not valid JSON/);
    const structured = await post(samr, CE_JSON, '{"specversion": "1.0", "id": "half');
    expectProblem(structured, 400, /^request body is not valid JSON/);
    for (const res of [mismatch, missing, notJson, structured]) expect(res.text).not.toMatch(/ce_|record value|header content-type/);
  });

  it('reads a structured event that starts with a UTF-8 byte order mark: accepted, and the grant checks still apply', async () => {
    // A string body goes out as UTF-8: U+FEFF is the bytes EF BB BF (a Buffer would be sent as JSON by supertest).
    const bom = '\uFEFF';
    const event = registered(202);
    const res = await post(samr, CE_JSON, `${bom}${JSON.stringify(event)}`).expect(202);
    expect(res.body.results).toEqual([{ index: 0, id: event.id, source: 'urn:dongcheng:samr', status: 'accepted' }]);
    const record = await readback.waitFor('the BOM event on its topic', byEventId(TOPICS.enterprise, event.id as string));
    expect(record.key).toBe(event.subject);
    // The type and source checks read the same parse: no BOM gets a forbidden type or a foreign source through.
    const before = await producedSoFar(stack.kafka);
    expectProblem(await post(samr, CE_JSON, `${bom}${JSON.stringify(granted(203))}`), 403, /the request has certification\.granted/);
    const pinned = (await stack.store.tokens.issue('provider', { types: ['enterprise.registered'], source: 'urn:dongcheng:samr', label: 'pinned-bom' })).token;
    expectProblem(await post(pinned, CE_JSON, `${bom}${JSON.stringify(registered(204, { source: 'urn:dongcheng:stc' }))}`), 403, /source urn:dongcheng:stc/);
    expect(await producedSoFar(stack.kafka)).toBe(before);
  });

  it('answers 400 malformed (not 500) for one event nested deeper than 64 levels, and puts it on the record', async () => {
    const deep = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;
    for (const depth of [65, 10_000, 100_000]) {
      const id = `deep-${depth}-${Date.now()}`;
      const body = `{"specversion":"1.0","id":"${id}","source":"urn:dongcheng:samr","type":"${fullType('enterprise.renamed')}","subject":${deep(depth)}}`;
      const res = await post(samr, CE_JSON, body);
      expectProblem(res, 400, /^request body is nested more than 64 levels deep/);
      expect(JSON.parse(res.text)).toMatchObject({
        reason: 'malformed',
        results: [{ index: 0, id, source: 'urn:dongcheng:samr', status: 'rejected', reason: 'malformed' }],
      });
      const letter = await readback.waitFor(`the ${depth}-deep event`, byEventId(TOPICS.deadLetter, id));
      expect(letter.headers[DLQ_HEADERS.reason]).toBe('malformed');
    }
    expectProblem(
      await post(samr, CE_BATCH, `[${JSON.stringify(registered(205))},${deep(100_000)}]`),
      400,
      /^batch event \[1\] is nested more than 64 levels deep/,
    );
  });

  it('rejects ids and data that are not well-formed Unicode as schema_invalid, so a distinct event is never taken for a duplicate', async () => {
    const first = registered(206, { id: 'lone-\ud800' });
    const second = registered(206, { id: 'lone-\udbff' });
    const res = await post(samr, CE_BATCH, JSON.stringify([first, second])).expect(200);
    expect(res.body.results.map((r: { status: string; reason?: string }) => [r.status, r.reason])).toEqual([
      ['rejected', 'schema_invalid'],
      ['rejected', 'schema_invalid'],
    ]);
    expect(res.body.results[0].message).toMatch(/^id is "lone-\\ud800": send text as well-formed Unicode/);
    const name = await post(samr, CE_JSON, JSON.stringify(registered(207, { data: { ...(registered(207).data as object), name: '\udc00' } })));
    expectProblem(name, 400, /^data\.name is "\\udc00": send text as well-formed Unicode/);
  });
});

describe('the pipeline view after HTTP ingest', () => {
  it('counts what was produced to the namespace as lag (nothing ingests it here), unaffected by other namespaces; no indicator: lag unknown', async () => {
    const ends = await stack.kafka.partitionEnds([TOPICS.enterprise, TOPICS.certification, TOPICS.task, TOPICS.accepted].map((t) => topic(t)));
    const offsets = Object.fromEntries(Object.entries(ends).map(([t, partitions]) => [t, Object.values(partitions).reduce((n, end) => n + Number(end), 0)]));
    const res = await request(app).get('/api/v1/pipeline').set('Authorization', bearer(samr)).expect(200);
    expect(res.body.topics.map((t: { topic: string; lag: number }) => [t.topic, t.lag])).toEqual(
      [TOPICS.enterprise, TOPICS.certification, TOPICS.task].map((t) => [topic(t), offsets[topic(t)]]),
    );
    // No indicator answers here: how far the KPIs are is unknown, and said so, not taken for 0.
    expect(res.body.indicator).toEqual({ topic: topic(TOPICS.accepted), lag: null, ready: false, unavailable: true });
    expect(res.body.lag).toBeNull();
  });
});
