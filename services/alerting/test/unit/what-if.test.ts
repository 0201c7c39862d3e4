// What-if and action lists end to end without infrastructure: two real indicator HTTP servers (the
// fixture's firms split between them, as two instances owning half of the partitions each), the real
// IndicatorClient merging them, and the alerting WhatIf judging the plan's targets.
import { IndicatorClient } from '@siliconalley/api';
import type { AcceptedEvent } from '@siliconalley/contract';
import { DEFAULT_TARGETS } from '@siliconalley/targets';
import { acceptedFixtureEvents, loadExpected, loadFixtureRecords, syntheticUscc } from '@siliconalley/testkit';
import { defaultZoneRegistry } from '@siliconalley/zones';
import { IndicatorState } from '@siliconalley/service-indicator/dist/state';
import { Evaluator, indicatorTaskReports } from '../../src/evaluate';
import { WhatIf } from '../../src/what-if';
import { halvesOf, IndicatorServers } from './indicator-servers';

const SECRET = 'what-if-test-secret-0123456789abcdef';
const NOW = new Date('2026-11-02T04:00:00Z'); // 2026-11-02 in China
const expected = loadExpected('small');
const accepted: AcceptedEvent[] = acceptedFixtureEvents('small');

const indicators = new IndicatorServers(SECRET, NOW);
const startIndicator = (state: IndicatorState, partition: number) => indicators.start(state, partition);

let whatIf: WhatIf;
let evaluator: Evaluator;
let single: WhatIf;

beforeAll(async () => {
  const zones = defaultZoneRegistry();
  const [a, b] = halvesOf(accepted, zones);
  const whole = new IndicatorState(zones);
  whole.apply(accepted, 0);
  const client = new IndicatorClient([await startIndicator(a, 0), await startIndicator(b, 1)], { secret: SECRET });
  whatIf = new WhatIf({ indicators: client, definitions: DEFAULT_TARGETS, now: () => NOW });
  evaluator = new Evaluator(client, indicatorTaskReports(client), DEFAULT_TARGETS, () => NOW);
  single = new WhatIf({ indicators: new IndicatorClient([await startIndicator(whole, 0)], { secret: SECRET }), definitions: DEFAULT_TARGETS, now: () => NOW });
});

afterAll(async () => {
  await indicators.closeAll();
});

const T6 = (targets: { id: string }[]) =>
  targets.find((t) => t.id === 'T6_ZONE_SHARE') as unknown as {
    actual: number;
    target: number;
    status: string;
    firmsNeeded: { toTarget: number; toPath: number };
  };

/** n new firms registered on `day` at a point inside QL, each with a valid HNTE certificate (kpis.md "What-if"). */
function newQualifiedFirms(n: number, day: string): object[] {
  return Array.from({ length: n }, (_, i) => {
    const uscc = syntheticUscc(900_000 + i);
    const envelope = { specversion: '1.0', time: `${day}T02:00:00Z`, subject: uscc, datacontenttype: 'application/json' };
    return [
      {
        ...envelope,
        id: `what-if-reg-${i}`,
        source: 'urn:what-if:test',
        type: 'cn.gov.dongcheng.siliconalley.enterprise.registered.v1',
        data: {
          uscc,
          name: `北京假设科技有限公司${i}`,
          establishedOn: day,
          districtCode: '110101',
          site: { address: '北京市东城区', location: { lon: 116.421, lat: 39.947, crs: 'WGS84' }, buildingId: null },
          industryCode: null,
          focusIndustry: 'AI',
        },
      },
      {
        ...envelope,
        id: `what-if-cert-${i}`,
        source: 'urn:what-if:test',
        type: 'cn.gov.dongcheng.siliconalley.certification.granted.v1',
        data: { uscc, kind: 'HNTE', level: 'national', certificateNo: `GR-WHATIF-${i}`, validFrom: day, validUntil: null, issuer: null, batch: null },
      },
    ];
  }).flat();
}

