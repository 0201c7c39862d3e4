// GET /assessments, GET /assessments/{period}[?version=N] as JSON, CSV, HTML, Excel or PDF (Accept,
// or ?format= for links and the command line; CSV of the action lists with &part=actions),
// POST /assessments/{period}/run.
import type { Express, Request } from 'express';
import { parsePeriod, PeriodError, renderActionListsCsv, renderCsv, renderHtml, renderXlsx, type Assessment, type Label } from '@siliconalley/assessments';
import { HttpProblem } from '@siliconalley/http';
import type { Store } from '@siliconalley/store';
import { PdfUnavailableError, renderPdf, type PdfOptions } from './pdf';
import type { AssessmentRunner } from './runner';

const FORMATS = {
  json: 'application/json',
  csv: 'text/csv',
  html: 'text/html',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
} as const;
type Format = keyof typeof FORMATS;
const FORMAT_NAMES = 'json, csv, html, xlsx or pdf';
/** CSV parts: the KPI table (default) or the headline target's action lists. */
const CSV_PARTS = ['kpis', 'actions'] as const;
type CsvPart = (typeof CSV_PARTS)[number];

export interface AssessmentRouteDeps {
  runner: AssessmentRunner;
  store: Store;
  zoneNames: Readonly<Record<string, Label>>;
  /** Chromium for ?format=pdf (tests point it elsewhere); default CHROMIUM_PATH or /usr/bin/chromium. */
  pdf?: PdfOptions;
}

function periodOf(req: Request): string {
  const raw = String(req.params.period);
  try {
    return parsePeriod(raw).id;
  } catch (err) {
    if (err instanceof PeriodError) throw new HttpProblem(400, err.message);
    throw err;
  }
}

function formatOf(req: Request): Format {
  const asked = req.query.format;
  if (asked !== undefined) {
    if (typeof asked !== 'string' || !Object.hasOwn(FORMATS, asked)) throw new HttpProblem(400, `format must be ${FORMAT_NAMES}`);
    return asked as Format;
  }
  const type = req.accepts(Object.values(FORMATS));
  if (!type) throw new HttpProblem(406, `assessments are served as ${Object.values(FORMATS).join(', ')} (or ?format=${FORMAT_NAMES.replace(/, | or /g, '|')})`);
  return (Object.keys(FORMATS) as Format[]).find((f) => FORMATS[f] === type)!;
}

function partOf(req: Request, format: Format): CsvPart {
  const part = req.query.part;
  if (part === undefined) return 'kpis';
  if (typeof part !== 'string' || !(CSV_PARTS as readonly string[]).includes(part))
    throw new HttpProblem(400, `part must be kpis (the KPI table) or actions (the action lists)`);
  if (format !== 'csv' && part !== 'kpis')
    throw new HttpProblem(400, `part=${part} applies to CSV only: add format=csv (JSON and Excel hold the action lists already)`);
  return part as CsvPart;
}

function versionOf(req: Request): number | null {
  const v = req.query.version;
  if (v === undefined) return null;
  if (typeof v !== 'string' || !/^[1-9]\d{0,5}$/.test(v))
    throw new HttpProblem(400, 'version must be a positive whole number (1 is the first published version)');
  return Number(v);
}

interface Representation {
  type: string;
  /** Downloads are attachments; what a browser shows (HTML, PDF) is inline. */
  disposition: 'inline' | 'attachment';
  /** The file name's end, after `siliconalley-assessment-<period>-v<n>`. */
  suffix: string;
  body: string | Buffer;
}

