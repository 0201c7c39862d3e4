// IndicatorClient's reads that replace event-store scans (task reports, applied offsets, changes,
// data quality), against local HTTP servers playing indicator instances; and their helpers.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpProblem } from '@siliconalley/http';
import { ChangeGroupSum, formatOffsets, IndicatorClient, parseOffsets, type ChangeGroup } from '../../src';

type Answer = (url: URL) => { status: number; body: unknown };

const open: Server[] = [];
async function instance(answer: Answer): Promise<{ url: string; asked: URL[] }> {
  const asked: URL[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    asked.push(url);
    const { status, body } = answer(url);
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  open.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, asked };
}
const ok = (body: unknown) => () => ({ status: 200, body });
afterAll(async () => {
  await Promise.all(open.map((s) => new Promise((r) => s.close(r))));
});

const expect503 = async (p: Promise<unknown>, detail: RegExp) => {
  const err = await p.catch((e: unknown) => e);
  expect(err).toBeInstanceOf(HttpProblem);
  expect((err as HttpProblem).status).toBe(503);
  expect((err as HttpProblem).detail).toMatch(detail);
};

const report = (id: string, time: string, source = 'urn:tasks') => ({
  source,
  id,
  time,
  type: 'task.progress.reported',
  subject: 't',
  effectiveDate: time.slice(0, 10),
  data: { taskId: 1 },
});

describe('IndicatorClient.taskReports', () => {
  it('unions the reports of every instance, each (source, id) once, by time then id', async () => {
    const a = await instance(ok({ partitions: [0], reports: [report('b', '2025-04-02T00:00:00Z'), report('x', '2025-04-01T00:00:00+08:00')] }));
    const b = await instance(
      ok({
        partitions: [1, 2],
        reports: [report('a', '2025-04-02T00:00:00Z'), report('b', '2025-04-02T00:00:00Z'), report('b', '2025-04-02T00:00:00Z', 'urn:other')],
      }),
    );
    const got = await new IndicatorClient([a.url, b.url]).taskReports();
    expect(got.map((r) => `${r.source}/${r.id}`)).toEqual(['urn:tasks/x', 'urn:tasks/a', 'urn:tasks/b', 'urn:other/b']);
    expect(a.asked.map((u) => u.pathname + u.search)).toEqual(['/partial/tasks']);
  });

  it('answers 503 while the instances rebalance', async () => {
    const a = await instance(ok({ partitions: [0, 1], reports: [] }));
    const b = await instance(ok({ partitions: [1, 2], reports: [] }));
    await expect503(new IndicatorClient([a.url, b.url]).taskReports(), /rebalancing/);
  });
});

describe('IndicatorClient.applied', () => {
  it('merges the offsets of every instance; ready when all are ready and hold each partition once', async () => {
    const a = await instance(ok({ partitions: [0, 2], ready: true, applied: { '0': '12', '2': '9007199254740993' } }));
    const b = await instance(ok({ partitions: [1], ready: true, applied: { '1': '0' } }));
    expect(await new IndicatorClient([a.url, b.url]).applied()).toEqual({ ready: true, offsets: { '0': '12', '1': '0', '2': '9007199254740993' } });
  });

  it('does not throw while replaying or rebalancing: not ready, with the offsets known (the lower of two holders)', async () => {
    const a = await instance(ok({ partitions: [0, 1], ready: true, applied: { '0': '12', '1': '30' } }));
    const replaying = await instance(ok({ partitions: [2], ready: false, applied: { '2': '4' } }));
    const overlapping = await instance(ok({ partitions: [1], ready: true, applied: { '1': '7' } }));
    const nothing = await instance(ok({ partitions: [], ready: true, applied: {} }));
    expect(await new IndicatorClient([a.url, replaying.url]).applied()).toEqual({ ready: false, offsets: { '0': '12', '1': '30', '2': '4' } });
    expect(await new IndicatorClient([a.url, overlapping.url]).applied()).toEqual({ ready: false, offsets: { '0': '12', '1': '7' } });
    expect(await new IndicatorClient([nothing.url]).applied()).toEqual({ ready: false, offsets: {} });
  });

  it('answers 503 when an instance is unreachable', async () => {
    const a = await instance(ok({ partitions: [0], ready: true, applied: { '0': '1' } }));
    const gone = await instance(ok({}));
    const server = open.pop()!;
    await new Promise((r) => server.close(r));
    await expect503(new IndicatorClient([a.url, gone.url]).applied(), /unavailable/);
  });
});

