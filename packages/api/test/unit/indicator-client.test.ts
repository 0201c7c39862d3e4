// IndicatorClient against local HTTP servers playing indicator instances' /partial/counts.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpProblem, INTERNAL_AUTH_HEADER } from '@siliconalley/http';
import { IndicatorClient } from '../../src';

type Answer = (asOf: string[]) => { status: number; body: unknown };

async function instance(answer: Answer): Promise<{ url: string; asked: string[][]; close: () => Promise<void> }> {
  const asked: string[][] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    const asOf = (url.searchParams.get('asOf') ?? '').split(',');
    asked.push(asOf);
    const { status, body } = answer(asOf);
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, asked, close: () => new Promise((r) => server.close(() => r())) };
}

const counts =
  (partitions: number[], n: number): Answer =>
  (asOf) => ({
    status: 200,
    body: { zoneIds: ['QL'], partitions, counts: Object.fromEntries(asOf.map((d) => [d, { a: n, [`only${n}`]: 1 }])) },
  });

describe('IndicatorClient', () => {
  it('sums series counts over instances, per date, asking each date once', async () => {
    const a = await instance(counts([0, 2], 3));
    const b = await instance(counts([1], 4));
    const client = new IndicatorClient([a.url, b.url]);
    const { zoneIds, byDate } = await client.counts(['2025-01-31', '2025-02-28', '2025-01-31']);
    expect(zoneIds).toEqual(['QL']);
    expect([...byDate.keys()]).toEqual(['2025-01-31', '2025-02-28']);
    expect(byDate.get('2025-02-28')).toEqual({ a: 7, only3: 1, only4: 1 });
    expect(a.asked).toEqual([['2025-01-31', '2025-02-28']]);
    await Promise.all([a.close(), b.close()]);
  });

  it('asks in slices of 400 dates', async () => {
    const a = await instance(counts([0, 1, 2], 1));
    const dates = Array.from({ length: 900 }, (_, i) => `d${i}`);
    const { byDate } = await new IndicatorClient([a.url]).counts(dates);
    expect(byDate.size).toBe(900);
    expect(a.asked.map((s) => s.length)).toEqual([400, 400, 100]);
    await a.close();
  });

  it('answers 503 when instances overlap or hold nothing (rebalancing), or one is not ready or down', async () => {
    const a = await instance(counts([0, 1], 1));
    const b = await instance(counts([1, 2], 1));
    const empty = await instance(counts([], 1));
    const notReady = await instance(() => ({ status: 503, body: { detail: 'replaying partitions' } }));
    const expect503 = async (urls: string[], detail: RegExp) => {
      const err = await new IndicatorClient(urls).counts(['2025-01-31']).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HttpProblem);
      expect((err as HttpProblem).status).toBe(503);
      expect((err as HttpProblem).detail).toMatch(detail);
    };
    await expect503([a.url, b.url], /rebalancing/);
    await expect503([empty.url], /rebalancing/);
    await expect503([a.url, notReady.url], /replaying partitions/);
    const down = empty.url;
    await empty.close();
    await expect503([down], /unavailable/);
    await Promise.all([a.close(), b.close(), notReady.close()]);
  });

  it('relays a 4xx with its detail', async () => {
    const a = await instance(() => ({ status: 400, body: { detail: 'asOf "x": must be a calendar date' } }));
    const err = (await new IndicatorClient([a.url]).counts(['x']).catch((e: unknown) => e)) as HttpProblem;
    expect([err.status, err.detail]).toEqual([400, 'asOf "x": must be a calendar date']);
    await a.close();
  });

  it('explain: unions the firms of every instance, sorted by USCC, passing the labels and asOf', async () => {
    const seen: string[] = [];
    const explainer = async (partitions: number[], usccs: string[]) => {
      const server: Server = createServer((req, res) => {
        seen.push(req.url!);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ asOf: '2025-06-30', partitions, firms: usccs.map((uscc) => ({ uscc, name: null, count: 1 })) }));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
    };
    const a = await explainer([0], ['B', 'D']);
    const b = await explainer([1], ['A', 'C']);
    const firms = await new IndicatorClient([a.url, b.url]).explain({ id: 'qualified_firms', scope: 'zone:QL' }, '2025-06-30');
    expect(firms.map((f) => f.uscc)).toEqual(['A', 'B', 'C', 'D']);
    expect(seen).toHaveLength(2);
    for (const url of seen) expect(url).toBe('/partial/explain?id=qualified_firms&scope=zone%3AQL&asOf=2025-06-30');
    await Promise.all([a.close(), b.close()]);
  });

  describe('turnover', () => {
    const turnoverInstance = async (partitions: number[], gained: number, lost: number, seen: string[]) => {
      const server: Server = createServer((req, res) => {
        seen.push(req.url!);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ partitions, from: '2023-12-31', to: '2025-06-30', gained, lost }));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
    };

    it('sums gained and lost over every instance, passing the labels, from and to', async () => {
      const seen: string[] = [];
      const a = await turnoverInstance([0, 2], 3, 1, seen);
      const b = await turnoverInstance([1], 4, 0, seen);
      const turnover = await new IndicatorClient([a.url, b.url]).turnover({ id: 'qualified_firms', scope: 'zone:QL' }, '2023-12-31', '2025-06-30');
      expect(turnover).toEqual({ gained: 7, lost: 1 });
      expect(seen).toHaveLength(2);
      for (const url of seen) expect(url).toBe('/partial/turnover?id=qualified_firms&scope=zone%3AQL&from=2023-12-31&to=2025-06-30');
      await Promise.all([a.close(), b.close()]);
    });

    it('answers 503 when the instances do not hold every partition exactly once, and relays a 4xx', async () => {
      const seen: string[] = [];
      const a = await turnoverInstance([0, 1], 1, 1, seen);
      const b = await turnoverInstance([1], 1, 1, seen);
      const err = (await new IndicatorClient([a.url, b.url])
        .turnover({ id: 'qualified_firms', scope: 'district' }, '2023-12-31', '2025-06-30')
        .catch((e: unknown) => e)) as HttpProblem;
      expect(err).toBeInstanceOf(HttpProblem);
      expect([err.status, err.detail]).toEqual([503, expect.stringMatching(/rebalancing/)]);
      const bad = await instance(() => ({ status: 400, body: { detail: 'from: must be a calendar date YYYY-MM-DD' } }));
      const refused = (await new IndicatorClient([bad.url])
        .turnover({ id: 'qualified_firms', scope: 'district' }, 'x', '2025-06-30')
        .catch((e: unknown) => e)) as HttpProblem;
      expect([refused.status, refused.detail]).toEqual([400, 'from: must be a calendar date YYYY-MM-DD']);
      await Promise.all([a.close(), b.close(), bad.close()]);
    });
  });
});

