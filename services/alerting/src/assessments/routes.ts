// GET /assessments, GET /assessments/{period}[?version=N] as JSON, CSV or HTML (Accept, or
// ?format= for links and the command line), POST /assessments/{period}/run.
import type { Express, Request } from 'express';
import { parsePeriod, PeriodError, renderCsv, renderHtml, type Assessment, type Label } from '@siliconalley/assessments';
import { HttpProblem } from '@siliconalley/http';
import type { Store } from '@siliconalley/store';
import type { AssessmentRunner } from './runner';

const FORMATS = { json: 'application/json', csv: 'text/csv', html: 'text/html' } as const;
type Format = keyof typeof FORMATS;

export interface AssessmentRouteDeps {
  runner: AssessmentRunner;
  store: Store;
  zoneNames: Readonly<Record<string, Label>>;
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
    if (typeof asked !== 'string' || !(asked in FORMATS)) throw new HttpProblem(400, 'format must be json, csv or html');
    return asked as Format;
  }
  const type = req.accepts(Object.values(FORMATS));
  if (!type) throw new HttpProblem(406, 'assessments are served as application/json, text/csv or text/html');
  return (Object.keys(FORMATS) as Format[]).find((f) => FORMATS[f] === type)!;
}

function versionOf(req: Request): number | null {
  const v = req.query.version;
  if (v === undefined) return null;
  if (typeof v !== 'string' || !/^[1-9]\d{0,5}$/.test(v)) throw new HttpProblem(400, 'version must be a positive whole number (1 is the first published version)');
  return Number(v);
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
    // Published versions never change: the caller's cache may keep them; the latest may be superseded.
    // `private`: they are read with a token, so no shared cache (proxy, CDN) may store or serve them.
    res.setHeader('Cache-Control', version === null ? 'private, no-cache' : 'private, max-age=31536000, immutable');
    res.setHeader('ETag', `"${a.period}-v${a.version}-${format}"`);
    if (format === 'json') {
      res.json(a);
      return;
    }
    const name = `siliconalley-assessment-${a.period}-v${a.version}.${format}`;
    if (format === 'csv') {
      res.type('text/csv; charset=utf-8').setHeader('Content-Disposition', `attachment; filename="${name}"`);
      res.send(renderCsv(a, deps.zoneNames));
      return;
    }
    res.type('text/html; charset=utf-8').setHeader('Content-Disposition', `inline; filename="${name}"`);
    res.send(renderHtml(a, { zoneNames: deps.zoneNames }));
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
    res.status(outcome.published ? 201 : 200).location(`/api/v1/assessments/${outcome.assessment.period}?version=${outcome.assessment.version}`).json(outcome.assessment);
  });
}
