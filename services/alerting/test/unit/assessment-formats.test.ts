// GET /assessments/{period} in every format, over a store in memory: Excel and PDF (the machine's
// Chromium), the action lists as CSV, and the errors that name what to change. No cache header goes
// out with an error, and a revalidation is answered without printing.
import request from 'supertest';
import type { Assessment } from '@siliconalley/assessments';
import { createHttpApp, Registry } from '@siliconalley/http';
import { createLogger } from '@siliconalley/logger';
import type { Store } from '@siliconalley/store';
import type { PdfOptions } from '../../src/assessments/pdf';
import { registerAssessmentRoutes } from '../../src/assessments/routes';
import type { AssessmentRunner } from '../../src/assessments/runner';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const v1: Assessment = {
  period: '2025-Q4',
  kind: 'quarter',
  start: '2025-10-01',
  asOf: '2025-12-31',
  version: 1,
  publishedAt: '2026-01-01T00:05:00.000Z',
  methods: { assessment: 'assessment-v1', kpis: 'kpis-v1', targets: ['linear-v1'] },
  kpis: [
    { id: 'qualified_firms', scope: 'zone:QL', value: 20 },
    { id: 'zone_share', scope: 'zone:QL', value: 0.1 },
  ],
  targets: [],
  headlinePath: null,
  tasks: [],
  departments: [],
  decomposition: null,
  dataQuality: { unlocatedFirms: 0, certificatesWithoutKnownFirm: 0 },
  cutoff: {
    storedEvents: 10,
    receivedUpTo: '2026-01-01T00:00:00.000Z',
    acceptedOffsets: {},
    pipeline: { accepted: 10, duplicates: 0, rejected: {}, rejectedByProvider: {} },
  },
  statusSummary: {},
  restatement: null,
};
const v2: Assessment = {
  ...v1,
  version: 2,
  actions: {
    target: 'T6_ZONE_SHARE',
    zone: 'QL',
    within: 180,
    renewalsDue: [],
    relocationCandidates: [],
    nextTier: [{ uscc: '91110101MA00000003', name: '胡同元宇宙有限公司', focusIndustry: null, zones: ['QL'], certificateNo: 'CX-7', validUntil: '2027-06-30' }],
  },
};

function app(pdf?: PdfOptions) {
  const docs = [v1, v2].map((a) => ({ period: a.period, version: a.version, body: a }));
  const store = {
    assessments: {
      latest: async (period: string) => docs.filter((d) => d.period === period).at(-1) ?? null,
      version: async (period: string, version: number) => docs.find((d) => d.period === period && d.version === version) ?? null,
    },
  } as unknown as Store;
  return createHttpApp({ logger: createLogger('test', 'silent'), registry: new Registry() }, (a) =>
    registerAssessmentRoutes(a, { runner: {} as AssessmentRunner, store, zoneNames: {}, ...(pdf && { pdf }) }),
  );
}

const binary: Parameters<request.Test['parse']>[0] = (res, cb) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => cb(null, Buffer.concat(chunks)));
};
const noCacheHeaders = (res: request.Response) => {
  // (express tags any body it sends weakly; the version's own tag must not be on an error)
  expect(res.headers['etag'] ?? '').not.toContain('2025-Q4-v');
  expect(res.headers['cache-control']).toBeUndefined();
};

describe('assessment formats', () => {
  it('serves an Excel workbook as an attachment, by ?format= or Accept', async () => {
    for (const ask of [(r: request.Test) => r.query({ format: 'xlsx', version: '2' }), (r: request.Test) => r.query({ version: '2' }).set('Accept', XLSX)]) {
      const res = await ask(request(app()).get('/assessments/2025-Q4')).buffer(true).parse(binary).expect(200);
      expect(res.headers['content-type']).toBe(XLSX);
      expect(res.headers['content-disposition']).toBe('attachment; filename="siliconalley-assessment-2025-Q4-v2.xlsx"');
      expect(res.headers['etag']).toBe('W/"2025-Q4-v2-xlsx"');
      expect(res.headers['cache-control']).toBe('private, max-age=31536000, immutable');
      expect((res.body as Buffer).subarray(0, 2).toString('latin1')).toBe('PK');
    }
  });

  it('prints a PDF inline, by ?format= or Accept', async () => {
    const res = await request(app()).get('/assessments/2025-Q4').set('Accept', 'application/pdf').buffer(true).parse(binary).expect(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe('inline; filename="siliconalley-assessment-2025-Q4-v2.pdf"');
    expect(res.headers['cache-control']).toBe('private, no-cache');
    expect(res.headers['etag']).toBe('W/"2025-Q4-v2-pdf"');
    expect((res.body as Buffer).subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  it('answers a PDF revalidation with 304 without printing', async () => {
    const res = await request(app({ chromiumPath: '/nonexistent/chromium' }))
      .get('/assessments/2025-Q4?format=pdf')
      .set('If-None-Match', 'W/"2025-Q4-v2-pdf"');
    expect(res.status).toBe(304);
  });

  it('answers 503 with what to install when Chromium is missing, and nothing a cache would keep', async () => {
    const res = await request(app({ chromiumPath: '/nonexistent/chromium' }))
      .get('/assessments/2025-Q4?format=pdf&version=2')
      .expect(503);
    expect(res.body.detail).toMatch(/install chromium and fonts-wqy-microhei .*or set CHROMIUM_PATH/);
    noCacheHeaders(res);
  });

  it('gives the action lists as CSV with part=actions', async () => {
    const res = await request(app()).get('/assessments/2025-Q4?format=csv&part=actions').expect(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="siliconalley-assessment-2025-Q4-v2-actions.csv"');
    expect(res.headers['etag']).toBe('"2025-Q4-v2-csv-actions"');
    expect(res.text.split('\r\n').slice(0, 2)).toEqual([
      '\uFEFFlist,uscc,name,focus_industry,zones,lapses_on,certificates,distance_meters,kinds,certificate_no,valid_until',
      'next_tier,91110101MA00000003,胡同元宇宙有限公司,,QL,,,,,CX-7,2027-06-30',
    ]);
    const kpis = await request(app()).get('/assessments/2025-Q4?format=csv&part=kpis').expect(200);
    expect(kpis.text).toMatch(/^\uFEFFperiod,as_of,version,kpi/);
    expect(kpis.headers['etag']).toBe('"2025-Q4-v2-csv"');
  });

  it('answers 404 for the action lists of a version published before them', async () => {
    const res = await request(app()).get('/assessments/2025-Q4?format=csv&part=actions&version=1').expect(404);
    expect(res.body.detail).toMatch(/version 1 of 2025-Q4 has no action lists: it was published before they existed/);
    noCacheHeaders(res);
  });

  it.each([
    ['format=docx', 400, /format must be json, csv, html, xlsx or pdf/],
    ['format=csv&part=tasks', 400, /part must be kpis \(the KPI table\) or actions/],
    ['format=html&part=actions', 400, /part=actions applies to CSV only/],
  ])('%s → %d', async (query, status, detail) => {
    const res = await request(app()).get(`/assessments/2025-Q4?${query}`).expect(status);
    expect(res.body.detail).toMatch(detail);
  });

  it('answers 406 listing every type it serves', async () => {
    const res = await request(app()).get('/assessments/2025-Q4').set('Accept', 'image/png').expect(406);
    expect(res.body.detail).toBe(
      `assessments are served as application/json, text/csv, text/html, ${XLSX}, application/pdf (or ?format=json|csv|html|xlsx|pdf)`,
    );
  });
});
