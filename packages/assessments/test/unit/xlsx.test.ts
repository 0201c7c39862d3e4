// The Excel workbook is read back with exceljs, as a spreadsheet program would open it: typed cells
// (numbers, percentages, dates), bilingual frozen headers, fitted widths, and the action lists.
import { Workbook, type Worksheet } from 'exceljs';
import { renderXlsx, type Assessment } from '../../src';
import { displayWidth } from '../../src/xlsx';

function assessment(over: Partial<Assessment> = {}): Assessment {
  return {
    period: '2025-Q4',
    kind: 'quarter',
    start: '2025-10-01',
    asOf: '2025-12-31',
    version: 2,
    publishedAt: '2026-01-01T00:05:00.000Z',
    methods: { assessment: 'assessment-v1', kpis: 'kpis-v1', targets: ['linear-v1'] },
    kpis: [
      { id: 'qualified_firms', scope: 'zone:QL', value: 20 },
      { id: 'zone_share', scope: 'zone:QL', value: 0.1 },
      { id: 'expiring_certifications', scope: 'district', kind: 'HNTE', within: 90, value: 3 },
    ],
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
    headlinePath: null,
    tasks: [
      {
        id: 6,
        section: '四',
        action: '硅巷',
        name: '提升园区高新技术企业及专精特新企业占全区比重',
        lead: ['区科委'],
        cooperating: ['区商务局'],
        status: 'in_progress',
        percentComplete: 40,
        period: '2025-Q4',
        dueQuarter: '2025-Q4',
        overdue: false,
        blocked: false,
      },
    ],
    departments: [{ department: '区科委', ledTaskIds: [6], cooperatingTaskIds: [], completed: 0, overdue: 0, blocked: 0 }],
    decomposition: null,
    dataQuality: { unlocatedFirms: 7, certificatesWithoutKnownFirm: 2 },
    cutoff: {
      storedEvents: 3000,
      receivedUpTo: '2026-01-01T00:00:00.000Z',
      acceptedOffsets: { '0': '1500' },
      pipeline: { accepted: 3000, duplicates: 90, rejected: { invalid_uscc: 5 }, rejectedByProvider: { 'urn:x': { invalid_uscc: 5 } } },
    },
    statusSummary: { at_risk: 1 },
    restatement: null,
    actions: {
      target: 'T6_ZONE_SHARE',
      zone: 'QL',
      within: 180,
      renewalsDue: [
        {
          uscc: '91110101MA00000001',
          name: '北京硅巷智能科技有限公司',
          focusIndustry: 'AI',
          zones: ['QL'],
          lapsesOn: '2026-03-01',
          certificates: [{ kind: 'HNTE', certificateNo: 'GR202311000001', validUntil: '2026-02-28' }],
        },
      ],
      relocationCandidates: [
        {
          uscc: '91110101MA00000002',
          name: '东城数字文娱有限公司',
          focusIndustry: 'DIGITAL_ENTERTAINMENT',
          zones: [],
          distanceMeters: 412.5,
          kinds: ['SRDI_SME'],
        },
      ],
      nextTier: [
        { uscc: '91110101MA00000003', name: '胡同元宇宙有限公司', focusIndustry: null, zones: ['QL'], certificateNo: 'CX2024-0007', validUntil: '2027-06-30' },
      ],
    },
    ...over,
  };
}

async function open(a: Assessment): Promise<Workbook> {
  const wb = new Workbook();
  const bytes = await renderXlsx(a, { QL: { zh: '青龙硅巷', en: 'Qinglong' } });
  // exceljs declares its own Buffer type (an ArrayBuffer); it reads Node's Buffer.
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  return wb;
}

/** The row whose first cell is `first` (a KPI id, a target id, a list name...). */
const rowOf = (ws: Worksheet, col: number, value: string) => {
  for (let r = 2; r <= ws.rowCount; r++) if (ws.getRow(r).getCell(col).value === value) return ws.getRow(r);
  throw new Error(`no row with ${value} in ${ws.name}`);
};

