// The indicator's internal HTTP API (createServer) over a state fed the small fixture's accepted
// events through AcceptedTopicApplier, as the consumer feeds it, without Kafka or a database: the
// KPIs and action lists of expected.json, what-if without events, the secret and the readiness gate.
import request from 'supertest';
import type { Express } from 'express';
import type { AcceptedEvent } from '@siliconalley/contract';
import { createMetricsRegistry, INTERNAL_AUTH_HEADER } from '@siliconalley/http';
import { createLogger } from '@siliconalley/logger';
import { acceptedFixtureEvents, FIXTURE_ARRIVAL, loadExpected, newInternalApiSecret, type ExpectedKpiEntry } from '@siliconalley/testkit';
import { defaultZoneRegistry } from '@siliconalley/zones';
import { AcceptedTopicApplier, type PartitionEndsSource } from '../../src/applier';
import { ChangeLog } from '../../src/changes';
import { PartitionOwnership } from '../../src/ownership';
import { createServer } from '../../src/server';
import { IndicatorState } from '../../src/state';
import { recordsOf } from './builders';

const logger = createLogger('test', 'silent');
const secret = newInternalApiSecret();
const now = () => FIXTURE_ARRIVAL;
const expected = loadExpected('small');
const events = acceptedFixtureEvents('small');
const PARTITIONS = 3;
const partitionOf = (e: AcceptedEvent) => [...e.subject].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7) % PARTITIONS;
const byPartition = Array.from({ length: PARTITIONS }, (_, p) => events.filter((e) => partitionOf(e) === p));
const ends: PartitionEndsSource = { partitionEnds: async () => new Map(byPartition.map((evs, p) => [p, BigInt(evs.length)])) };

/** An indicator owning every partition, each applied up to `upTo` records (all by default). */
async function indicator(upTo = Infinity): Promise<{ app: Express; applier: AcceptedTopicApplier }> {
  const state = new IndicatorState(defaultZoneRegistry());
  const ownership = new PartitionOwnership();
  const changes = new ChangeLog();
  const applier = new AcceptedTopicApplier({ state, changes, ownership, ends, logger });
  await applier.assign(byPartition.keys()).endsRead;
  for (const [p, evs] of byPartition.entries()) {
    const records = recordsOf(p, 0, evs).slice(0, upTo);
    for (let i = 0; i < records.length; i += 500) applier.apply(p, records.slice(i, i + 500));
  }
  return { app: createServer({ state, logger, registry: createMetricsRegistry('test'), now, ownership, changes, internalSecret: secret }), applier };
}

const internal = (app: Express) => request.agent(app).set(INTERNAL_AUTH_HEADER, secret);
const keyOf = (e: Pick<ExpectedKpiEntry, 'id' | 'scope' | 'kind' | 'industry' | 'within'>) =>
  JSON.stringify([e.id, e.scope, e.kind ?? null, e.industry ?? null, e.within ?? null]);
const sameValue = (a: number | null, b: number | null) =>
  a === null || b === null ? a === b : a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));

let ready: { app: Express; applier: AcceptedTopicApplier };
beforeAll(async () => {
  ready = await indicator();
});