describe('IndicatorClient.changesSince', () => {
  const g = (type: string, source: string, month: string, events: number, examples: string[]): ChangeGroup => ({ type, source, month, events, examples });

  it('sends the offsets as `since`, sums groups by (type, source, month), keeps 5 examples and the earliest date', async () => {
    const a = await instance(
      ok({ partitions: [0], minEffectiveDate: '2025-03-02', groups: [g('t', 's', '2025-03', 4, ['a1', 'a3', 'a5', 'a7']), g('t', 'b', '2025-04', 1, ['b1'])] }),
    );
    const b = await instance(
      ok({ partitions: [1, 2], minEffectiveDate: '2024-12-31', groups: [g('t', 's', '2025-03', 3, ['a2', 'a4', 'a6']), g('a', 's', '2024-12', 1, ['c1'])] }),
    );
    const none = await instance(ok({ partitions: [3], minEffectiveDate: null, groups: [] }));
    const got = await new IndicatorClient([a.url, b.url, none.url]).changesSince({ '0': '10', '1': '0', '2': '77' });
    expect(got).toEqual({
      minEffectiveDate: '2024-12-31',
      groups: [g('a', 's', '2024-12', 1, ['c1']), g('t', 'b', '2025-04', 1, ['b1']), g('t', 's', '2025-03', 7, ['a1', 'a2', 'a3', 'a4', 'a5'])],
    });
    for (const u of [...a.asked, ...b.asked]) expect(u.pathname + u.search).toBe('/partial/changes?since=0%3A10%2C1%3A0%2C2%3A77');
  });

  it('asks without `since` for everything; null when nothing changed', async () => {
    const a = await instance(ok({ partitions: [0], minEffectiveDate: null, groups: [] }));
    expect(await new IndicatorClient([a.url]).changesSince({})).toEqual({ minEffectiveDate: null, groups: [] });
    expect(a.asked.map((u) => u.pathname + u.search)).toEqual(['/partial/changes']);
  });

  it('answers 503 while an instance replays', async () => {
    const a = await instance(ok({ partitions: [0], minEffectiveDate: null, groups: [] }));
    const b = await instance(() => ({ status: 503, body: { detail: 'the indicator is rebuilding its state' } }));
    await expect503(new IndicatorClient([a.url, b.url]).changesSince({}), /rebuilding/);
  });
});

describe('IndicatorClient.certificatesWithoutFirm', () => {
  it('sums the counts of every instance per date, asking each date once, in slices of 400', async () => {
    const counts = (n: number, partitions: number[]) => (u: URL) => ({
      status: 200,
      body: {
        partitions,
        certificatesWithoutKnownFirm: Object.fromEntries(
          u.searchParams
            .get('asOf')!
            .split(',')
            .map((d) => [d, n]),
        ),
      },
    });
    const a = await instance(counts(2, [0]));
    const b = await instance(counts(5, [1, 2]));
    const dates = Array.from({ length: 450 }, (_, i) => `d${i}`);
    const got = await new IndicatorClient([a.url, b.url]).certificatesWithoutFirm([...dates, 'd0']);
    expect(Object.keys(got)).toEqual(dates);
    expect(Object.values(got).every((n) => n === 7)).toBe(true);
    expect(a.asked.map((u) => u.searchParams.get('asOf')!.split(',').length)).toEqual([400, 50]);
    expect(a.asked[0]!.pathname).toBe('/partial/data-quality');
  });

  it('relays a refused date', async () => {
    const a = await instance(() => ({ status: 400, body: { detail: 'asOf "2099-01-01": is in the future' } }));
    const err = (await new IndicatorClient([a.url]).certificatesWithoutFirm(['2099-01-01']).catch((e: unknown) => e)) as HttpProblem;
    expect([err.status, err.detail]).toEqual([400, 'asOf "2099-01-01": is in the future']);
  });
});

describe('offsets and change groups', () => {
  it('formats and parses `since`', () => {
    expect(formatOffsets({ '0': '123', '1': '456' })).toBe('0:123,1:456');
    expect(parseOffsets('0:123,1:9223372036854775807')).toEqual(
      new Map([
        [0, 123n],
        [1, 9223372036854775807n],
      ]),
    );
    expect(parseOffsets(undefined)).toEqual(new Map());
    expect(parseOffsets('')).toEqual(new Map());
    expect(() => parseOffsets('0:1,0:2')).toThrow(/twice/);
    expect(() => parseOffsets('0:-1')).toThrow(/pairs/);
    expect(() => parseOffsets('x')).toThrow(/pairs/);
  });

  it('ChangeGroupSum keys groups by a Map: provider strings named like Object members are plain data', () => {
    const sum = new ChangeGroupSum();
    sum.addEvent({ type: '__proto__', source: 'hasOwnProperty', id: 'p', effectiveDate: '2025-01-09' });
    sum.addEvent({ type: '__proto__', source: 'hasOwnProperty', id: 'o', effectiveDate: '2025-01-02' });
    sum.addEvent({ type: 'constructor', source: '__proto__', id: 'q', effectiveDate: '2025-02-01' });
    expect(sum.result()).toEqual({
      minEffectiveDate: '2025-01-02',
      groups: [
        { type: '__proto__', source: 'hasOwnProperty', month: '2025-01', events: 2, examples: ['o', 'p'] },
        { type: 'constructor', source: '__proto__', month: '2025-02', events: 1, examples: ['q'] },
      ],
    });
  });

  it('keeps the 5 smallest example ids whatever the order they come in', () => {
    const ids = ['k', 'c', 'x', 'a', 'c', 'm', 'b', 'z', 'd'];
    const forward = new ChangeGroupSum();
    const backward = new ChangeGroupSum();
    for (const id of ids) forward.addEvent({ type: 't', source: 's', id, effectiveDate: '2025-01-01' });
    for (const id of [...ids].reverse()) backward.addEvent({ type: 't', source: 's', id, effectiveDate: '2025-01-01' });
    expect(forward.result().groups[0]!.examples).toEqual(['a', 'b', 'c', 'd', 'k']);
    expect(backward.result()).toEqual(forward.result());
    expect(forward.result().groups[0]!.events).toBe(9);
  });
});
