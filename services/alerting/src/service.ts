// Wiring: config → targets → indicator client + store → internal API; every interval the targets
// and tasks are evaluated for today (China time) once the pipeline has caught up (evaluation-loop.ts):
// gauges, flags with hysteresis, alert events and Grafana annotations.
import type { AddressInfo } from 'node:net';
import { IndicatorClient } from '@siliconalley/api';
import { connectDatabase, pingDatabase } from '@siliconalley/db';
import { createMetricsRegistry, createOpsApp, Lifecycle, listen } from '@siliconalley/http';
import { KafkaClient } from '@siliconalley/kafka';
import { createLogger, type Logger } from '@siliconalley/logger';
import { createStore } from '@siliconalley/store';
import type { FlagPolicy, FlagState } from '@siliconalley/targets';
import { loadTargets } from './targets-file';
import { GrafanaAnnotations, publishFlagChange } from './alerts';
import { readPipelineProgress } from './catch-up';
import type { AlertingConfig } from './config';
import { WhatIf } from './what-if';
import { Evaluator, indicatorTaskReports } from './evaluate';
import { EvaluationLoop, type EvaluationOutcome } from './evaluation-loop';
import { FlagStore } from './flag-store';
import { ManagedTargets } from './managed-targets';
import { alertingMetrics } from './metrics';
import { createServer } from './server';
import { AssessmentRunner, headlineTargetOf } from './assessments/runner';
import { DEFAULT_ACTION_WINDOW_DAYS } from '@siliconalley/kpi-engine';
import { AssessmentScheduler } from './assessments/scheduler';
import { defaultZoneRegistry } from '@siliconalley/zones';

/** Seconds between evaluations while the pipeline has not caught up. */
const CATCH_UP_RETRY_SECONDS = 3;

export interface RunningAlerting {
  lifecycle: Lifecycle;
  logger: Logger;
  evaluator: Evaluator;
  managed: ManagedTargets;
  assessments: AssessmentRunner;
  /** Null when ASSESSMENTS_ENABLED is false. */
  scheduler: AssessmentScheduler | null;
  apiPort: number;
  opsPort: number;
  /** The addresses the API and ops servers listen on (HTTP_HOST, OPS_HOST: loopback by default). */
  apiAddress: string;
  opsAddress: string;
  /** One evaluation for today now (also run every EVALUATION_INTERVAL_SECONDS). */
  evaluateNow: () => Promise<EvaluationOutcome>;
  flags: () => ReadonlyMap<string, FlagState>;
  /** Whether this replica holds the flags lease. */
  isFlagsLeader: () => boolean;
}