describe('indicator API on the small fixture', () => {
  it('is caught up once every partition is applied', () => {
    expect(ready.applier.isReady()).toBe(true);
  });

  it.each(Object.keys(expected.asOf))('GET /kpis?asOf=%s: every entry of expected.json, and no other', async (asOf) => {
    const res = await internal(ready.app).get(`/kpis?asOf=${asOf}`).expect(200);
    expect(res.body.asOf).toBe(asOf);
    const got = new Map<string, number | null>((res.body.kpis as ExpectedKpiEntry[]).map((e) => [keyOf(e), e.value]));
    const wanted = expected.asOf[asOf]!;
    const problems = wanted
      .filter((e) => !got.has(keyOf(e)) || !sameValue(got.get(keyOf(e))!, e.value))
      .map((e) => `${keyOf(e)}: want ${e.value}, got ${got.get(keyOf(e))}`);
    expect(problems).toEqual([]);
    expect(got.size).toBe(wanted.length);
  });

  it.each(Object.keys(expected.actions))('GET /partial/actions?zone=QL&asOf=%s&within=180: the three lists of expected.json, in order', async (asOf) => {
    const res = await internal(ready.app).get(`/partial/actions?zone=QL&asOf=${asOf}&within=180`).expect(200);
    expect(res.body.partitions).toEqual([0, 1, 2]);
    const wanted = expected.actions[asOf]!;
    for (const list of ['renewalsDue', 'relocationCandidates', 'nextTier'] as const) {
      const uscc = (rows: unknown[]) => (rows as { uscc: string }[]).map((r) => r.uscc);
      expect([list, uscc(res.body[list])]).toEqual([list, uscc(wanted[list])]);
    }
  });

  it('GET /partial/actions refuses a zone not in the zone file', async () => {
    const res = await internal(ready.app).get('/partial/actions?zone=NOWHERE&asOf=2025-06-30&within=180').expect(400);
    expect(res.body.detail).toMatch(/NOWHERE/);
  });

  it('POST /partial/what-if without events: the counts of /partial/counts, no deltas, nothing held or duplicated', async () => {
    const dates = ['2024-12-31', '2025-06-30', '2026-10-31'];
    const counts = await internal(ready.app)
      .get(`/partial/counts?asOf=${dates.join(',')}`)
      .expect(200);
    const whatIf = await internal(ready.app).post('/partial/what-if').send({ events: [], dates }).expect(200);
    expect(Object.keys(whatIf.body.counts)).toEqual(dates);
    expect(whatIf.body.counts).toEqual(counts.body.counts);
    expect(whatIf.body).toMatchObject({ partitions: [0, 1, 2], zoneIds: counts.body.zoneIds, deltas: {}, held: [], duplicates: [] });
    // Counts of a day with data are not all zero (the comparison above is not between empty answers).
    expect(Object.values(counts.body.counts['2026-10-31'] as Record<string, number>).some((n) => n > 0)).toBe(true);
  });

  it('GET /partial/counts?series=: only the series asked (those unknown left out), equal to the full answer', async () => {
    const dates = ['2024-12-31', '2026-10-31'];
    const full = await internal(ready.app)
      .get(`/partial/counts?asOf=${dates.join(',')}`)
      .expect(200);
    const series = ['qualified_firms|zone:QL', 'qualified_firms|district', 'active_firms|zone:NOWHERE'];
    const some = await internal(ready.app)
      .get(`/partial/counts?asOf=${dates.join(',')}&series=${encodeURIComponent(series.join(','))}`)
      .expect(200);
    for (const d of dates) {
      expect(some.body.counts[d]).toEqual({
        'qualified_firms|zone:QL': full.body.counts[d]['qualified_firms|zone:QL'],
        'qualified_firms|district': full.body.counts[d]['qualified_firms|district'],
      });
    }
    expect(some.body.counts['2026-10-31']['qualified_firms|district']).toBeGreaterThan(0);
    await internal(ready.app).get('/partial/counts?asOf=2024-12-31&series=').expect(400);
    // Maintained counts take dates only.
    await internal(ready.app).get('/partial/data-quality?asOf=2024-12-31&series=qualified_firms|district').expect(400);
  });

  it('POST /partial/what-if with a stored event: a duplicate, changing nothing', async () => {
    const stored = events.find((e) => e.type === 'certification.granted')!;
    const res = await internal(ready.app)
      .post('/partial/what-if')
      .send({ events: [stored], dates: ['2026-10-31'] })
      .expect(200);
    expect(res.body).toMatchObject({ duplicates: [0], deltas: {}, held: [] });
  });
});

describe('indicator API: who may ask, and when', () => {
  const routes = [
    '/kpis?asOf=2025-06-30',
    '/partial/counts?asOf=2025-06-30',
    '/partial/actions?zone=QL&asOf=2025-06-30&within=180',
    '/partial/applied',
    '/state',
  ];

  it('401 without INTERNAL_API_SECRET or with another secret, on every route, what-if included', async () => {
    for (const path of routes) {
      for (const res of [await request(ready.app).get(path), await request(ready.app).get(path).set(INTERNAL_AUTH_HEADER, newInternalApiSecret())]) {
        expect([path, res.status]).toEqual([path, 401]);
      }
    }
    await request(ready.app)
      .post('/partial/what-if')
      .send({ events: [], dates: ['2025-06-30'] })
      .expect(401);
  });

  it('503 with Retry-After while replaying; /partial/applied says how far; 200 once caught up', async () => {
    const replaying = await indicator(10);
    expect(replaying.applier.isReady()).toBe(false);
    for (const path of routes.filter((p) => p !== '/partial/applied' && p !== '/state')) {
      const res = await internal(replaying.app).get(path);
      expect([path, res.status, res.headers['retry-after']]).toEqual([path, 503, '5']);
    }
    await internal(replaying.app)
      .post('/partial/what-if')
      .send({ events: [], dates: ['2025-06-30'] })
      .expect(503);
    const applied = await internal(replaying.app).get('/partial/applied').expect(200);
    expect(applied.body).toEqual({ partitions: [0, 1, 2], ready: false, applied: { '0': '10', '1': '10', '2': '10' } });
    await internal(ready.app).get('/kpis?asOf=2025-06-30').expect(200);
    expect((await internal(ready.app).get('/partial/applied').expect(200)).body).toEqual({
      partitions: [0, 1, 2],
      ready: true,
      applied: Object.fromEntries(byPartition.map((evs, p) => [String(p), String(evs.length)])),
    });
  });
});
