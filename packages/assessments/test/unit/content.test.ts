import type { KpiEntry } from '@siliconalley/kpi-engine';
import {
  CertificatesWithoutFirm,
  changedNumbers,
  listWasCut,
  methodsChanged,
  renderActionListsCsv,
  renderCsv,
  renderHtml,
  statusSummary,
  wholeLength,
  wholeListPath,
  type AssessedActionLists,
  type Assessment,
} from '../../src';

const kpis = (qlQualified: number, share: number): KpiEntry[] => [
  { id: 'active_firms', scope: 'district', value: 1000 },
  { id: 'qualified_firms', scope: 'district', value: 200 },
  { id: 'qualified_firms', scope: 'zone:QL', value: qlQualified },
  { id: 'active_firms', scope: 'zone:QL', value: 60 },
  { id: 'zone_share', scope: 'zone:QL', value: share },
  { id: 'certified_firms', scope: 'zone:QL', kind: 'HNTE', value: 10 },
  { id: 'qualified_by_industry', scope: 'zone:QL', industry: 'AI', value: 4 },
  { id: 'qualified_by_industry', scope: 'district', industry: 'AI', value: 30 },
  { id: 'expiring_certifications', scope: 'district', kind: 'HNTE', within: 90, value: 3 },
];

function assessment(over: Partial<Assessment> = {}): Assessment {
  return {
    period: '2025-Q4',
    kind: 'quarter',
    start: '2025-10-01',
    asOf: '2025-12-31',
    version: 1,
    publishedAt: '2026-01-01T00:05:00.000Z',
    methods: { assessment: 'assessment-v1', kpis: 'kpis-v1', targets: ['linear-v1'] },
    kpis: kpis(20, 0.1),
    targets: [
      {
        id: 'T6_ZONE_SHARE',
        kpi: 'zone_share',
        scope: 'zone:QL',
        baselineDate: '2023-12-31',
        due: '2026-12-31',
        method: 'linear-v1',
        baseline: 0.08,
        target: 0.12,
        actual: 0.1,
        expected: 0.1067,
        ratio: 0.75,
        forecast: 0.115,
        status: 'at_risk',
        gapToPath: 0.0067,
        firmsNeeded: { toPath: 2, toTarget: 5 },
      },
    ],
    headlinePath: {
      target: 'T6_ZONE_SHARE',
      points: [
        { asOf: '2023-12-31', value: 0.08 },
        { asOf: '2024-12-31', value: 0.09 },
        { asOf: '2025-12-31', value: 0.1 },
      ],
    },
    tasks: [
      {
        id: 6,
        section: '四',
        action: '硅巷',
        name: '提升<企业>占比',
        lead: ['区科委'],
        cooperating: [],
        status: 'in_progress',
        percentComplete: 40,
        period: '2025-Q4',
        dueQuarter: '2025-Q4',
        overdue: false,
        blocked: false,
      },
    ],
    departments: [{ department: '区科委', ledTaskIds: [6], cooperatingTaskIds: [], completed: 0, overdue: 0, blocked: 0 }],
    decomposition: {
      target: 'T6_ZONE_SHARE',
      scope: 'zone:QL',
      from: '2025-09-30',
      to: '2025-12-31',
      zone: { from: 18, to: 20 },
      district: { from: 195, to: 200 },
      share: { from: 18 / 195, to: 0.1 },
      delta: 0.1 - 18 / 195,
      numeratorEffect: 0.01,
      denominatorEffect: 0.1 - 18 / 195 - 0.01,
    },
    dataQuality: { unlocatedFirms: 7, certificatesWithoutKnownFirm: 2 },
    cutoff: {
      storedEvents: 3000,
      receivedUpTo: '2026-01-01T00:00:00.000Z',
      acceptedOffsets: { '0': '1500' },
      pipeline: { accepted: 3000, duplicates: 90, rejected: { invalid_uscc: 5 }, rejectedByProvider: { 'urn:x': { invalid_uscc: 5 } } },
    },
    statusSummary: { at_risk: 1 },
    restatement: null,
    ...over,
  };
}