describe('what-if', () => {
  it('without hypothetical events equals GET /targets, and the fixture, on every past fixture date', async () => {
    for (const asOf of Object.keys(expected.targets)) {
      const answer = await whatIf.judge(asOf, { events: [] });
      expect(answer.targets).toEqual(answer.baseline);
      expect(answer.targets).toEqual(await evaluator.targets(asOf));
      expect([asOf, T6(answer.targets).firmsNeeded]).toEqual([asOf, expected.targets[asOf]!.find((t) => t.id === 'T6_ZONE_SHARE')!.firmsNeeded]);
    }
  });

  it.each(['2026-10-31', '2026-11-02', '2026-12-31'])(
    'as of %s: firmsNeeded.toTarget new qualified zone firms reach the target, one fewer does not',
    async (asOf) => {
      const base = T6((await whatIf.judge(asOf, { events: [] })).targets);
      const n = base.firmsNeeded.toTarget;
      expect(n).toBeGreaterThan(0);
      const enough = await whatIf.judge(asOf, { events: newQualifiedFirms(n, asOf) });
      expect(enough.rejected).toEqual([]);
      expect(T6(enough.targets).actual).toBeGreaterThanOrEqual(T6(enough.targets).target);
      expect(T6(enough.baseline)).toEqual(base);
      const short = await whatIf.judge(asOf, { events: newQualifiedFirms(n - 1, asOf) });
      expect(T6(short.targets).actual).toBeLessThan(T6(short.targets).target);
    },
  );

  it('two instances answer as one holding every firm', async () => {
    const events = newQualifiedFirms(5, '2026-06-30');
    expect(await whatIf.judge('2026-12-31', { events })).toEqual(await single.judge('2026-12-31', { events }));
  });

  it('a stored event, or one given twice, is a duplicate and changes nothing; an invalid one is rejected with its reason', async () => {
    const stored = JSON.parse(loadFixtureRecords('small')[0]!.value);
    const [registration] = newQualifiedFirms(1, '2026-06-30');
    const answer = await whatIf.judge('2026-10-31', {
      events: [stored, registration, registration, { ...stored, id: 'x', data: { ...stored.data, uscc: '91110101MA00000000' } }],
    });
    expect(answer.duplicates.map((d) => d.index)).toEqual([0, 2]);
    expect(answer.rejected).toEqual([{ index: 3, reason: 'invalid_uscc', detail: expect.stringContaining('not a valid Unified Social Credit Code') }]);
    // A registration alone (no certificate) changes no target.
    expect(answer.targets).toEqual(answer.baseline);
  });

  it('takes effective dates up to the asked day; later ones are future_dated', async () => {
    const events = newQualifiedFirms(1, '2026-12-20');
    expect((await whatIf.judge('2026-12-31', { events })).rejected).toEqual([]);
    expect((await whatIf.judge('2026-11-02', { events })).rejected.map((r) => r.reason)).toEqual(['future_dated', 'future_dated']);
  });

  it('refuses a day after the targets are due, and a body that is not { events: [...] }', async () => {
    await expect(whatIf.judge('2027-01-01', { events: [] })).rejects.toMatchObject({ status: 400, message: expect.stringContaining('due date') });
    await expect(whatIf.judge('2026-10-31', [])).rejects.toMatchObject({ status: 400 });
    await expect(whatIf.judge('2026-10-31', { events: Array.from({ length: 1001 }, () => ({})) })).rejects.toMatchObject({ status: 400 });
  });
});

describe('action lists through the instances', () => {
  it('merged lists of two instances equal the fixture lists of one', async () => {
    const asOf = '2025-06-30';
    const lists = await whatIf.actions('T6_ZONE_SHARE', asOf, 180);
    expect({ ...lists }).toEqual({ ...(await single.actions('T6_ZONE_SHARE', asOf, 180)) });
    expect(lists.relocationCandidates.map((e) => e.uscc)).toEqual((expected.actions[asOf]!.relocationCandidates as { uscc: string }[]).map((e) => e.uscc));
    expect([lists.target, lists.zone, lists.within, lists.renewalsDue.length, lists.nextTier.length]).toEqual([
      'T6_ZONE_SHARE',
      'QL',
      180,
      expected.actions[asOf]!.renewalsDue.length,
      expected.actions[asOf]!.nextTier.length,
    ]);
  });

  it('only zone-share targets have action lists', async () => {
    await expect(whatIf.actions('T32_SERVICE_PLATFORMS', '2025-06-30', 180)).rejects.toMatchObject({ status: 400 });
    await expect(whatIf.actions('NO_SUCH', '2025-06-30', 180)).rejects.toMatchObject({ status: 404 });
  });
});
