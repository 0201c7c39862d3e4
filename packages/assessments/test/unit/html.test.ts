import type { KpiEntry } from '@siliconalley/kpi-engine';
import type { TargetJudgement } from '@siliconalley/targets';
import { renderHtml, type Assessment, type AssessedActionLists } from '../../src';

const kpis: KpiEntry[] = [
  { id: 'active_firms', scope: 'district', value: 12_000 },
  { id: 'qualified_firms', scope: 'district', value: 277 },
  { id: 'qualified_firms', scope: 'zone:QL', value: 60 },
  { id: 'active_firms', scope: 'zone:QL', value: 900 },
  { id: 'zone_share', scope: 'zone:QL', value: 0.21656 },
  { id: 'qualified_by_industry', scope: 'zone:QL', industry: 'AI', value: 14 },
  { id: 'qualified_by_industry', scope: 'district', industry: 'AI', value: 51 },
];

const t6: TargetJudgement = {
  id: 'T6_ZONE_SHARE',
  kpi: 'zone_share',
  scope: 'zone:QL',
  baselineDate: '2023-12-31',
  due: '2026-12-31',
  method: 'linear-v1',
  baseline: 0.1806,
  target: 0.2709,
  actual: 0.21656,
  expected: 0.2335,
  ratio: 0.6912,
  forecast: 0.25031,
  status: 'at_risk',
  gapToPath: 0.01694,
  firmsNeeded: { toPath: 7, toTarget: 21 },
};
const t32: TargetJudgement = {
  id: 'T32_SERVICE_PLATFORMS',
  kpi: 'new_service_platforms',
  scope: 'district',
  baselineDate: '2023-12-31',
  due: '2026-12-31',
  method: 'linear-v1',
  baseline: 0,
  target: 2,
  actual: 1,
  expected: 1.3333,
  ratio: 1.6912,
  forecast: null,
  status: 'on_track',
  gapToPath: 0.3333,
};

const firm = (i: number) => ({
  uscc: `91110101MA0000${String(i).padStart(4, '0')}`,
  name: `北京硅巷样例科技有限公司${i}`,
  focusIndustry: 'AI' as const,
  zones: ['QL'],
});

function actions(renewals: number): AssessedActionLists {
  return {
    target: 'T6_ZONE_SHARE',
    zone: 'QL',
    within: 180,
    renewalsDue: Array.from({ length: renewals }, (_, i) => ({
      ...firm(i),
      lapsesOn: '2026-02-01',
      certificates: [{ kind: 'HNTE' as const, certificateNo: `GR2023110${i}`, validUntil: '2026-01-31' }],
    })),
    relocationCandidates: [
      { ...firm(900), name: '<script>alert(1)</script>有限公司', zones: [], distanceMeters: 1234, kinds: ['HNTE', 'SRDI_SME'] },
      { ...firm(901), focusIndustry: null, zones: [], distanceMeters: null, kinds: ['SRDI_GIANT'] },
    ],
    nextTier: [{ ...firm(950), focusIndustry: 'SMART_HEALTH', certificateNo: 'CX2025-0042', validUntil: '2027-05-31' }],
  };
}

function assessment(over: Partial<Assessment> = {}): Assessment {
  return {
    period: '2025-Q4',
    kind: 'quarter',
    start: '2025-10-01',
    asOf: '2025-12-31',
    version: 1,
    publishedAt: '2026-01-01T00:05:00.000Z',
    methods: { assessment: 'assessment-v1', kpis: 'kpis-v1', targets: ['linear-v1'] },
    kpis,
    targets: [t6, t32],
    headlinePath: {
      target: 'T6_ZONE_SHARE',
      points: [
        { asOf: '2023-12-31', value: 0.1806 },
        { asOf: '2024-12-31', value: 0.1988 },
        { asOf: '2025-12-31', value: 0.21656 },
      ],
    },
    tasks: [],
    departments: [],
    decomposition: null,
    dataQuality: { unlocatedFirms: 7, certificatesWithoutKnownFirm: 2 },
    cutoff: {
      storedEvents: 3000,
      receivedUpTo: '2026-01-01T00:00:00.000Z',
      acceptedOffsets: { '0': '1500' },
      pipeline: { accepted: 3000, duplicates: 90, rejected: {}, rejectedByProvider: {} },
    },
    statusSummary: { at_risk: 1, on_track: 1 },
    restatement: null,
    actions: actions(3),
    whatIf: {
      asOf: '2026-12-31',
      baseline: [
        { ...t6, actual: 0.2201, status: 'missed' },
        { ...t32, actual: 1, status: 'missed' },
      ],
      scenarios: [
        {
          id: 'renewals_granted',
          events: 3,
          targets: [
            { ...t6, actual: 0.2312, status: 'missed' },
            { ...t32, actual: 1, status: 'missed' },
          ],
        },
        {
          id: 'next_tier_certified',
          events: 1,
          targets: [
            { ...t6, actual: 0.27315, status: 'achieved' },
            { ...t32, actual: 1, status: 'missed' },
          ],
        },
      ],
    },
    ...over,
  };
}