describe('restatement differences', () => {
  it('finds nothing between two reads of the same data, whatever the cut-off says', () => {
    const a = assessment();
    expect(changedNumbers(a, assessment({ cutoff: { ...a.cutoff, storedEvents: 9999, receivedUpTo: '2026-05-01T00:00:00Z' } }))).toEqual([]);
  });

  it('lists each changed number old → new by a stable key', () => {
    const changed = changedNumbers(assessment(), assessment({ kpis: kpis(21, 0.105), dataQuality: { unlocatedFirms: 6, certificatesWithoutKnownFirm: 2 } }));
    expect(changed).toEqual([
      { key: 'kpi/qualified_firms/zone:QL', from: 20, to: 21 },
      { key: 'kpi/zone_share/zone:QL', from: 0.1, to: 0.105 },
      { key: 'dataQuality/unlocatedFirms', from: 7, to: 6 },
    ]);
  });

  it('watches targets, tasks, departments and decomposition too, and method changes', () => {
    const a = assessment();
    const b = assessment({ tasks: [{ ...a.tasks[0]!, status: 'completed', percentComplete: 100 }], targets: [{ ...a.targets[0]!, status: 'lagging' }] });
    expect(changedNumbers(a, b).map((c) => c.key)).toEqual(['target/T6_ZONE_SHARE/status', 'task/6/status', 'task/6/percentComplete']);
    expect(methodsChanged(a, assessment({ methods: { ...a.methods, targets: ['linear-v2'] } }))).toBe(true);
    expect(statusSummary([...a.targets, { ...a.targets[0]!, id: 'X', status: 'at_risk' }])).toEqual({ at_risk: 2 });
  });
});

describe('action lists kept by a version', () => {
  const firm = (i: number) => ({ uscc: `91110101MA0000${String(i).padStart(4, '0')}`, name: `firm ${i}`, focusIndustry: null, zones: [] });
  const lists: AssessedActionLists = {
    target: 'T6_ZONE_SHARE',
    zone: 'QL',
    within: 180,
    renewalsDue: [],
    relocationCandidates: [0, 1, 2].map((i) => ({ ...firm(i), distanceMeters: 10 * i, kinds: ['HNTE' as const] })),
    nextTier: [{ ...firm(9), certificateNo: 'CX-9', validUntil: '2027-01-31' }],
    lengths: { renewalsDue: 0, relocationCandidates: 201_345, nextTier: 1 },
  };

  it('whole lengths from `lengths`, or from the lists of a version stored without them', () => {
    expect([wholeLength(lists, 'relocationCandidates'), listWasCut(lists, 'relocationCandidates')]).toEqual([201_345, true]);
    expect([wholeLength(lists, 'nextTier'), listWasCut(lists, 'nextTier')]).toEqual([1, false]);
    const { lengths: _, ...old } = lists;
    expect([wholeLength(old, 'relocationCandidates'), listWasCut(old, 'relocationCandidates')]).toEqual([3, false]);
    expect(wholeListPath(lists, '2025-12-31')).toBe('GET /api/v1/targets/T6_ZONE_SHARE/actions?asOf=2025-12-31&within=180');
  });

  it('the CSV is the rows kept, a plain table with no note rows', () => {
    const lines = renderActionListsCsv(lists).split('\r\n');
    expect(lines).toHaveLength(1 + 3 + 1 + 1); // header, 3 candidates, 1 next tier, the final CRLF
    expect(lines.slice(1, -1).map((l) => l.split(',')[0])).toEqual(['relocation_candidates', 'relocation_candidates', 'relocation_candidates', 'next_tier']);
  });

  it('is not compared for restatement: neither entries nor lengths', () => {
    const a = assessment({ actions: lists });
    expect(changedNumbers(a, assessment({ actions: { ...lists, relocationCandidates: [], lengths: { ...lists.lengths!, relocationCandidates: 7 } } }))).toEqual(
      [],
    );
    expect(changedNumbers(a, assessment({ actions: null }))).toEqual([]);
  });
});

