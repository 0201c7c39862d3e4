// The edge: one base URL for people and providers. Tokens → roles, then each route goes to the
// service that owns its data (KPIs: indicator), or is served here (ingest, pipeline).
import type { IncomingMessage } from 'node:http';
import express, { type Express, type Request, type RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { IndicatorClient } from '@siliconalley/api';
// Deepest nesting accepted in any JSON body: the contract's limit for events.
import { CLOUDEVENTS_BATCH_JSON, jsonDepthExceeds, MAX_JSON_DEPTH } from '@siliconalley/contract';
import { actorHeaders, createHttpApp, HttpProblem, internalAuthHeaders, type Counter, type Registry } from '@siliconalley/http';
import type { DeadLetterProducer, KafkaClient } from '@siliconalley/kafka';
import type { Logger } from '@siliconalley/logger';
import type { Store } from '@siliconalley/store';
import { authenticate, authFailureLimit, requireRole } from './auth';
import { IndicatorFleet } from './indicators';
import { ingestRouter } from './ingest';
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
  /** INTERNAL_API_SECRET: sent to the indicator and alerting APIs, which refuse requests without it. */
  internalSecret: string;
  /** AUTH_FAILURES_PER_MINUTE (auth.ts authFailureLimit); default 60. */
  authFailuresPerMinute?: number;
  /** INGEST_MAX_BATCH_EVENTS: events in one batch request at most; default 1000. */
  maxBatchEvents?: number;
}

/**
 * A response to a token holder: whatever the upstream allows to be cached is for the caller's own
 * cache only (`private`), never a shared one (`public`, `s-maxage` dropped).
 */
export function privateCacheControl(value: string): string {
  const directives = value
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d && !/^(public|private|s-maxage=.*|proxy-revalidate)$/i.test(d));
  return directives.some((d) => /^no-store$/i.test(d)) ? directives.join(', ') : ['private', ...directives].join(', ');
}

/**
 * Forwards a request to an internal service and relays status, type, Location and body. GET and
 * DELETE go without a body; POST/PUT/PATCH relay the JSON body parsed by `express.json()`. Every
 * request carries INTERNAL_API_SECRET; writes carry the caller (token prefix and URI-encoded label)
 * for the upstream's audit log.
 */
