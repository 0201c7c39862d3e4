// The simulator's promises: reproducible output, intended dispositions that are exactly what the
// contract (and ingestion's dedupe by (source, id)) decides, the variety of a real feed, and memory
// bounded by a cohort whatever the number of firms.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createHash } from 'node:crypto';
import { CERTIFICATION_KINDS, CRS_NAMES, eventIdentity, REASON_CODES, parseKafkaRecord, shortTypeOf, TOPICS, type AcceptedEvent } from '@siliconalley/contract';
import { TASK_COUNT } from '@siliconalley/plan';
import { defaultZoneRegistry, toWgs84 } from '@siliconalley/zones';
import { simulate, simulateCohorts, COHORT_FIRMS, tally, type SimulatedRecord } from '../../src';

jest.setTimeout(180_000);

const FROM = '2015-01-01';
const TO = '2026-10-31';
const run = (firms: number, seed?: number) => [...simulate({ firms, from: FROM, to: TO, ...(seed !== undefined && { seed }) })];
const digest = (records: readonly SimulatedRecord[]) => {
  const hash = createHash('sha256');
  for (const r of records) hash.update(JSON.stringify(r)).update('\n');
  return hash.digest('hex');
};

interface Judged {
  record: SimulatedRecord;
  disposition: 'accepted' | 'duplicate' | 'rejected';
  reason: string | null;
  event: AcceptedEvent | null;
}

/** What ingestion decides, record by record: the contract, then dedupe on (source, id) of accepted events. */
function judge(records: readonly SimulatedRecord[], receivedAt: Date): Judged[] {
  const accepted = new Set<string>();
  return records.map((record) => {
    const verdict = parseKafkaRecord({ topic: record.topic, key: record.key, headers: record.headers, value: record.value }, { receivedAt });
    if (!verdict.ok) return { record, disposition: 'rejected', reason: verdict.reason, event: null };
    const key = eventIdentity(verdict.event);
    const disposition = accepted.has(key) ? 'duplicate' : 'accepted';
    accepted.add(key);
    return { record, disposition, reason: null, event: verdict.event };
  });
}

