import { TOPICS } from '@siliconalley/contract';
import { connectDatabase, pingDatabase } from '@siliconalley/db';
import { createMetricsRegistry, createOpsApp, Lifecycle, listen, rejectedEventsCounter } from '@siliconalley/http';
import { DeadLetterProducer, KafkaClient } from '@siliconalley/kafka';
import { createLogger, type Logger } from '@siliconalley/logger';
import { createStore } from '@siliconalley/store';
import type { GatewayConfig } from './config';
import { pipelineGauges } from './metrics';
import { createServer } from './server';

export async function startGateway(config: GatewayConfig): Promise<{ lifecycle: Lifecycle; logger: Logger }> {
  const logger = createLogger(config.SERVICE_NAME, config.LOG_LEVEL);
  const lifecycle = new Lifecycle(logger);
  const registry = createMetricsRegistry(config.SERVICE_NAME);
  const rejected = rejectedEventsCounter(registry);
  const conn = await connectDatabase({ url: config.MONGO_URL, namespace: config.SA_NAMESPACE, logger });
  const store = createStore(conn);
  await store.ensureIndexes();
  pipelineGauges(registry, store.ledgers, logger);
  const kafka = new KafkaClient({
    brokers: config.KAFKA_BROKERS,
    clientId: config.KAFKA_CLIENT_ID ?? config.SERVICE_NAME,
    logger,
    namespace: config.SA_NAMESPACE,
  });
  await kafka.connectProducer();
  const app = createServer({
    logger,
    registry,
    store,
    kafka,
    deadLetters: new DeadLetterProducer(kafka, kafka.topic(TOPICS.deadLetter)),
    rejected,
    indicatorUrls: config.INDICATOR_URL,
    alertingUrl: config.ALERTING_URL,
    maxBodyBytes: config.INGEST_MAX_BODY_BYTES,
    rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
    corsOrigins: config.CORS_ORIGINS.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    trustProxyHops: config.TRUST_PROXY_HOPS,
    tokenCacheMs: config.TOKEN_CACHE_MS,
    internalSecret: config.INTERNAL_API_SECRET,
    authFailuresPerMinute: config.AUTH_FAILURES_PER_MINUTE,
    maxBatchEvents: config.INGEST_MAX_BATCH_EVENTS,
  });
  const api = await listen(app, config.HTTP_PORT, config.HTTP_HOST);
  const ops = await listen(
    createOpsApp({ logger, registry, readiness: { kafka: () => kafka.ping(), database: () => pingDatabase(conn) } }),
    config.OPS_PORT,
    config.OPS_HOST,
  );
  lifecycle
    .onShutdown('stop accepting requests and finish in-flight ones', () => api.close())
    .onShutdown('flush and close kafka', () => kafka.close())
    .onShutdown('close ops server', () => ops.close())
    .onShutdown('close database', () => conn.close());
  logger.info({ port: config.HTTP_PORT }, 'gateway listening');
  return { lifecycle, logger };
}