async function represent(a: Assessment, format: Exclude<Format, 'json'>, part: CsvPart, deps: AssessmentRouteDeps): Promise<Representation> {
  switch (format) {
    case 'csv':
      if (part === 'kpis') return { type: 'text/csv; charset=utf-8', disposition: 'attachment', suffix: '.csv', body: renderCsv(a, deps.zoneNames) };
      if (!a.actions) {
        throw new HttpProblem(
          404,
          `version ${a.version} of ${a.period} has no action lists: it was published before they existed (assessing the period again publishes a version with them)`,
        );
      }
      return { type: 'text/csv; charset=utf-8', disposition: 'attachment', suffix: '-actions.csv', body: renderActionListsCsv(a.actions) };
    case 'xlsx':
      return { type: FORMATS.xlsx, disposition: 'attachment', suffix: '.xlsx', body: await renderXlsx(a, deps.zoneNames) };
    case 'html':
      return { type: 'text/html; charset=utf-8', disposition: 'inline', suffix: '.html', body: renderHtml(a, { zoneNames: deps.zoneNames }) };
    case 'pdf':
      try {
        const footerNote = `硅巷行动计划评估 ${a.period} 第 ${a.version} 版 · v${a.version}`;
        return {
          type: FORMATS.pdf,
          disposition: 'inline',
          suffix: '.pdf',
          body: await renderPdf(renderHtml(a, { zoneNames: deps.zoneNames }), { ...deps.pdf, footerNote }),
        };
      } catch (err) {
        // No Chromium is this instance's configuration, not the caller's request: 503 (not cacheable).
        if (err instanceof PdfUnavailableError) throw new HttpProblem(503, err.message);
        throw err;
      }
  }
}

export function registerAssessmentRoutes(app: Express, deps: AssessmentRouteDeps): void {
  app.get('/assessments', async (_req, res) => {
    const list = await deps.store.assessments.list();
    res.json({ assessments: list.map((a) => ({ ...a, publishedAt: a.publishedAt.toISOString() })) });
  });

  app.get('/assessments/:period', async (req, res) => {
    const period = periodOf(req);
    const version = versionOf(req);
    const format = formatOf(req);
    const part = partOf(req, format);
    const doc = version === null ? await deps.store.assessments.latest(period) : await deps.store.assessments.version(period, version);
    if (!doc) {
      const latest = version === null ? null : await deps.store.assessments.latest(period);
      throw new HttpProblem(
        404,
        latest
          ? `${period} has versions 1 to ${latest.version}; there is no version ${version}`
          : `${period} has not been assessed yet: periods are assessed after they close (or POST /api/v1/assessments/${period}/run as an operator)`,
      );
    }
    const a = doc.body as unknown as Assessment;
    res.vary('Accept');
    const validators = {
      // Published versions never change: the caller's cache may keep them; the latest may be superseded.
      // `private`: they are read with a token, so no shared cache (proxy, CDN) may store or serve them.
      'Cache-Control': version === null ? 'private, no-cache' : 'private, max-age=31536000, immutable',
      // One tag per format and part, so a cached KPI CSV never answers for the action lists. Weak for
      // Excel and PDF: their bytes carry the time they were made, though what they say never changes.
      ETag: `${format === 'xlsx' || format === 'pdf' ? 'W/' : ''}"${a.period}-v${a.version}-${format}${part === 'kpis' ? '' : `-${part}`}"`,
    };
    // A revalidation is answered before rendering (a PDF costs a browser); req.fresh reads the response's ETag.
    res.set(validators);
    if (req.fresh) {
      res.status(304).end();
      return;
    }
    if (format === 'json') {
      res.json(a);
      return;
    }
    // The validators go out with a representation only: an error (no Chromium, no action lists) must not be cached as one.
    for (const name of Object.keys(validators)) res.removeHeader(name);
    const r = await represent(a, format, part, deps);
    res
      .set(validators)
      .type(r.type)
      .setHeader('Content-Disposition', `${r.disposition}; filename="siliconalley-assessment-${a.period}-v${a.version}${r.suffix}"`);
    res.send(r.body);
  });

  app.post('/assessments/:period/run', async (req, res) => {
    const period = periodOf(req);
    let outcome;
    try {
      outcome = await deps.runner.run(period);
    } catch (err) {
      if (err instanceof PeriodError) throw new HttpProblem(400, err.message);
      throw err;
    }
    res
      .status(outcome.published ? 201 : 200)
      .location(`/api/v1/assessments/${outcome.assessment.period}?version=${outcome.assessment.version}`)
      .json(outcome.assessment);
  });
}