describe('IndicatorClient: the internal credential', () => {
  it("sends INTERNAL_API_SECRET with every request, and a refusal is a 502 (configuration), not the caller's 401", async () => {
    const seen: (string | undefined)[] = [];
    const server: Server = createServer((req, res) => {
      const given = req.headers[INTERNAL_AUTH_HEADER] as string | undefined;
      seen.push(given);
      const ok = given === 'the-shared-secret-of-at-least-32-chars';
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
      res.end(JSON.stringify(ok ? { zoneIds: [], partitions: [0], counts: { '2025-01-31': { a: 1 } } } : { detail: 'no' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const { byDate } = await new IndicatorClient([url], { secret: 'the-shared-secret-of-at-least-32-chars' }).counts(['2025-01-31']);
      expect(byDate.get('2025-01-31')).toEqual({ a: 1 });
      const err = (await new IndicatorClient([url], { secret: 'another-secret-of-at-least-32-characters' })
        .counts(['2025-01-31'])
        .catch((e: unknown) => e)) as HttpProblem;
      expect(err).toBeInstanceOf(HttpProblem);
      expect(err.status).toBe(502);
      expect(err.detail).toMatch(/INTERNAL_API_SECRET/);
      expect(seen).toEqual(['the-shared-secret-of-at-least-32-chars', 'another-secret-of-at-least-32-characters']);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
