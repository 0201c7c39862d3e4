// The edge: one base URL for people and providers. Tokens → roles, then each route goes to the
// service that owns its data (KPIs: indicator), or is served here (ingest, pipeline).
import express, { type Express, type Request, type RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { IndicatorClient } from '@siliconalley/api';
import { createHttpApp, HttpProblem, type Counter, type Registry } from '@siliconalley/http';
import type { DeadLetterProducer, KafkaClient } from '@siliconalley/kafka';
import type { Logger } from '@siliconalley/logger';
import type { Store } from '@siliconalley/store';
import { authenticate, requireRole } from './auth';
import { IndicatorFleet } from './indicators';
import { ingestRouter, jsonDepthExceeds, MAX_JSON_DEPTH } from './ingest';
import { openApiDocument } from './openapi';
import { pipelineStatus } from './pipeline';

export interface GatewayDeps {
  logger: Logger;
  registry: Registry;
  store: Store;
  kafka: KafkaClient;
  deadLetters: DeadLetterProducer;
  rejected: Counter<'reason'>;
  /** One indicator: reads are forwarded; several: asked all and merged (IndicatorFleet). */
  indicatorUrls: string[];
  /** The alerting service: targets, plan tasks, department scorecards. */
  alertingUrl: string;
  maxBodyBytes: number;
  rateLimitPerMinute: number;
  corsOrigins: string[];
  trustProxyHops?: number;
  /** TOKEN_CACHE_MS (auth.ts). */
  tokenCacheMs?: number;
}

/** Header names for the caller of a write, read by the alerting service for its audit log. */
export const ACTOR_HEADER = 'x-sa-actor';
export const ACTOR_LABEL_HEADER = 'x-sa-actor-label';

/**
 * Forwards a request to an internal service and relays status, type, Location and body. GET and
 * DELETE go without a body; POST/PUT/PATCH relay the JSON body parsed by `express.json()`. Writes
 * carry the caller (token prefix and URI-encoded label) for the upstream's audit log.
 */
function forwardTo(baseUrl: string, path: string | ((req: Request) => string), logger: Logger): RequestHandler {
  return (req, res, next) => {
    const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
    const target = typeof path === 'string' ? path : path(req);
    const headers: Record<string, string> = { accept: req.headers.accept ?? 'application/json' };
    const write = req.method !== 'GET' && req.method !== 'HEAD';
    if (write && req.principal) {
      headers[ACTOR_HEADER] = req.principal.prefix;
      if (req.principal.label) headers[ACTOR_LABEL_HEADER] = encodeURIComponent(req.principal.label);
    }
    let body: string | undefined;
    if (write && req.method !== 'DELETE') {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.body ?? null);
    }
    fetch(`${baseUrl}${target}${query}`, { method: req.method, headers, body, signal: AbortSignal.timeout(30000) })
      .then(async (upstream) => {
        res.status(upstream.status);
        const type = upstream.headers.get('content-type');
        if (type) res.type(type);
        for (const name of ['retry-after', 'location', 'content-disposition', 'cache-control', 'etag', 'vary']) {
          const value = upstream.headers.get(name);
          if (value) res.setHeader(name, value);
        }
        const payload = Buffer.from(await upstream.arrayBuffer());
        if (type?.startsWith('application/problem+json')) {
          // The upstream names its own path; the caller asked for the public one.
          try {
            const problem = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
            res.send(JSON.stringify({ ...problem, instance: req.originalUrl.split('?')[0] }));
            return;
          } catch {
            // Not JSON after all: relay as it is.
          }
        }
        if (upstream.status === 204 || upstream.status === 304) res.end();
        else res.send(payload);
      })
      .catch((err) => {
        logger.warn({ err, path: target }, 'upstream unavailable');
        next(new HttpProblem(503, `the service behind ${req.path} is unavailable; retry shortly`, {}, { 'Retry-After': '5' }));
      });
  };
}

/**
 * A path parameter as one upstream path segment. `.` and `..` stay dot segments even encoded (URL
 * parsers normalise `%2E`), so they would reach another upstream route: refused.
 */
function pathSegment(value: string): string {
  if (value === '.' || value === '..') throw new HttpProblem(400, `${JSON.stringify(value)} is not a valid path segment here`);
  return encodeURIComponent(value);
}

/** JSON bodies of the write routes forwarded upstream (target definitions are small). */
function jsonBody(): RequestHandler[] {
  return [
    (req, _res, next) => {
      next(req.is('application/json') ? undefined : new HttpProblem(415, 'send the body as application/json'));
    },
    express.json({ limit: '64kb' }),
    // Forwarding re-serialises the body: a hostile nesting depth would overflow the stack (a 500).
    (req, _res, next) => {
      next(jsonDepthExceeds(req.body, MAX_JSON_DEPTH) ? new HttpProblem(400, `the JSON body is nested more than ${MAX_JSON_DEPTH} levels deep`) : undefined);
    },
  ];
}

