// IndicatorClient against real indicator apps on 127.0.0.1: three instances holding one partition
// each, merged, answer what one instance holding all three answers.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { IndicatorClient } from '@siliconalley/api';
import type { AcceptedEvent } from '@siliconalley/contract';
import { createMetricsRegistry, HttpProblem } from '@siliconalley/http';
import { createLogger } from '@siliconalley/logger';
import { acceptedFixtureEvents, newInternalApiSecret } from '@siliconalley/testkit';
import { defaultZoneRegistry } from '@siliconalley/zones';
import { applyChunk } from '../../src/apply';
import { ChangeLog } from '../../src/changes';
import { PartitionOwnership } from '../../src/ownership';
import { createServer } from '../../src/server';
import { IndicatorState } from '../../src/state';
import { FIRM_A, FIRM_B, FIRM_C, granted, recordsOf, registered, taskReport } from './builders';

const logger = createLogger('test', 'silent');
const now = () => new Date('2026-11-26T12:00:00Z');
const servers: Server[] = [];
const secret = newInternalApiSecret();

/** The accepted topic of this test: a firm's (or task's) events on one partition, as keyed. */
const topic: AcceptedEvent[][] = [
  [
    registered(FIRM_A, '2020-01-01', { id: 'a1' }),
    granted(FIRM_A, '2021-03-01', { id: 'a2' }),
    taskReport(1, '2025-Q1', '2025-04-02T08:00:00Z', { id: 't1' }),
    registered(FIRM_A, '2020-01-01', { id: 'a1' }),
  ],
  [granted(FIRM_B, '2024-06-01', { id: 'b1' }), taskReport(2, '2025-Q1', '2025-04-01T08:00:00Z', { id: 't2' })],
  [
    registered(FIRM_C, '2022-02-02', { id: 'c1', source: 'urn:other' }),
    granted(FIRM_C, '2021-01-01', { id: 'c2' }),
    taskReport(3, '2025-Q2', '2025-04-01T08:00:00Z', { id: 't0' }),
  ],
];

