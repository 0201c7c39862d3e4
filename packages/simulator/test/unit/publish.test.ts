// Publishing keeps each key's records in order (what makes duplicates and fixed re-sends decide as
// intended) and sends them the way a provider must: produce requests under the broker's limits,
// HTTP batches for structured events and one request per binary-mode or unparseable record.
import type { KafkaClient, OutboundRecord } from '@siliconalley/kafka';
import { simulate, type SimulatedRecord } from '../../src';
import { HttpPublisher, KafkaPublisher, slices } from '../../src/publish';

const records = [...simulate({ firms: 1500, from: '2015-01-01', to: '2026-06-30', seed: 4 })];

describe('KafkaPublisher', () => {
  it('publishes every record to its (namespaced) topic, each key in the original order, in requests under 512 KiB', async () => {
    const sent: { topic: string; records: OutboundRecord[] }[] = [];
    const client = { send: async (topic: string, recs: OutboundRecord[]) => void sent.push({ topic, records: recs }) } as unknown as KafkaClient;
    await new KafkaPublisher(client, 'ns1').publish(records);

    expect(sent.reduce((n, s) => n + s.records.length, 0)).toBe(records.length);
    expect(new Set(sent.map((s) => s.topic))).toEqual(
      new Set(['siliconalley.enterprise.v1.ns1', 'siliconalley.certification.v1.ns1', 'siliconalley.task.v1.ns1']),
    );
    for (const s of sent) {
      const bytes = s.records.reduce((n, r) => n + Buffer.byteLength(String(r.value)), 0);
      expect(s.records.length === 1 || bytes <= 512 * 1024).toBe(true);
      expect(s.records.length).toBeLessThanOrEqual(500);
    }
    const order = (list: { topic: string; key: string | null; value: string }[]) => {
      const byKey = new Map<string, string[]>();
      for (const r of list) byKey.set(`${r.topic}/${r.key}`, [...(byKey.get(`${r.topic}/${r.key}`) ?? []), r.value]);
      return byKey;
    };
    const published = sent.flatMap((s) => s.records.map((r) => ({ topic: s.topic.replace(/\.ns1$/, ''), key: r.key, value: String(r.value) })));
    expect(order(published)).toEqual(order(records));
  });
});

describe('slices', () => {
  it('cuts requests at 512 KiB and 500 records, and never splits a record', () => {
    const big = records.find((r) => r.reason === 'too_large')!; // just over 256 KiB: two do not fit in one request
    const small = records.filter((r) => r.reason !== 'too_large');
    expect(slices([big, big, ...small.slice(0, 5)]).map((s) => s.length)).toEqual([1, 6]);
    expect(slices(small.slice(0, 1200)).map((s) => s.length)).toEqual([500, 500, 200]);
  });
});

describe('HttpPublisher', () => {
  it('sends structured events in batches and the rest one by one, in order, retrying 429', async () => {
    const calls: { headers: Record<string, string>; body: string }[] = [];
    let throttled = false;
    const fakeFetch = (async (_url: string, init: { headers: Record<string, string>; body: string }) => {
      if (!throttled) {
        throttled = true;
        return new Response('{"detail":"slow down"}', { status: 429, headers: { 'retry-after': '0' } });
      }
      calls.push(init);
      if (init.headers['content-type'] === 'application/cloudevents-batch+json') {
        const n = (JSON.parse(init.body) as unknown[]).length;
        return Response.json({ results: Array.from({ length: n }, () => ({ status: 'accepted' })) }, { status: 200 });
      }
      return Response.json({ results: [{ status: 'accepted' }] }, { status: 202 });
    }) as unknown as typeof fetch;
    const sample = records.slice(0, 400);
    const publisher = new HttpPublisher('http://gw:8080/', 'tok', fakeFetch);
    await publisher.publish(sample);

    expect(calls.every((c) => c.headers.authorization === 'Bearer tok')).toBe(true);
    const sentValues = calls.flatMap((c) =>
      c.headers['content-type'] === 'application/cloudevents-batch+json' ? (JSON.parse(c.body) as unknown[]).map((e) => JSON.stringify(e)) : [c.body],
    );
    expect(sentValues).toEqual(sample.map((r) => r.value));
    const binary = calls.filter((c) => c.headers['ce-id'] !== undefined);
    expect(binary.length).toBe(sample.filter((r: SimulatedRecord) => r.headers.ce_id !== undefined).length);
    expect(binary.every((c) => c.headers['content-type'] === 'application/json' && c.headers['ce-time']!.includes('%3A'))).toBe(true);
    expect(publisher.answers.accepted).toBe(sample.length);
  });
});
