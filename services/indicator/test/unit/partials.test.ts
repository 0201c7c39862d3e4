// The partial routes alerting and the gateway ask instead of scanning the event store, on a state
// fed chunk by chunk as the consumer feeds it (applyChunk), without Kafka.
import request from 'supertest';
import type { Express } from 'express';
import { createMetricsRegistry, INTERNAL_AUTH_HEADER } from '@siliconalley/http';
import { createLogger } from '@siliconalley/logger';
import { newInternalApiSecret } from '@siliconalley/testkit';
import { defaultZoneRegistry } from '@siliconalley/zones';
import { applyChunk } from '../../src/apply';
import { ChangeLog } from '../../src/changes';
import { PartitionOwnership } from '../../src/ownership';
import { createServer } from '../../src/server';
import { IndicatorState } from '../../src/state';
import { FIRM_A, FIRM_B, FIRM_C, granted, recordsOf, registered, taskReport } from './builders';

const logger = createLogger('test', 'silent');
const now = () => new Date('2026-11-26T12:00:00Z');
const internalSecret = newInternalApiSecret();
/** Requests as the gateway and alerting make them: with INTERNAL_API_SECRET. */
const internal = (app: Express) => request.agent(app).set(INTERNAL_AUTH_HEADER, internalSecret);

function indicator() {
  const state = new IndicatorState(defaultZoneRegistry());
  const ownership = new PartitionOwnership();
  const changes = new ChangeLog();
  const app = createServer({ state, logger, registry: createMetricsRegistry('test'), now, ownership, changes, internalSecret });
  return {
    state,
    ownership,
    changes,
    app,
    apply: (partition: number, records: ReturnType<typeof recordsOf>) => applyChunk({ state, ownership, changes, logger }, partition, records),
  };
}

describe('the internal API: only for callers with INTERNAL_API_SECRET', () => {
  it('refuses every route without the secret or with another one (401), and answers with it', async () => {
    const { ownership, app, apply } = indicator();
    ownership.partitionEnds(ownership.assign([0]).generation, new Map([[0, 1n]]));
    apply(0, recordsOf(0, 0, [registered(FIRM_A, '2020-01-01')]));
    const paths = ['/kpis/explain?id=active_firms&scope=district&asOf=2025-06-30', '/kpis?asOf=2025-06-30', '/partial/tasks', '/partial/applied', '/nothing'];
    for (const path of paths) {
      for (const res of [await request(app).get(path), await request(app).get(path).set(INTERNAL_AUTH_HEADER, newInternalApiSecret())]) {
        expect([path, res.status]).toEqual([path, 401]);
        expect(res.text).not.toContain(FIRM_A);
      }
    }
    const explained = await internal(app).get(paths[0]!).expect(200);
    expect(explained.body.firms.map((f: { uscc: string }) => f.uscc)).toEqual([FIRM_A]);
  });
});