export async function startAlerting(config: AlertingConfig, opts: { now?: () => Date; flagPolicy?: FlagPolicy } = {}): Promise<RunningAlerting> {
  const logger = createLogger(config.SERVICE_NAME, config.LOG_LEVEL);
  const lifecycle = new Lifecycle(logger);
  const registry = createMetricsRegistry(config.SERVICE_NAME);
  const metrics = alertingMetrics(registry);
  const definitions = loadTargets(config.TARGETS_FILE);
  const now = opts.now ?? (() => new Date());

  const conn = await connectDatabase({ url: config.MONGO_URL, namespace: config.SA_NAMESPACE, logger });
  const store = createStore(conn);
  const kafka = new KafkaClient({
    brokers: config.KAFKA_BROKERS,
    clientId: config.KAFKA_CLIENT_ID ?? config.SERVICE_NAME,
    logger,
    namespace: config.SA_NAMESPACE,
  });
  await kafka.connectProducer();
  await store.ensureIndexes();
  const managed = new ManagedTargets(definitions, store.targets, logger);
  const indicators = new IndicatorClient(config.INDICATOR_URL, { secret: config.INTERNAL_API_SECRET });
  const evaluator = new Evaluator(indicators, indicatorTaskReports(indicators), () => managed.all(), now);
  const whatIf = new WhatIf({ indicators, definitions: () => managed.all(), legacyUsccAllowList: config.LEGACY_USCC_ALLOWLIST, now });
  const runner = new AssessmentRunner({ store, indicators, definitions: () => managed.all(), logger, now });
  const scheduler = config.ASSESSMENTS_ENABLED
    ? new AssessmentScheduler({
        runner,
        store,
        kafka,
        indicators,
        logger,
        checkSeconds: config.ASSESSMENT_CHECK_SECONDS,
        quietSeconds: config.ASSESSMENT_QUIET_SECONDS,
        onRun: (kind, outcome) => metrics.assessmentRuns.inc({ kind, outcome }),
        onCatchUpPending: (pending) => metrics.assessmentsCatchUpPending.set(pending ? 1 : 0),
      })
    : null;
  const zoneNames = Object.fromEntries(defaultZoneRegistry().zones.map((z) => [z.id, { zh: z.nameZh ?? z.id, en: z.nameEn ?? z.id }]));
  const grafana = config.GRAFANA_URL && config.GRAFANA_TOKEN ? new GrafanaAnnotations({ url: config.GRAFANA_URL, token: config.GRAFANA_TOKEN, logger }) : null;

  const loop = new EvaluationLoop({
    evaluator,
    progress: () => readPipelineProgress({ kafka, store, indicators, now }),
    catchUpWaitMs: config.EVALUATION_CATCH_UP_SECONDS * 1000,
    catchUpToleranceRecords: config.EVALUATION_IN_FLIGHT_TOLERANCE,
    flagStates: new FlagStore(conn),
    leases: store.leases,
    holder: runner.holder,
    // A standby takes over when the publisher has missed three evaluations.
    leaseTtlMs: Math.max(30, 3 * config.EVALUATION_INTERVAL_SECONDS) * 1000,
    publish: (event) => publishFlagChange(kafka, event),
    annotate: grafana ? (event) => grafana.annotate(event) : undefined,
    metrics,
    // The gauges need the lengths only: one entry per list and instance, not the whole lists.
    actionListLengths: async (asOf) => {
      const headline = headlineTargetOf(await managed.all());
      return headline ? (await whatIf.actions(headline.id, asOf, DEFAULT_ACTION_WINDOW_DAYS, 1)).lengths : null;
    },
    logger,
    flagPolicy: opts.flagPolicy,
    now,
  });

  const ops = await listen(
    createOpsApp({ logger, registry, readiness: { kafka: () => kafka.ping(), database: () => pingDatabase(conn) } }),
    config.OPS_PORT,
    config.OPS_HOST,
  );
  const api = await listen(
    createServer({
      evaluator,
      whatIf,
      logger,
      registry,
      managed,
      now,
      assessments: { runner, store, zoneNames, pdf: { chromiumPath: config.CHROMIUM_PATH } },
      internalSecret: config.INTERNAL_API_SECRET,
    }),
    config.HTTP_PORT,
    config.HTTP_HOST,
  );

  loop.start({ intervalSeconds: config.EVALUATION_INTERVAL_SECONDS, retrySeconds: CATCH_UP_RETRY_SECONDS });
  scheduler?.start();

  lifecycle
    .onShutdown('stop evaluations (the one in progress finishes; the flags lease is given up)', () => loop.stop())
    .onShutdown('stop assessments (a run in progress finishes)', async () => scheduler?.stop())
    .onShutdown('deliver queued annotations', async () => grafana?.drain())
    .onShutdown('close http', async () => {
      await api.close();
      await ops.close();
    })
    .onShutdown('close kafka', () => kafka.close())
    .onShutdown('close database', () => conn.close());
  logger.info({ port: config.HTTP_PORT, targets: (await evaluator.targetDefinitions()).map((t) => t.id) }, 'alerting listening');
  return {
    lifecycle,
    logger,
    evaluator,
    managed,
    assessments: runner,
    scheduler,
    apiPort: (api.server.address() as AddressInfo).port,
    opsPort: (ops.server.address() as AddressInfo).port,
    apiAddress: (api.server.address() as AddressInfo).address,
    opsAddress: (ops.server.address() as AddressInfo).address,
    evaluateNow: async () => {
      await loop.evaluateOnce();
      return loop.evaluate();
    },
    flags: () => loop.flagStates(),
    isFlagsLeader: () => loop.isLeader(),
  };
}