describe('CSV', () => {
  const csv = renderCsv(assessment(), { QL: { zh: '青龙硅巷', en: 'Qinglong' } });
  it('starts with a byte-order mark and has one row per KPI plus the header, CRLF-ended', () => {
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    const lines = csv.slice(1).split('\r\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(assessment().kpis.length + 1);
    expect(lines[0]).toBe(
      'period,as_of,version,kpi,指标,indicator,scope,范围,scope_name,kind,认定类别,kind_name,industry,产业,industry_name,within_days,value',
    );
    expect(lines).toContain(
      '2025-Q4,2025-12-31,1,certified_firms,持有效认定企业数,Firms holding a valid certificate,zone:QL,青龙硅巷,Qinglong,HNTE,国家高新技术企业,National high-tech enterprise,,,,,10',
    );
    expect(lines).toContain(
      '2025-Q4,2025-12-31,1,expiring_certifications,即将到期的认定,Certifications expiring,district,东城区（全区）,Dongcheng District,HNTE,国家高新技术企业,National high-tech enterprise,,,,90,3',
    );
  });
  it('quotes fields with commas/quotes and defuses spreadsheet formulas', () => {
    const text = renderCsv(assessment({ period: '=HYPERLINK("x")' }));
    expect(text).toContain(`"'=HYPERLINK(""x"")"`);
  });
});

describe('HTML', () => {
  const html = renderHtml(
    assessment({
      version: 2,
      restatement: {
        previousVersion: 1,
        changes: [{ key: 'kpi/qualified_firms/zone:QL', from: 19, to: 20 }],
        causes: [{ type: 'certification.granted', source: 'urn:<late>', events: 1, examples: ['e1'] }],
      },
    }),
  );
  it('is self-contained: no script, no external resource, a CSP that forbids them', () => {
    expect(html).not.toMatch(/<script|<link|src=|href=|@import|url\(/i);
    expect(html).toContain(`Content-Security-Policy" content="default-src 'none'`);
  });
  it('escapes every text it shows', () => {
    expect(html).toContain('提升&lt;企业&gt;占比');
    expect(html).toContain('urn:&lt;late&gt;');
    expect(html).not.toContain('urn:<late>');
  });
  it('puts Chinese first with English beside, and draws the three charts', () => {
    expect(html).toMatch(/<html lang="zh-CN">/);
    expect(html).toContain('存在风险 <span class="en">At risk</span>');
    expect(html.match(/<svg class="chart" data-chart="(\w+)"/g)).toEqual([
      '<svg class="chart" data-chart="headline"',
      '<svg class="chart" data-chart="zones"',
      '<svg class="chart" data-chart="industries"',
    ]);
    expect(html).toContain('更正说明');
    expect(html).toContain('@media print');
  });
});

describe('certificates whose firm is unknown', () => {
  it('counts certificates effective by the day whose firm has no registration effective by then', () => {
    const c = new CertificatesWithoutFirm();
    c.add({ type: 'certification.granted', subject: 'A', effectiveDate: '2024-01-01', data: { kind: 'HNTE', certificateNo: '1' } });
    c.add({ type: 'certification.granted', subject: 'A', effectiveDate: '2023-06-01', data: { kind: 'HNTE', certificateNo: '1' } });
    c.add({ type: 'certification.granted', subject: 'B', effectiveDate: '2024-03-01', data: { kind: 'SRDI_SME', certificateNo: '2' } });
    c.add({ type: 'enterprise.registered', subject: 'A', effectiveDate: '2024-02-01', data: {} });
    expect(c.countOn('2023-05-31')).toBe(0);
    expect(c.countOn('2023-12-31')).toBe(1);
    expect(c.countOn('2024-02-01')).toBe(0);
    expect(c.countOn('2024-03-01')).toBe(1);
  });
});