describe('indicator partial routes', () => {
  it('/partial/applied answers during a replay; the other routes answer 503 until it is done', async () => {
    const { ownership, app, apply } = indicator();
    const { generation } = ownership.assign([0, 1]);
    ownership.partitionEnds(
      generation,
      new Map([
        [0, 3n],
        [1, 0n],
      ]),
    );
    apply(0, recordsOf(0, 0, [registered(FIRM_A, '2020-01-01'), granted(FIRM_A, '2021-01-01')]));

    const replaying = await internal(app).get('/partial/applied').expect(200);
    expect(replaying.body).toEqual({ partitions: [0, 1], ready: false, applied: { '0': '2', '1': '0' } });
    for (const path of ['/partial/tasks', '/partial/changes', '/partial/data-quality?asOf=2025-06-30']) {
      const res = await internal(app).get(path);
      expect([path, res.status, res.headers['retry-after']]).toEqual([path, 503, '5']);
    }

    apply(0, recordsOf(0, 2, [taskReport(1, '2025-Q1', '2025-04-02T08:00:00Z')]));
    expect((await internal(app).get('/partial/applied').expect(200)).body).toEqual({ partitions: [0, 1], ready: true, applied: { '0': '3', '1': '0' } });
    await internal(app).get('/partial/tasks').expect(200);
  });

  it('/partial/tasks: the task reports held, each once (and counted once as a change)', async () => {
    const { ownership, app, apply } = indicator();
    ownership.partitionEnds(ownership.assign([2]).generation, new Map());
    const r1 = taskReport(3, '2025-Q1', '2025-04-02T08:00:00Z', { id: 't1' });
    const r2 = taskReport(3, '2025-Q2', '2025-07-02T08:00:00Z', { id: 't2' });
    apply(2, recordsOf(2, 0, [r1, r2, r1]));
    const res = await internal(app).get('/partial/tasks').expect(200);
    expect(res.body).toEqual({ partitions: [2], reports: [r1, r2] });
    // The re-delivered report is no change either.
    expect((await internal(app).get('/partial/changes').expect(200)).body.groups).toEqual([
      { type: 'task.progress.reported', source: 'urn:tasks', month: '2025-04', events: 1, examples: ['t1'] },
      { type: 'task.progress.reported', source: 'urn:tasks', month: '2025-07', events: 1, examples: ['t2'] },
    ]);
  });

  it('/partial/changes: the events applied for the first time from the given offsets, duplicates not counted', async () => {
    const { ownership, app, apply } = indicator();
    ownership.partitionEnds(ownership.assign([0, 1]).generation, new Map());
    const a = registered(FIRM_A, '2020-01-01', { id: 'a' });
    const b = granted(FIRM_B, '2025-03-15', { id: 'b' });
    apply(0, recordsOf(0, 0, [a, granted(FIRM_A, '2024-06-01', { id: 'g' })]));
    apply(1, recordsOf(1, 0, [b]));
    const since = async (q: string) => (await internal(app).get(`/partial/changes${q}`).expect(200)).body;

    expect(await since('')).toEqual({
      partitions: [0, 1],
      minEffectiveDate: '2020-01-01',
      groups: [
        { type: 'certification.granted', source: 'urn:certifier', month: '2024-06', events: 1, examples: ['g'] },
        { type: 'certification.granted', source: 'urn:certifier', month: '2025-03', events: 1, examples: ['b'] },
        { type: 'enterprise.registered', source: 'urn:registry', month: '2020-01', events: 1, examples: ['a'] },
      ],
    });
    // The applied offsets of a first look, then a re-delivered duplicate and one new event.
    const seen = (await internal(app).get('/partial/applied')).body.applied as Record<string, string>;
    apply(0, recordsOf(0, 2, [a, registered(FIRM_C, '2019-05-05', { id: 'c' })]));
    const q = `?since=${Object.entries(seen)
      .map(([p, o]) => `${p}:${o}`)
      .join(',')}`;
    expect(q).toBe('?since=0:2,1:1');
    // Exactly the new event: the re-delivered duplicate is not applied again, partition 1 has nothing past offset 1.
    expect(await since(q)).toEqual({
      partitions: [0, 1],
      minEffectiveDate: '2019-05-05',
      groups: [{ type: 'enterprise.registered', source: 'urn:registry', month: '2019-05', events: 1, examples: ['c'] }],
    });
  });

  it('/partial/changes refuses a malformed `since`, and answers 501 without a change log', async () => {
    const { ownership, app } = indicator();
    ownership.assign([]);
    for (const bad of ['0', '0:1,', 'a:1', '0:-1', '0:1,0:2']) {
      const res = await internal(app).get(`/partial/changes?since=${encodeURIComponent(bad)}`);
      expect([bad, res.status]).toEqual([bad, 400]);
      expect(res.body.detail).toMatch(/since/);
    }
    await internal(app).get('/partial/changes?since=0:1&x=1').expect(400);
    const rebuilt = createServer({ state: new IndicatorState(defaultZoneRegistry()), logger, registry: createMetricsRegistry('t'), now, internalSecret });
    await internal(rebuilt).get('/partial/changes').expect(501);
  });

  it('/partial/data-quality: certificates whose firm is unknown per day, from the firms held', async () => {
    const { ownership, app, apply } = indicator();
    ownership.partitionEnds(ownership.assign([0]).generation, new Map());
    apply(
      0,
      recordsOf(0, 0, [
        granted(FIRM_A, '2024-01-01'), // registered only from 2025-01-01
        registered(FIRM_A, '2025-01-01'),
        granted(FIRM_B, '2024-06-01'), // never registered
        registered(FIRM_C, '2020-01-01'),
        granted(FIRM_C, '2021-01-01'),
      ]),
    );
    const res = await internal(app).get('/partial/data-quality?asOf=2023-12-31,2024-03-31,2024-12-31,2025-01-01,2024-03-31').expect(200);
    expect(res.body).toEqual({ partitions: [0], certificatesWithoutKnownFirm: { '2023-12-31': 0, '2024-03-31': 1, '2024-12-31': 2, '2025-01-01': 1 } });
    for (const bad of ['2025-13-01', '2099-01-01', 'today', '']) {
      const r = await internal(app).get(`/partial/data-quality?asOf=${bad}`);
      expect([bad, r.status]).toEqual([bad, 400]);
    }
  });

  it('/partial/turnover: firms an entry gains and loses between two days, as the explained lists differ', async () => {
    const { ownership, app, apply } = indicator();
    ownership.partitionEnds(ownership.assign([0, 1]).generation, new Map());
    apply(0, recordsOf(0, 0, [registered(FIRM_A, '2020-01-01'), granted(FIRM_A, '2021-01-01')])); // HNTE until 2023-12-31
    apply(1, recordsOf(1, 0, [registered(FIRM_B, '2020-01-01'), granted(FIRM_B, '2024-06-01'), registered(FIRM_C, '2019-05-05')]));
    const turnover = async (q: string) => (await internal(app).get(`/partial/turnover?${q}`).expect(200)).body;
    const explained = async (scope: string, asOf: string) =>
      ((await internal(app).get(`/partial/explain?id=qualified_firms&scope=${scope}&asOf=${asOf}`).expect(200)).body.firms as { uscc: string }[]).map(
        (f) => f.uscc,
      );
    expect(await explained('zone:QL', '2023-06-30')).toEqual([FIRM_A]);
    expect(await explained('zone:QL', '2025-06-30')).toEqual([FIRM_B]);

    expect(await turnover('id=qualified_firms&scope=zone:QL&from=2023-06-30&to=2025-06-30')).toEqual({
      partitions: [0, 1],
      from: '2023-06-30',
      to: '2025-06-30',
      gained: 1,
      lost: 1,
    });
    expect(await turnover('id=qualified_firms&scope=district&from=2025-06-30&to=2023-06-30')).toMatchObject({ gained: 1, lost: 1 });
    expect(await turnover('id=qualified_firms&scope=district&from=2024-01-01&to=2025-06-30')).toMatchObject({ gained: 1, lost: 0 });
    expect(await turnover('id=active_firms&scope=district&from=2019-12-31&to=2020-01-01')).toMatchObject({ gained: 2, lost: 0 });
    // zone_share reads the zone's qualified firms, as explain does.
    expect(await turnover('id=zone_share&scope=zone:QL&from=2023-06-30&to=2025-06-30')).toMatchObject({ gained: 1, lost: 1 });
    expect(await turnover('id=certified_firms&scope=zone:QL&kind=HNTE&from=2023-06-30&to=2025-06-30')).toMatchObject({ gained: 1, lost: 1 });
  });

  it('/partial/turnover refuses bad days, an unknown entry or zone, and answers 503 during a replay', async () => {
    const { ownership, app } = indicator();
    const { generation } = ownership.assign([0]);
    const refused = async (q: string, detail: RegExp) => {
      const res = await internal(app).get(`/partial/turnover?${q}`);
      expect([q, res.status]).toEqual([q, 400]);
      expect(res.body.detail).toMatch(detail);
    };
    // The partition's end is not read yet: its replay has not even started.
    const replaying = await internal(app).get('/partial/turnover?id=qualified_firms&scope=district&from=2023-12-31&to=2025-06-30');
    expect([replaying.status, replaying.headers['retry-after']]).toEqual([503, '5']);
    ownership.partitionEnds(generation, new Map());

    await refused('id=qualified_firms&scope=district&from=2025-02-30&to=2025-06-30', /from: must be a calendar date/);
    await refused('id=qualified_firms&scope=district&from=2023-12-31&to=2099-01-01', /to: is in the future/);
    await refused('id=qualified_firms&scope=district&from=1989-12-31&to=2025-06-30', /from: is before/);
    await refused('id=qualified_firms&scope=district&from=2023-12-31', /to/);
    await refused('id=qualified_firms&scope=district&asOf=2025-06-30&from=2023-12-31&to=2025-06-30', /asOf/);
    await refused('id=unlocated_firms&scope=zone:QL&from=2023-12-31&to=2025-06-30', /no KPI entry/);
    await refused('id=qualified_firms&scope=zone:NOWHERE&from=2023-12-31&to=2025-06-30', /unknown zone/);
    await refused('id=nope&scope=district&from=2023-12-31&to=2025-06-30', /id/);
    await internal(app).get('/partial/turnover?id=qualified_firms&scope=district&from=2023-12-31&to=2025-06-30').expect(200);
  });

  it('/partial/actions?limit=: the first `limit` entries of each list and the whole lengths; without limit, the whole lists', async () => {
    const { ownership, app, apply } = indicator();
    ownership.partitionEnds(ownership.assign([0]).generation, new Map());
    const uscc = (i: number) => `91110101MA01${String(i).padStart(4, '0')}00`;
    const events = [];
    // Nine qualified firms outside QL, farther west one by one (relocation candidates, nearest first).
    for (let i = 0; i < 9; i++) {
      const r = registered(uscc(i), '2020-01-01');
      events.push({ ...r, data: { ...r.data, site: { ...r.data.site, location: { lon: 116.41 - 0.001 * i, lat: 39.935, crs: 'WGS84' as const } } } });
      events.push(granted(uscc(i), '2024-01-01'));
    }
    // Four qualified QL firms whose certificate ends in September 2025 (renewals due as of 2025-06-30).
    for (let i = 10; i < 14; i++) events.push(registered(uscc(i), '2020-01-01'), granted(uscc(i), `2022-09-0${i - 9}`));
    // Three QL firms with an innovative-SME certificate only (next tier).
    for (let i = 20; i < 23; i++) {
      const g = granted(uscc(i), '2024-03-01');
      events.push(registered(uscc(i), '2020-01-01'), { ...g, data: { ...g.data, kind: 'INNOVATIVE_SME' as const } });
    }
    apply(0, recordsOf(0, 0, events));
    const q = '/partial/actions?zone=QL&asOf=2025-06-30&within=180';
    const whole = (await internal(app).get(q).expect(200)).body;
    expect(Object.keys(whole).sort()).toEqual(['nextTier', 'partitions', 'relocationCandidates', 'renewalsDue']);
    const usccs = (rows: { uscc: string }[]) => rows.map((r) => r.uscc);
    expect(usccs(whole.relocationCandidates)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8].map(uscc));
    expect(usccs(whole.renewalsDue)).toEqual([10, 11, 12, 13].map(uscc));
    expect(usccs(whole.nextTier)).toEqual([20, 21, 22].map(uscc));
    for (const limit of [1, 2, 3, 9, 100]) {
      const head = (await internal(app).get(`${q}&limit=${limit}`).expect(200)).body;
      expect([limit, head]).toEqual([
        limit,
        {
          partitions: [0],
          renewalsDue: whole.renewalsDue.slice(0, limit),
          relocationCandidates: whole.relocationCandidates.slice(0, limit),
          nextTier: whole.nextTier.slice(0, limit),
          lengths: { renewalsDue: 4, relocationCandidates: 9, nextTier: 3 },
        },
      ]);
    }
    for (const bad of ['0', '-1', '2.5', 'all', '']) {
      const res = await internal(app).get(`${q}&limit=${bad}`);
      expect([bad, res.status]).toEqual([bad, 400]);
      expect(res.body.detail).toMatch(/^limit: /);
    }
  });

  it('forgets a revoked partition: its firms, tasks and change blocks; a regained one is rebuilt by its replay', async () => {
    const { state, ownership, changes, app, apply } = indicator();
    ownership.partitionEnds(ownership.assign([0, 1]).generation, new Map());
    const records0 = recordsOf(0, 0, [registered(FIRM_A, '2020-01-01', { id: 'a' }), taskReport(2, '2025-Q1', '2025-04-01T00:00:00Z', { id: 't' })]);
    apply(0, records0);
    apply(1, recordsOf(1, 0, [granted(FIRM_B, '2024-01-01', { id: 'b' })]));

    // What the consumer does on an assignment (service.ts onAssignment).
    const { added, revoked } = ownership.assign([1]);
    state.dropPartitions(revoked);
    changes.drop([...revoked, ...added]);
    const ids = async () =>
      ((await internal(app).get('/partial/changes').expect(200)).body.groups as { examples: string[] }[]).flatMap((g) => g.examples).sort();
    expect(await ids()).toEqual(['b']);
    expect((await internal(app).get('/partial/tasks').expect(200)).body.reports).toEqual([]);
    expect((await internal(app).get('/partial/data-quality?asOf=2024-12-31').expect(200)).body.certificatesWithoutKnownFirm).toEqual({ '2024-12-31': 1 });

    const again = ownership.assign([0, 1]);
    state.dropPartitions(again.revoked);
    changes.drop([...again.revoked, ...again.added]);
    ownership.partitionEnds(again.generation, new Map([[0, 2n]]));
    apply(0, records0);
    expect(await ids()).toEqual(['a', 'b', 't']);
    expect((await internal(app).get('/partial/applied')).body).toEqual({ partitions: [0, 1], ready: true, applied: { '0': '2', '1': '1' } });
  });
});
