// The express app factory (turborepo kitchen-sink style): `createServer()` builds, `index.ts` listens,
// so tests drive apps through supertest without ports.
import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import type { Logger } from '@siliconalley/logger';
import { requireInternalAuth } from './internal-auth';
import { Histogram, type Registry } from './metrics';
import { notFoundHandler, problemErrorHandler } from './problem';

export type ReadinessCheck = () => Promise<boolean>;

export interface AppOptions {
  logger: Logger;
  registry: Registry;
  /** Trust X-Forwarded-For from this many proxies (rate limiting keys on the client address). */
  trustProxy?: number;
}

/** Records request latency by matched route pattern (bounded cardinality, no raw paths). */
function requestMetrics(registry: Registry): RequestHandler {
  const name = 'siliconalley_http_request_duration_seconds';
  // A service's API app and ops app share one registry, hence one histogram.
  const existing = registry.getSingleMetric(name) as Histogram<'route' | 'method' | 'status_class'> | undefined;
  const histogram =
    existing ??
    new Histogram({
      name,
      help: 'HTTP request latency by route pattern, method and status class.',
      labelNames: ['route', 'method', 'status_class'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
  return (req, res, next) => {
    const end = histogram.startTimer();
    res.on('finish', () => {
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      end({ route, method: req.method, status_class: `${Math.floor(res.statusCode / 100)}xx` });
    });
    next();
  };
}

function accessLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      // Path only: query strings may carry user input we don't want verbatim in logs.
      logger.debug({ method: req.method, path: req.path, status: res.statusCode, ms }, 'request');
    });
    next();
  };
}

/**
 * Builds an app with security headers, request metrics and access logs; `mount` adds the routes.
 * A 404 and a problem+json error handler close the chain.
 */
export function createHttpApp(opts: AppOptions, mount: (app: Express) => void): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', opts.trustProxy ?? 0);
  // Query strings are parsed flat: `asOf[$ne]=` stays a string key, never an object (NoSQL injection).
  app.set('query parser', 'simple');
  app.use(helmet());
  app.use(requestMetrics(opts.registry));
  app.use(accessLog(opts.logger));
  mount(app);
  app.use(notFoundHandler);
  app.use(problemErrorHandler((err) => opts.logger.error({ err }, 'unhandled error in request')));
  return app;
}

/**
 * An internal API's app (indicator, alerting): as createHttpApp, and every request (unknown routes
 * too) must carry INTERNAL_API_SECRET (requireInternalAuth) before any route sees it.
 */
export function createInternalApp(opts: AppOptions & { internalSecret: string }, mount: (app: Express) => void): Express {
  const auth = requireInternalAuth(opts.internalSecret);
  return createHttpApp(opts, (app) => {
    app.use(auth);
    mount(app);
  });
}

/**
 * The ops app: `/metrics` (Prometheus text), `/healthz` (liveness: the process answers) and
 * `/readyz` (readiness: every dependency check passes). Served on its own port so that
 * `/metrics` can be kept private.
 */
export function createOpsApp(opts: AppOptions & { readiness: Record<string, ReadinessCheck> }): Express {
  return createHttpApp(opts, (app) => {
    app.get('/metrics', async (_req, res) => {
      res.type(opts.registry.contentType).send(await opts.registry.metrics());
    });
    app.get('/healthz', (_req, res) => {
      res.json({ status: 'ok' });
    });
    app.get('/readyz', async (_req, res) => {
      const entries = await Promise.all(Object.entries(opts.readiness).map(async ([name, check]) => [name, await check().catch(() => false)] as const));
      const checks = Object.fromEntries(entries);
      const ready = entries.every(([, ok]) => ok);
      res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks });
    });
  });
}