function forwardTo(baseUrl: string, path: string | ((req: Request) => string), logger: Logger, secret: string): RequestHandler {
  return (req, res, next) => {
    const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
    const target = typeof path === 'string' ? path : path(req);
    const headers: Record<string, string> = { accept: req.headers.accept ?? 'application/json', ...internalAuthHeaders(secret) };
    const write = req.method !== 'GET' && req.method !== 'HEAD';
    if (write && req.principal) Object.assign(headers, actorHeaders(req.principal.prefix, req.principal.label));
    let body: string | undefined;
    if (write && req.method !== 'DELETE') {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.body ?? null);
    }
    fetch(`${baseUrl}${target}${query}`, { method: req.method, headers, body, signal: AbortSignal.timeout(30000) })
      .then(async (upstream) => {
        if (upstream.status === 401) {
          // The upstream refused our INTERNAL_API_SECRET: our configuration, not the caller's token.
          logger.error({ path: target }, 'the upstream refused the internal credential: INTERNAL_API_SECRET differs between the gateway and it');
          next(
            new HttpProblem(
              502,
              `the service behind ${req.path} refused the gateway's internal credential (INTERNAL_API_SECRET differs: a configuration fault); tell an operator`,
            ),
          );
          return;
        }
        res.status(upstream.status);
        const type = upstream.headers.get('content-type');
        if (type) res.type(type);
        for (const name of ['retry-after', 'location', 'content-disposition', 'cache-control', 'etag', 'vary']) {
          const value = upstream.headers.get(name);
          if (value) res.setHeader(name, name === 'cache-control' ? privateCacheControl(value) : value);
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
function jsonBody(limit = '64kb'): RequestHandler[] {
  return [
    (req, _res, next) => {
      next(req.is('application/json') ? undefined : new HttpProblem(415, 'send the body as application/json'));
    },
    express.json({ limit }),
    // Forwarding re-serialises the body: a hostile nesting depth would overflow the stack (a 500).
    (req, _res, next) => {
      next(jsonDepthExceeds(req.body, MAX_JSON_DEPTH) ? new HttpProblem(400, `the JSON body is nested more than ${MAX_JSON_DEPTH} levels deep`) : undefined);
    },
  ];
}

/**
 * Top-level elements of the JSON array in `body`, counted without parsing it, stopping once past
 * `stopAfter`; null when the body is no array (the ingest route says what is wrong with it).
 */
export function countArrayItems(body: Buffer, stopAfter: number): number | null {
  let i = 0;
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) i = 3; // UTF-8 BOM
  while (i < body.length && (body[i] === 0x20 || body[i] === 0x09 || body[i] === 0x0a || body[i] === 0x0d)) i++;
  if (body[i] !== 0x5b) return null; // [
  let depth = 0;
  let inString = false;
  let escaped = false;
  let count = 0;
  let counted = false; // the current element of the top-level array is counted
  for (; i < body.length; i++) {
    const c = body[i]!;
    if (inString) {
      if (escaped) escaped = false;
      else if (c === 0x5c)
        escaped = true; // backslash
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) continue;
    if (c === 0x5d || c === 0x7d) {
      // ] }
      depth -= 1;
      if (depth === 0) return count;
      continue;
    }
    if (c === 0x2c) {
      // ,
      if (depth === 1) counted = false;
      continue;
    }
    if (depth === 1 && !counted) {
      counted = true;
      count += 1;
      if (count > stopAfter) return count;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) depth += 1; // [ {
  }
  return count;
}

/**
 * Bounds the events of one batch request (application/cloudevents-batch+json) before the ingest
 * route parses and judges them: 413 past `maxEvents`. Reads the body as the ingest route does
 * (same limit); the route then finds it read and takes it as it is.
 */
function batchLimit(maxBodyBytes: number, maxEvents: number): RequestHandler[] {
  const isBatch = (req: IncomingMessage) => (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase() === CLOUDEVENTS_BATCH_JSON;
  return [
    express.raw({ type: isBatch, limit: maxBodyBytes }),
    (req, _res, next) => {
      if (!isBatch(req) || !Buffer.isBuffer(req.body)) return next();
      const events = countArrayItems(req.body, maxEvents);
      if (events !== null && events > maxEvents) {
        next(
          new HttpProblem(
            413,
            `a batch may hold at most ${maxEvents} events (INGEST_MAX_BATCH_EVENTS); this one has more: split it into batches of ${maxEvents} or fewer`,
            { maxEvents },
          ),
        );
        return;
      }
      next();
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
    // Per client address, before any token costs a lookup: addresses that keep failing get 429.
    v1.use(authFailureLimit({ limit: deps.authFailuresPerMinute ?? 60 }));
    v1.use(authenticate(deps.store.tokens, { cacheMs: deps.tokenCacheMs ?? 0, logger: deps.logger }));
    v1.use(
      rateLimit({
        windowMs: 60_000,
        limit: deps.rateLimitPerMinute,
        standardHeaders: 'draft-8',
        legacyHeaders: false,
        keyGenerator: (req) => req.principal?.hash ?? 'anonymous',
        handler: (_req, _res, next, options) => {
          next(
            new HttpProblem(
              429,
              `more than ${options.limit} requests per minute for this token; slow down`,
              {},
              { 'Retry-After': String(Math.ceil(options.windowMs / 1000)) },
            ),
          );
        },
      }),
    );
    const read = requireRole('evaluator', 'operator');
    const [single] = deps.indicatorUrls;
    if (deps.indicatorUrls.length === 1 && single) {
      v1.get('/kpis', read, forwardTo(single, '/kpis', deps.logger, deps.internalSecret));
      v1.get('/kpis/series', read, forwardTo(single, '/kpis/series', deps.logger, deps.internalSecret));
      v1.get('/kpis/explain', read, forwardTo(single, '/kpis/explain', deps.logger, deps.internalSecret));
    } else {
      const fleet = new IndicatorFleet(deps.indicatorUrls, deps.internalSecret);
      v1.get('/kpis', read, fleet.kpis());
      v1.get('/kpis/series', read, fleet.series());
      v1.get('/kpis/explain', read, fleet.explain());
    }
    const operator = requireRole('operator');
    const targetPath =
      (suffix = '') =>
      (req: Request) =>
        `/targets/${pathSegment(String(req.params.id))}${suffix}`;
    v1.get('/targets', read, forwardTo(deps.alertingUrl, '/targets', deps.logger, deps.internalSecret));
    v1.post('/targets', operator, ...jsonBody(), forwardTo(deps.alertingUrl, '/targets', deps.logger, deps.internalSecret));
    v1.get('/targets/audit', operator, forwardTo(deps.alertingUrl, '/targets/audit', deps.logger, deps.internalSecret));
    v1.get('/targets/:id/decomposition', read, forwardTo(deps.alertingUrl, targetPath('/decomposition'), deps.logger, deps.internalSecret));
    v1.get('/targets/:id/actions', read, forwardTo(deps.alertingUrl, targetPath('/actions'), deps.logger, deps.internalSecret));
    // Up to 1,000 hypothetical events (api.md); the alerting service judges each with the contract.
    v1.post('/what-if', read, ...jsonBody('16mb'), forwardTo(deps.alertingUrl, '/what-if', deps.logger, deps.internalSecret));
    v1.delete('/targets/:id', operator, forwardTo(deps.alertingUrl, targetPath(), deps.logger, deps.internalSecret));
    const assessmentPath =
      (suffix = '') =>
      (req: Request) =>
        `/assessments/${pathSegment(String(req.params.period))}${suffix}`;
    v1.get('/assessments', read, forwardTo(deps.alertingUrl, '/assessments', deps.logger, deps.internalSecret));
    v1.get('/assessments/:period', read, forwardTo(deps.alertingUrl, assessmentPath(), deps.logger, deps.internalSecret));
    v1.post('/assessments/:period/run', operator, forwardTo(deps.alertingUrl, assessmentPath('/run'), deps.logger, deps.internalSecret));
    v1.get('/tasks', read, forwardTo(deps.alertingUrl, '/tasks', deps.logger, deps.internalSecret));
    v1.get('/departments', read, forwardTo(deps.alertingUrl, '/departments', deps.logger, deps.internalSecret));
    const pipelineIndicators = new IndicatorClient(deps.indicatorUrls, { secret: deps.internalSecret });
    v1.get('/pipeline', requireRole('provider', 'evaluator', 'operator'), (_req, res, next) => {
      pipelineStatus(deps.kafka, deps.store, pipelineIndicators).then(
        (body) => res.json(body),
        (err: unknown) => {
          deps.logger.warn({ err }, 'pipeline status unavailable');
          next(
            err instanceof HttpProblem
              ? err
              : new HttpProblem(503, 'the pipeline status is unavailable (broker, database or indicator); retry shortly', {}, { 'Retry-After': '5' }),
          );
        },
      );
    });
    v1.use(
      '/events',
      requireRole('provider'),
      batchLimit(deps.maxBodyBytes, deps.maxBatchEvents ?? 1000),
      ingestRouter({ kafka: deps.kafka, deadLetters: deps.deadLetters, maxBodyBytes: deps.maxBodyBytes, rejected: deps.rejected }),
    );
    app.use('/api/v1', v1);
  });
}