/** The HTML of one section (by id), or up to the end of the first table after a marker text. */
const section = (html: string, id: string) => {
  const rest = html.slice(html.indexOf(`<section id="${id}">`));
  return rest.slice(0, rest.indexOf('</section>'));
};
const tableAfter = (html: string, marker: string) => {
  const rest = html.slice(html.indexOf(marker));
  return rest.slice(0, rest.indexOf('</table>'));
};

describe('readable numbers', () => {
  const html = renderHtml(assessment());
  it('shows shares and ratios to two decimals in the targets table', () => {
    const targets = tableAfter(html, '目标进度');
    expect(targets).toContain('<td class="n">21.66%</td>');
    expect(targets).toContain('<td class="n">0.69</td>');
    expect(targets).toContain('<td class="n">1.69</td>');
    expect(targets).toContain('<td class="n">1.33</td>');
    expect(targets).not.toMatch(/0\.21656|21\.656|0\.6912|1\.3333/);
  });
  it('draws the headline axis at round percentages', () => {
    const chart = /<svg class="chart" data-chart="headline"[\s\S]*?<\/svg>/.exec(html)![0];
    const labels = [...chart.matchAll(/data-axis="y">([^<]*)</g)].map((m) => m[1]!);
    expect(labels.length).toBeGreaterThanOrEqual(3);
    for (const l of labels) expect(l).toMatch(/^\d+%$/);
  });
  it('shows restated shares to two decimals, the exact value in a tooltip', () => {
    const restated = renderHtml(
      assessment({
        version: 2,
        restatement: {
          previousVersion: 1,
          causes: [],
          changes: [
            { key: 'kpi/zone_share/zone:QL', from: 0.2159, to: 0.21656 },
            { key: 'target/T6_ZONE_SHARE/ratio', from: 0.68, to: 0.6912 },
            { key: 'target/T6_ZONE_SHARE/status', from: 'lagging', to: 'at_risk' },
            { key: 'kpi/qualified_firms/zone:QL', from: null, to: 1234 },
          ],
        },
      }),
    );
    const table = tableAfter(restated, '更正说明');
    expect(table).toContain('<td class="n"><span title="0.2159">21.59%</span></td><td class="n"><span title="0.21656">21.66%</span></td>');
    expect(table).toContain('<span title="0.6912">0.69</span>');
    expect(table).toContain('<td class="n">lagging</td><td class="n">at_risk</td>');
    expect(table).toContain('<td class="n">—</td><td class="n">1,234</td>');
  });
});