describe('simulate', () => {
  const records = run(4000, 11);
  const judged = judge(records, new Date());
  const acceptedEvents = judged.filter((j) => j.disposition === 'accepted').map((j) => j.event!);

  it('is reproducible: the same seed gives byte-identical output, another seed another history', () => {
    const again = run(1500, 5);
    expect(digest(run(1500, 5))).toBe(digest(again));
    expect(digest(run(1500, 6))).not.toBe(digest(again));
    // A firm's history does not depend on how many firms follow it.
    const fewer = run(COHORT_FIRMS, 5);
    expect(again.slice(0, fewer.length).map((r) => r.value)).toEqual(fewer.map((r) => r.value));
  });

  it("gives every record the contract's verdict and ingestion's dedupe as its intended disposition", () => {
    expect(records.length).toBeGreaterThan(10_000);
    const mismatches = judged
      .filter((j) => j.disposition !== j.record.intended || j.reason !== j.record.reason)
      .map((j) => `${j.record.topic} ${j.record.value.slice(0, 120)}: intended ${j.record.intended}/${j.record.reason}, contract ${j.disposition}/${j.reason}`);
    expect(mismatches).toEqual([]);
  });

  it('holds whenever the records are replayed on or after the last simulated day', () => {
    const replayedOnLastDay = judge(records, new Date(`${TO}T00:00:00+08:00`));
    expect(replayedOnLastDay.filter((j) => j.disposition !== j.record.intended || j.reason !== j.record.reason)).toEqual([]);
  });

  it('sends a duplicate on the topic and key of its original, so the partition keeps them in order', () => {
    const firstSeen = new Map<string, SimulatedRecord>();
    let duplicates = 0;
    for (const j of judged) {
      if (!j.event) continue;
      const key = eventIdentity(j.event);
      const original = firstSeen.get(key);
      if (original === undefined) firstSeen.set(key, j.record);
      else {
        duplicates += 1;
        expect([j.record.topic, j.record.key]).toEqual([original.topic, original.key]);
      }
    }
    expect(duplicates).toBeGreaterThan(0);
  });

  it('has every rejection reason, several of each, at a moderate size', () => {
    const counts = tally(records);
    for (const reason of REASON_CODES) expect([reason, counts.rejected[reason] ?? 0]).toEqual([reason, expect.any(Number)]);
    for (const reason of REASON_CODES)
      expect(counts.rejected[reason] ?? 0).toBeGreaterThanOrEqual(reason === 'too_large' || reason === 'unauthorized_department' ? 1 : 5);
    expect(counts.duplicates).toBeGreaterThan(20);
    // A broken record later fixed and re-sent with the same id.
    const rejectedIds = new Set(
      judged
        .filter((j) => j.disposition === 'rejected')
        .map((j) => idOf(j.record))
        .filter((id) => id !== null),
    );
    expect(acceptedEvents.some((e) => rejectedIds.has(e.id))).toBe(true);
  });

  it('uses both content modes, for valid, duplicate and broken records', () => {
    for (const intended of ['accepted', 'duplicate', 'rejected'] as const) {
      const modes = new Set(records.filter((r) => r.intended === intended).map((r) => r.headers['content-type']));
      expect([intended, [...modes].sort()]).toEqual([intended, ['application/cloudevents+json', 'application/json']]);
    }
  });

  it('locates firms in all three CRS, inside the zones, at buildings only, or nowhere', () => {
    const sites = acceptedEvents.flatMap((e) => {
      const data = e.data as { site?: Site; changes?: { site?: Site } };
      return [data.site, data.changes?.site].filter((s): s is Site => s !== undefined);
    });
    const located = sites.filter((s) => s.location !== null);
    expect(new Set(located.map((s) => s.location!.crs))).toEqual(new Set(CRS_NAMES));
    const zones = defaultZoneRegistry();
    const inZone = located.filter((s) => zones.zonesAt(toWgs84(s.location!)).length > 0);
    // GCJ-02 and BD-09 points also land in zones once converted back.
    expect(new Set(inZone.map((s) => s.location!.crs))).toEqual(new Set(CRS_NAMES));
    expect(sites.some((s) => s.location === null && s.buildingId !== null && zones.buildingPoint(s.buildingId) !== null)).toBe(true);
    expect(sites.some((s) => s.location === null && s.buildingId !== null && zones.buildingPoint(s.buildingId) === null)).toBe(true);
    expect(sites.some((s) => s.location === null && s.buildingId === null)).toBe(true);
  });

  it('has the life of real firms: corrections, moves across the district line, deregistrations, every certificate kind, revocations', () => {
    const byType = (type: string) => acceptedEvents.filter((e) => e.type === type);
    const registrations = byType('enterprise.registered');
    expect(new Set(registrations.map((e) => e.subject)).size).toBeLessThan(registrations.length); // corrections
    const moves = byType('enterprise.updated').filter((e) => (e.data as { changes: { districtCode?: string } }).changes.districtCode !== undefined);
    expect(new Set(moves.map((e) => (e.data as { changes: { districtCode: string } }).changes.districtCode === '110101'))).toEqual(new Set([true, false]));
    expect(byType('enterprise.deregistered').length).toBeGreaterThan(0);
    const grants = byType('certification.granted');
    expect(new Set(grants.map((e) => (e.data as { kind: string }).kind))).toEqual(new Set(CERTIFICATION_KINDS));
    expect(byType('certification.revoked').length).toBeGreaterThan(0);
    // Certificates of one batch share their validFrom day across firms.
    const batchDays = new Map<string, Set<string>>();
    for (const g of grants) {
      const d = g.data as { kind: string; batch: string; validFrom: string };
      batchDays.set(`${d.kind}/${d.batch}`, (batchDays.get(`${d.kind}/${d.batch}`) ?? new Set()).add(d.validFrom));
    }
    expect([...batchDays.values()].every((days) => days.size === 1)).toBe(true);
  });

  it('delivers late and out of order: certificates before their firm, revocations before their grant, years-late records', () => {
    const position = new Map<AcceptedEvent, number>(acceptedEvents.map((e, i) => [e, i]));
    const firstRegistration = new Map<string, number>();
    for (const e of acceptedEvents)
      if (e.type === 'enterprise.registered' && !firstRegistration.has(e.subject)) firstRegistration.set(e.subject, position.get(e)!);
    const grants = acceptedEvents.filter((e) => e.type === 'certification.granted');
    expect(grants.some((g) => position.get(g)! < (firstRegistration.get(g.subject) ?? Infinity))).toBe(true);
    const grantAt = new Map(grants.map((g) => [`${g.subject}/${(g.data as { certificateNo: string }).certificateNo}`, position.get(g)!]));
    const revocations = acceptedEvents.filter((e) => e.type === 'certification.revoked');
    expect(revocations.some((r) => position.get(r)! < grantAt.get(`${r.subject}/${(r.data as { certificateNo: string }).certificateNo}`)!)).toBe(true);
    const yearsLate = acceptedEvents.filter(
      (e) => Date.parse(e.time) - Date.parse(`${e.effectiveDate}T00:00:00Z`) > 365 * 86_400_000 && e.effectiveDate >= FROM,
    );
    expect(yearsLate.length).toBeGreaterThan(0);
    let outOfOrder = 0;
    for (let i = 1; i < acceptedEvents.length; i++) if (Date.parse(acceptedEvents[i]!.time) < Date.parse(acceptedEvents[i - 1]!.time)) outOfOrder += 1;
    expect(outOfOrder).toBeGreaterThan(0);
  });

  it('keeps every valid event effective by the last simulated day', () => {
    expect(acceptedEvents.every((e) => e.effectiveDate <= TO)).toBe(true);
  });

  it('reports progress on all 34 plan tasks, every quarter from the plan on', () => {
    const reports = acceptedEvents.filter((e) => e.type === 'task.progress.reported');
    expect(new Set(reports.map((e) => e.subject)).size).toBe(TASK_COUNT);
    const periods = new Set(reports.map((e) => (e.data as { period: string }).period));
    // Reports come in the weeks after their quarter: by 2026-10-31, 2024-Q3 (the plan's first) to 2026-Q3.
    expect([...periods].sort()).toEqual(['2024-Q3', '2024-Q4', '2025-Q1', '2025-Q2', '2025-Q3', '2025-Q4', '2026-Q1', '2026-Q2', '2026-Q3']);
    expect(new Set(reports.map((e) => (e.data as { status: string }).status))).toContain('in_progress');
  });

  it('uses the topics of the contract only', () => {
    expect(new Set(records.map((r) => r.topic))).toEqual(new Set([TOPICS.enterprise, TOPICS.certification, TOPICS.task]));
    expect(records.filter((r) => r.intended !== 'rejected').every((r) => shortTypeOf(typeOf(r) ?? '') !== null)).toBe(true);
  });

  it('refuses options it cannot simulate', () => {
    expect(() => run(-1)).toThrow(/firms/);
    expect(() => [...simulate({ firms: 1, from: '2020-02-30', to: TO })]).toThrow(/from/);
    expect(() => [...simulate({ firms: 1, from: TO, to: FROM })]).toThrow(/later/);
  });
});

