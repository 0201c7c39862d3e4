// Wiring: config → targets → indicator client + event store → internal API; every interval the
// targets and tasks are evaluated for today (China time): gauges, flags with hysteresis, alert
// events and Grafana annotations.
import type { AddressInfo } from 'node:net';
import { IndicatorClient } from '@siliconalley/api';
import { connectDatabase, pingDatabase } from '@siliconalley/db';
import { createMetricsRegistry, createOpsApp, Lifecycle, listen } from '@siliconalley/http';
import { KafkaClient } from '@siliconalley/kafka';
import { createLogger, type Logger } from '@siliconalley/logger';
import { createStore } from '@siliconalley/store';
import { DEFAULT_FLAG_POLICY, nextFlag, nextTaskFlag, UNFLAGGED, type FlagPolicy, type FlagState } from '@siliconalley/targets';
import { loadTargets } from './targets-file';
import { flagChangeEvent, GrafanaAnnotations, publishFlagChange, taskFlagChangeEvent } from './alerts';
import type { AlertingConfig } from './config';
import { Evaluator, indicatorTaskReports } from './evaluate';
import { FlagStore } from './flag-store';
/** Flag-store keys of plan-task flags (target ids cannot contain ':'). */
const TASK_FLAG_PREFIX = 'task:';
import { ManagedTargets } from './managed-targets';
import { alertingMetrics, recordTargets, recordTasks } from './metrics';
import { createServer } from './server';
import { AssessmentRunner } from './assessments/runner';
import { AssessmentScheduler } from './assessments/scheduler';
import { defaultZoneRegistry } from '@siliconalley/zones';

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
  /** One evaluation for today now (also run every EVALUATION_INTERVAL_SECONDS). */
  evaluateNow: () => Promise<void>;
  flags: () => ReadonlyMap<string, FlagState>;
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
  const kafka = new KafkaClient({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID ?? config.SERVICE_NAME, logger, namespace: config.SA_NAMESPACE });
  await kafka.connectProducer();
  await store.ensureIndexes();
  const managed = new ManagedTargets(definitions, store.targets, logger);
  const indicators = new IndicatorClient(config.INDICATOR_URL);
  const evaluator = new Evaluator(indicators, indicatorTaskReports(indicators), () => managed.all(), now);
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
      })
    : null;
  const zoneNames = Object.fromEntries(defaultZoneRegistry().zones.map((z) => [z.id, { zh: z.nameZh ?? z.id, en: z.nameEn ?? z.id }]));
  const grafana = config.GRAFANA_URL && config.GRAFANA_TOKEN ? new GrafanaAnnotations({ url: config.GRAFANA_URL, token: config.GRAFANA_TOKEN, logger }) : null;

  const flagStore = new FlagStore(conn);
  const flags = new Map<string, FlagState>(await flagStore.load());
  const evaluateNow = async () => {
    try {
      const asOf = evaluator.today();
      const [judgements, tasks] = await Promise.all([evaluator.targets(asOf), evaluator.tasksOn(asOf)]);
      for (const j of judgements) {
        const { state, change } = nextFlag(flags.get(j.id) ?? UNFLAGGED, j, opts.flagPolicy ?? DEFAULT_FLAG_POLICY);
        if (change) {
          const event = flagChangeEvent(j, change, asOf, now());
          // The alert topic is the record: publish before remembering the new state, so a failed
          // publish is retried on the next evaluation.
          await publishFlagChange(kafka, event);
          grafana?.annotate(event);
          logger.warn({ target: j.id, change, status: j.status, ratio: j.ratio }, 'target flag changed');
        }
        flags.set(j.id, state);
      }
      // Plan tasks: flagged when overdue or blocked, cleared when neither (same store, key task:<id>).
      for (const t of tasks) {
        const key = `${TASK_FLAG_PREFIX}${t.id}`;
        const { state, change } = nextTaskFlag(flags.get(key) ?? UNFLAGGED, t);
        if (change) {
          const event = taskFlagChangeEvent(t, change, asOf, now());
          await publishFlagChange(kafka, event);
          grafana?.annotate(event);
          logger.warn({ task: t.id, change, overdue: t.overdue, blocked: t.blocked }, 'task flag changed');
        }
        flags.set(key, state);
      }
      // Targets deleted through the API: their flags go (no clearing event: the target is gone, and
      // its series disappear from /metrics, which resolves its alert in Prometheus).
      const judged = new Set(judgements.map((j) => j.id));
      const gone = [...flags.keys()].filter((id) => !id.startsWith(TASK_FLAG_PREFIX) && !judged.has(id));
      for (const id of gone) flags.delete(id);
      await flagStore.remove(gone);
      await flagStore.save(flags);
      recordTargets(metrics, judgements, (id) => flags.get(id)?.flagged ?? false);
      recordTasks(metrics, tasks);
      metrics.evaluations.inc({ outcome: 'ok' });
      metrics.lastEvaluation.set(now().getTime() / 1000);
    } catch (err) {
      metrics.evaluations.inc({ outcome: 'error' });
      logger.warn({ err }, 'evaluation failed; retrying at the next interval');
    }
  };

  const ops = await listen(
    createOpsApp({ logger, registry, readiness: { kafka: () => kafka.ping(), database: () => pingDatabase(conn) } }),
    config.OPS_PORT,
  );
  const api = await listen(createServer({ evaluator, logger, registry, managed, now, assessments: { runner, store, zoneNames } }), config.HTTP_PORT);

  let running: Promise<void> | null = null;
  const tick = () => {
    running ??= evaluateNow().finally(() => (running = null));
  };
  tick();
  scheduler?.start();
  const timer = setInterval(tick, config.EVALUATION_INTERVAL_SECONDS * 1000);
  timer.unref();

  lifecycle
    .onShutdown('stop evaluations', async () => {
      clearInterval(timer);
      await running;
    })
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
    evaluateNow: async () => {
      await running;
      await evaluateNow();
    },
    flags: () => flags,
  };
}