/** An indicator instance owning `partitions` of `of` (this test's topic by default), replayed (or, with `upTo`, only that far), on a port. */
async function instance(partitions: number[], upTo = Infinity, of: AcceptedEvent[][] = topic): Promise<string> {
  const state = new IndicatorState(defaultZoneRegistry());
  const ownership = new PartitionOwnership();
  const changes = new ChangeLog();
  const { generation } = ownership.assign(partitions);
  ownership.partitionEnds(generation, new Map(of.map((events, p) => [p, BigInt(events.length)])));
  for (const p of partitions) {
    const records = recordsOf(p, 0, of[p]!).slice(0, upTo);
    for (const r of records) applyChunk({ state, ownership, changes, logger }, p, [r]); // chunks of one: several change blocks
  }
  const app = createServer({ state, logger, registry: createMetricsRegistry('test'), now, ownership, changes, internalSecret: secret });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

describe('IndicatorClient on real indicator instances', () => {
  let one: IndicatorClient;
  let three: IndicatorClient;
  beforeAll(async () => {
    one = new IndicatorClient([await instance([0, 1, 2])], { secret });
    three = new IndicatorClient([await instance([0]), await instance([2]), await instance([1])], { secret });
  });

  it('task reports: the union, each once, by time then id', async () => {
    const ids = (await three.taskReports()).map((r) => r.id);
    expect(ids).toEqual(['t0', 't2', 't1']);
    expect(await one.taskReports()).toEqual(await three.taskReports());
  });

  it('applied offsets: every partition, ready', async () => {
    expect(await three.applied()).toEqual({ ready: true, offsets: { '0': '4', '1': '2', '2': '3' } });
    expect(await one.applied()).toEqual(await three.applied());
  });

  it('changes: summed over instances, the same as one instance, from any offsets', async () => {
    const everything = await three.changesSince({});
    expect(everything).toEqual({
      minEffectiveDate: '2020-01-01',
      groups: [
        { type: 'certification.granted', source: 'urn:certifier', month: '2021-01', events: 1, examples: ['c2'] },
        { type: 'certification.granted', source: 'urn:certifier', month: '2021-03', events: 1, examples: ['a2'] },
        { type: 'certification.granted', source: 'urn:certifier', month: '2024-06', events: 1, examples: ['b1'] },
        { type: 'enterprise.registered', source: 'urn:other', month: '2022-02', events: 1, examples: ['c1'] },
        { type: 'enterprise.registered', source: 'urn:registry', month: '2020-01', events: 1, examples: ['a1'] },
        { type: 'task.progress.reported', source: 'urn:tasks', month: '2025-04', events: 3, examples: ['t0', 't1', 't2'] },
      ],
    });
    const offsets: Record<string, string>[] = [{}, { '0': '2' }, { '0': '4', '1': '2', '2': '3' }, { '2': '1' }];
    for (const since of offsets) {
      expect(await one.changesSince(since)).toEqual(await three.changesSince(since));
    }
    expect(await three.changesSince({ '0': '4', '1': '2', '2': '3' })).toEqual({ minEffectiveDate: null, groups: [] });
  });

  it('certificates without a known firm: summed over instances', async () => {
    const dates = ['2020-12-31', '2021-06-30', '2022-12-31', '2024-12-31'];
    expect(await three.certificatesWithoutFirm(dates)).toEqual({ '2020-12-31': 0, '2021-06-30': 1, '2022-12-31': 0, '2024-12-31': 1 });
    expect(await one.certificatesWithoutFirm(dates)).toEqual(await three.certificatesWithoutFirm(dates));
  });

  it('turnover: summed over instances, the same as one instance and as comparing the explained firms', async () => {
    const usccs = async (scope: string, asOf: string) => (await three.explain({ id: 'qualified_firms', scope }, asOf)).map((f) => f.uscc);
    const firmChanges = (before: string[], after: string[]) => ({
      gained: after.filter((f) => !before.includes(f)).length,
      lost: before.filter((f) => !after.includes(f)).length,
    });
    // A qualified 2021-03-01..2024-02-29 (partition 0), C 2022-02-02..2023-12-31 (partition 2).
    expect(await three.turnover({ id: 'qualified_firms', scope: 'district' }, '2021-06-30', '2022-12-31')).toEqual({ gained: 1, lost: 0 });
    expect(await three.turnover({ id: 'qualified_firms', scope: 'zone:QL' }, '2022-12-31', '2024-12-31')).toEqual({ gained: 0, lost: 2 });
    const days = ['2020-12-31', '2021-06-30', '2022-12-31', '2024-01-31', '2024-12-31'];
    for (const scope of ['district', 'zone:QL']) {
      for (const from of days) {
        for (const to of days) {
          const merged = await three.turnover({ id: 'qualified_firms', scope }, from, to);
          expect([scope, from, to, merged]).toEqual([scope, from, to, firmChanges(await usccs(scope, from), await usccs(scope, to))]);
          expect(await one.turnover({ id: 'qualified_firms', scope }, from, to)).toEqual(merged);
        }
      }
    }
  });

  it('during a replay: applied() says not ready with the offsets so far, the other reads answer 503', async () => {
    const replaying = new IndicatorClient([await instance([0, 1]), await instance([2], 1)], { secret });
    expect(await replaying.applied()).toEqual({ ready: false, offsets: { '0': '4', '1': '2', '2': '1' } });
    const err = await replaying.taskReports().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpProblem);
    expect((err as HttpProblem).status).toBe(503);
  });
});

describe('IndicatorClient.actions on the small fixture: three instances and one', () => {
  const events = acceptedFixtureEvents('small');
  const partitionOf = (e: AcceptedEvent) => [...e.subject].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7) % 3;
  const fixtureTopic = [0, 1, 2].map((p) => events.filter((e) => partitionOf(e) === p));
  let one: IndicatorClient;
  let three: IndicatorClient;
  beforeAll(async () => {
    one = new IndicatorClient([await instance([0, 1, 2], Infinity, fixtureTopic)], { secret });
    three = new IndicatorClient(await Promise.all([[1], [0], [2]].map((p) => instance(p, Infinity, fixtureTopic))), { secret });
  });

  it.each(['2024-06-30', '2025-12-31', '2026-10-31'])(
    'as of %s: the merged head with a limit is the head of the whole lists, with their lengths',
    async (asOf) => {
      const whole = await one.actions('QL', asOf, 180);
      expect(await three.actions('QL', asOf, 180)).toEqual(whole);
      const lengths = { renewalsDue: whole.renewalsDue.length, relocationCandidates: whole.relocationCandidates.length, nextTier: whole.nextTier.length };
      expect(lengths.relocationCandidates).toBeGreaterThan(100);
      for (const limit of [1, 3, 50, 1000]) {
        const head = await three.actions('QL', asOf, 180, limit);
        expect([limit, head]).toEqual([
          limit,
          {
            renewalsDue: whole.renewalsDue.slice(0, limit),
            relocationCandidates: whole.relocationCandidates.slice(0, limit),
            nextTier: whole.nextTier.slice(0, limit),
            lengths,
          },
        ]);
        expect(await one.actions('QL', asOf, 180, limit)).toEqual(head);
      }
    },
  );
});