function cors(origins: string[]): RequestHandler {
  return (req, res, next) => {
    const origin = req.headers.origin;
    if (origin && origins.includes(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
      res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type');
      if (req.method === 'OPTIONS') {
        res.status(204).end();
        return;
      }
    }
    next();
  };
}

export function createServer(deps: GatewayDeps): Express {
  return createHttpApp({ logger: deps.logger, registry: deps.registry, trustProxy: deps.trustProxyHops }, (app) => {
    app.use(cors(deps.corsOrigins));
    const v1 = express.Router();
    v1.get('/openapi.json', (_req, res) => {
      res.json(openApiDocument());
    });
    v1.use(authenticate(deps.store.tokens, { cacheMs: deps.tokenCacheMs ?? 0, logger: deps.logger }));
    v1.use(
      rateLimit({
        windowMs: 60_000,
        limit: deps.rateLimitPerMinute,
        standardHeaders: 'draft-8',
        legacyHeaders: false,
        keyGenerator: (req) => req.principal?.hash ?? 'anonymous',
        handler: (_req, _res, next, options) => {
          next(new HttpProblem(429, `more than ${options.limit} requests per minute for this token; slow down`, {}, { 'Retry-After': String(Math.ceil(options.windowMs / 1000)) }));
        },
      }),
    );
    const read = requireRole('evaluator', 'operator');
    const [single] = deps.indicatorUrls;
    if (deps.indicatorUrls.length === 1 && single) {
      v1.get('/kpis', read, forwardTo(single, '/kpis', deps.logger));
      v1.get('/kpis/series', read, forwardTo(single, '/kpis/series', deps.logger));
      v1.get('/kpis/explain', read, forwardTo(single, '/kpis/explain', deps.logger));
    } else {
      const fleet = new IndicatorFleet(deps.indicatorUrls);
      v1.get('/kpis', read, fleet.kpis());
      v1.get('/kpis/series', read, fleet.series());
      v1.get('/kpis/explain', read, fleet.explain());
    }
    const operator = requireRole('operator');
    const targetPath = (suffix = '') => (req: Request) => `/targets/${pathSegment(String(req.params.id))}${suffix}`;
    v1.get('/targets', read, forwardTo(deps.alertingUrl, '/targets', deps.logger));
    v1.post('/targets', operator, ...jsonBody(), forwardTo(deps.alertingUrl, '/targets', deps.logger));
    v1.get('/targets/audit', operator, forwardTo(deps.alertingUrl, '/targets/audit', deps.logger));
    v1.get('/targets/:id/decomposition', read, forwardTo(deps.alertingUrl, targetPath('/decomposition'), deps.logger));
    v1.delete('/targets/:id', operator, forwardTo(deps.alertingUrl, targetPath(), deps.logger));
    const assessmentPath = (suffix = '') => (req: Request) => `/assessments/${pathSegment(String(req.params.period))}${suffix}`;
    v1.get('/assessments', read, forwardTo(deps.alertingUrl, '/assessments', deps.logger));
    v1.get('/assessments/:period', read, forwardTo(deps.alertingUrl, assessmentPath(), deps.logger));
    v1.post('/assessments/:period/run', operator, forwardTo(deps.alertingUrl, assessmentPath('/run'), deps.logger));
    v1.get('/tasks', read, forwardTo(deps.alertingUrl, '/tasks', deps.logger));
    v1.get('/departments', read, forwardTo(deps.alertingUrl, '/departments', deps.logger));
    const pipelineIndicators = new IndicatorClient(deps.indicatorUrls);
    v1.get('/pipeline', requireRole('provider', 'evaluator', 'operator'), (_req, res, next) => {
      pipelineStatus(deps.kafka, deps.store, pipelineIndicators).then(
        (body) => res.json(body),
        (err: unknown) => {
          deps.logger.warn({ err }, 'pipeline status unavailable');
          next(err instanceof HttpProblem ? err : new HttpProblem(503, 'the pipeline status is unavailable (broker, database or indicator); retry shortly', {}, { 'Retry-After': '5' }));
        },
      );
    });
    v1.use(
      '/events',
      requireRole('provider'),
      ingestRouter({ kafka: deps.kafka, deadLetters: deps.deadLetters, maxBodyBytes: deps.maxBodyBytes, rejected: deps.rejected }),
    );
    app.use('/api/v1', v1);
  });
}