describe('action lists', () => {
  it('renders the three lists with their counts, target, zone and window', () => {
    const html = section(renderHtml(assessment(), { zoneNames: { QL: { zh: '青龙硅巷', en: 'Qinglong' } } }), 'actions');
    expect(html).toContain('行动清单 <span class="en">Action lists</span> — T6_ZONE_SHARE · 青龙硅巷 · 180 天');
    expect(html).toContain('即将到期需复审 <span class="en">Renewals due</span>（3）');
    expect(html).toContain('迁入候选 <span class="en">Relocation candidates</span>（2）');
    expect(html).toContain('下一梯队 <span class="en">Next tier</span>（1）');
    expect(html.match(/<tr><td><code>/g)).toHaveLength(6);
    expect(html).toContain('<td class="n">1,234</td>');
    expect(html).toContain('<td class="n">未定位 <span class="en">unlocated</span></td>');
    expect(html).toContain('国家高新技术企业、专精特新中小企业');
    expect(html).toContain('人工智能 <span class="en">Artificial intelligence</span>');
    expect(html).toContain('<code>CX2025-0042</code>');
    expect(html).toContain('<td class="n">2026-02-01</td>');
    expect(html).not.toContain('more (see the CSV');
  });

  it('shows the first 50 rows of a long list and says how many more are in the CSV', () => {
    const html = section(renderHtml(assessment({ actions: actions(75) })), 'actions');
    expect(html).toContain('（75）');
    const renewals = tableAfter(html, 'Renewals due');
    expect(renewals.match(/<tr><td>/g)).toHaveLength(50);
    expect(html).toContain('… and 25 more (see the CSV: ?format=csv&amp;part=actions)');
    expect(html).toContain('另有 25 家');
  });

  it('says when the version cut a list: the first rows here, the rest of the kept rows in the CSV, the whole list from the API', () => {
    const lists = { ...actions(75), lengths: { renewalsDue: 201_345, relocationCandidates: 2, nextTier: 1 } };
    const html = section(renderHtml(assessment({ actions: lists })), 'actions');
    expect(html).toContain('即将到期需复审 <span class="en">Renewals due</span>（201,345）');
    expect(tableAfter(html, 'Renewals due').match(/<tr><td>/g)).toHaveLength(50);
    expect(html).toContain('… 另有 25 家见 CSV（?format=csv&amp;part=actions）；本评估只保留前 75 家（共 201,345 家），完整清单（按当前数据）见 API');
    expect(html).toContain(
      "… and 25 more in the CSV (?format=csv&amp;part=actions); the first 75 of 201,345 are kept in this assessment; the whole list, on today's data:",
    );
    expect(html).toContain('<code>GET /api/v1/targets/T6_ZONE_SHARE/actions?asOf=2025-12-31&amp;within=180</code>');
    // Only the cut list says so.
    expect(html.match(/are kept in this assessment/g)).toHaveLength(1);
    expect(html).not.toContain('more (see the CSV');
  });

  it('a cut list with no more rows than shown points to the API only', () => {
    const lists = { ...actions(3), lengths: { renewalsDue: 3, relocationCandidates: 1_000_000, nextTier: 1 } };
    const html = section(renderHtml(assessment({ actions: lists })), 'actions');
    expect(html).toContain('迁入候选 <span class="en">Relocation candidates</span>（1,000,000）');
    expect(html).toContain(
      '… 本评估只保留前 2 家（共 1,000,000 家），完整清单（按当前数据）见 API：<span class="en">… the first 2 of 1,000,000 are kept in this assessment; the whole list, on today\'s data:</span>',
    );
    expect(html).not.toContain('in the CSV');
    expect(html).toContain('即将到期需复审 <span class="en">Renewals due</span>（3）');
  });

  it('reads a version stored without lengths (before lists were cut) as whole lists', () => {
    const old = actions(75);
    expect(old.lengths).toBeUndefined();
    const html = section(renderHtml(assessment({ actions: old })), 'actions');
    expect(html).toContain('（75）');
    expect(html).toContain('… and 25 more (see the CSV: ?format=csv&amp;part=actions)');
    expect(html).not.toContain('kept in this assessment');
    // Lengths equal to the lists' own read the same.
    const same = { ...old, lengths: { renewalsDue: 75, relocationCandidates: 2, nextTier: 1 } };
    expect(section(renderHtml(assessment({ actions: same })), 'actions')).toBe(html);
  });

  it('escapes firm names', () => {
    const html = renderHtml(assessment());
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;有限公司');
    expect(html).not.toMatch(/<script/i);
  });

  it('says when a version predates action lists, or has none', () => {
    expect(section(renderHtml(assessment({ actions: undefined })), 'actions')).toContain('This version predates action lists.');
    expect(section(renderHtml(assessment({ actions: null })), 'actions')).toContain('None (no zone-share target).');
  });
});

describe('what-if', () => {
  it('puts each target baseline against each scenario with the hypothetical events counted', () => {
    const html = section(renderHtml(assessment()), 'what-if');
    expect(html).toContain('情景推演 <span class="en">What-if</span> — 2026-12-31');
    expect(html).toContain('复审全部通过 <span class="en">if all renewals due are granted</span><br><span class="events">3 条假设事件');
    expect(html).toContain('下一梯队全部认定 <span class="en">if every next-tier firm is certified</span><br><span class="events">1 条假设事件');
    const rows = html.match(/<tr><td>[^<]+<\/td>[\s\S]*?<\/tr>/g)!;
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^<tr><td>T6_ZONE_SHARE<\/td><td class="n">27\.09%<\/td>/);
    expect(rows[0]).toContain('未达成（已到期） <span class="en">Missed</span></td><td class="n">22.01%</td>');
    expect(rows[0]).toContain('<td class="status ok changed">已达成 <span class="en">Achieved</span></td><td class="n">27.32%</td>');
    expect(rows[1]).toMatch(/^<tr><td>T32_SERVICE_PLATFORMS<\/td><td class="n">2<\/td>/);
  });

  it('says when a version predates what-if', () => {
    expect(section(renderHtml(assessment({ whatIf: undefined })), 'what-if')).toContain('This version predates what-if.');
  });
});