describe('memory', () => {
  it('stays bounded by a cohort while streaming 200,000 firms', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const heapAfterGc = () => {
      gc();
      return process.memoryUsage().heapUsed;
    };
    let records = 0;
    let settled = 0;
    let peakGrowth = 0;
    for (const cohort of simulateCohorts({ firms: 200_000, from: FROM, to: TO, seed: 3 })) {
      records += cohort.records.length;
      // Measure from the 20th cohort on (module-level caches are warm by then), every 20 cohorts.
      if (cohort.firmsDone === 20 * COHORT_FIRMS) settled = heapAfterGc();
      else if (settled > 0 && cohort.firmsDone % (20 * COHORT_FIRMS) === 0) peakGrowth = Math.max(peakGrowth, heapAfterGc() - settled);
    }
    expect(records).toBeGreaterThan(400_000);
    // 180,000 more firms (over half a million records, hundreds of MB of values) add no more than a cohort's worth.
    expect(peakGrowth).toBeLessThan(16 * 2 ** 20);
  });
});

interface Site {
  address: string;
  location: { lon: number; lat: number; crs: 'WGS84' | 'GCJ02' | 'BD09' } | null;
  buildingId: string | null;
}

function idOf(record: SimulatedRecord): string | null {
  if (record.headers.ce_id !== undefined) return record.headers.ce_id;
  try {
    return (JSON.parse(record.value) as { id?: string }).id ?? null;
  } catch {
    return null;
  }
}

function typeOf(record: SimulatedRecord): string | null {
  if (record.headers.ce_type !== undefined) return record.headers.ce_type;
  return (JSON.parse(record.value) as { type?: string }).type ?? null;
}