describe('Excel workbook', () => {
  let wb: Workbook;
  beforeAll(async () => {
    wb = await open(assessment());
  });

  it('has one sheet per table, named in Chinese and English', () => {
    expect(wb.worksheets.map((ws) => ws.name)).toEqual([
      '概要 Summary',
      '指标 KPIs',
      '目标 Targets',
      '任务 Tasks',
      '部门 Departments',
      '数据质量 Data quality',
      '行动清单 Action lists',
    ]);
  });

  it('stores KPI values as numbers, shares and ratios as percentages', () => {
    const kpis = wb.getWorksheet('指标 KPIs')!;
    const count = rowOf(kpis, 1, 'qualified_firms').getCell(9);
    expect(count.value).toBe(20);
    expect(typeof count.value).toBe('number');
    const share = rowOf(kpis, 1, 'zone_share').getCell(9);
    expect(share.value).toBeCloseTo(0.1);
    expect(share.numFmt).toBe('0.00%');
    expect(rowOf(kpis, 1, 'expiring_certifications').getCell(8).value).toBe(90);
    const target = rowOf(wb.getWorksheet('目标 Targets')!, 1, 'T6_ZONE_SHARE');
    expect(target.getCell(12).value).toBeCloseTo(0.75);
    expect(target.getCell(12).numFmt).toBe('0.00%');
    expect(target.getCell(16).value).toBe(2);
  });

  it('stores days as dates', () => {
    const target = rowOf(wb.getWorksheet('目标 Targets')!, 1, 'T6_ZONE_SHARE');
    const due = target.getCell(8);
    expect(due.value).toBeInstanceOf(Date);
    expect((due.value as Date).toISOString()).toBe('2026-12-31T00:00:00.000Z');
    expect(due.numFmt).toBe('yyyy-mm-dd');
    const asOf = rowOf(wb.getWorksheet('概要 Summary')!, 1, '截至日 As of').getCell(2);
    expect((asOf.value as Date).toISOString().slice(0, 10)).toBe('2025-12-31');
  });

  it('heads every sheet with a frozen row in Chinese and English', () => {
    for (const ws of wb.worksheets) {
      const header = ws.getRow(1).values as unknown[];
      for (const h of header.filter((x) => x !== undefined)) expect(h).toMatch(/[\u4e00-\u9fff].* [A-Za-z#]/);
      expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
      expect(ws.getRow(1).font?.bold).toBe(true);
    }
    expect(wb.getWorksheet('指标 KPIs')!.getRow(1).getCell(2).value).toBe('指标 Indicator');
  });

  it('fits column widths to the longest text, counting CJK characters double', () => {
    expect(displayWidth('硅巷 AI')).toBe(7);
    const tasks = wb.getWorksheet('任务 Tasks')!;
    // '提升园区高新技术企业及专精特新企业占全区比重': 22 CJK characters, 44 columns wide.
    expect(tasks.getColumn(4).width).toBe(46);
    expect(tasks.getColumn(1).width).toBeGreaterThanOrEqual(8);
    expect(wb.getWorksheet('概要 Summary')!.getColumn(2).width).toBeGreaterThan(40);
  });

  it('lists the action lists on one sheet with a list column', () => {
    const ws = wb.getWorksheet('行动清单 Action lists')!;
    expect(ws.rowCount).toBe(4);
    expect([2, 3, 4].map((r) => ws.getRow(r).getCell(1).value)).toEqual(['renewals_due', 'relocation_candidates', 'next_tier']);
    const renewal = rowOf(ws, 1, 'renewals_due');
    expect(renewal.getCell(4).value).toBe('北京硅巷智能科技有限公司');
    expect(renewal.getCell(6).value).toBe('青龙硅巷');
    expect((renewal.getCell(7).value as Date).toISOString().slice(0, 10)).toBe('2026-03-01');
    expect(renewal.getCell(8).value).toBe('国家高新技术企业 GR202311000001（至 2026-02-28）');
    expect(rowOf(ws, 1, 'relocation_candidates').getCell(9).value).toBe(412.5);
    expect((rowOf(ws, 1, 'next_tier').getCell(12).value as Date).toISOString().slice(0, 10)).toBe('2027-06-30');
  });

  it('says so when the version has no action lists', async () => {
    const old = await open(assessment({ actions: undefined }));
    const ws = old.getWorksheet('行动清单 Action lists')!;
    expect(ws.rowCount).toBe(2);
    expect(ws.getRow(2).getCell(1).value).toMatch(/本版本无行动清单.*This version has no action lists/);
    expect(rowOf(old.getWorksheet('概要 Summary')!, 1, '行动清单 Action lists').getCell(2).value).toMatch(/无行动清单/);
  });

  it('gives each list its whole length in the summary; a version stored without lengths reads as whole lists', () => {
    const summary = wb.getWorksheet('概要 Summary')!;
    expect(rowOf(summary, 1, '行动清单条数：迁入候选 Relocation candidates Entries').getCell(2).value).toBe(1);
    expect(rowOf(summary, 1, '行动清单条数：即将到期需复审 Renewals due Entries').getCell(2).value).toBe(1);
    expect(() => rowOf(summary, 1, '行动清单已截断：迁入候选 Relocation candidates Cut')).toThrow();
  });

  it('says in the summary which lists the version cut, and where the whole list is; the list sheet stays a plain table', async () => {
    const a = assessment();
    const cut = await open(assessment({ actions: { ...a.actions!, lengths: { renewalsDue: 1, relocationCandidates: 201_345, nextTier: 1 } } }));
    const summary = cut.getWorksheet('概要 Summary')!;
    expect(rowOf(summary, 1, '行动清单条数：迁入候选 Relocation candidates Entries').getCell(2).value).toBe(201_345);
    expect(rowOf(summary, 1, '行动清单已截断：迁入候选 Relocation candidates Cut').getCell(2).value).toBe(
      "本评估只保留前 1 家（共 201,345 家），完整清单（按当前数据）见 API：GET /api/v1/targets/T6_ZONE_SHARE/actions?asOf=2025-12-31&within=180 The first 1 of 201,345 are kept in this assessment; the whole list, on today's data: GET /api/v1/targets/T6_ZONE_SHARE/actions?asOf=2025-12-31&within=180",
    );
    expect(() => rowOf(summary, 1, '行动清单已截断：梯队培育 Next tier Cut')).toThrow();
    expect(cut.getWorksheet('行动清单 Action lists')!.rowCount).toBe(4);
  });

  it('keeps text that looks like a formula as text', async () => {
    const odd = await open(assessment({ period: '=HYPERLINK("x")' }));
    expect(rowOf(odd.getWorksheet('概要 Summary')!, 1, '评估期 Period').getCell(2).value).toBe('=HYPERLINK("x")');
  });
});
