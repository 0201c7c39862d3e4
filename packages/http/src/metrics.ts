import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export { Counter, Gauge, Histogram, Registry };

/** Each service owns one registry (no global default), so tests and several apps in one process don't collide. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: 'siliconalley_' });
  // prom-client exports these gauges with a `_total` suffix that Prometheus reserves for counters
  // (`promtool check metrics` rejects them); the per-type gauges without the suffix remain.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
    registry.removeSingleMetric(`siliconalley_${name}`);
  }
  return registry;
}

/**
 * Rejected records, by reason code: counted where they are dead-lettered, by ingestion (Kafka) and by
 * the gateway (HTTP requests it refuses before Kafka), so one alert rule (IngestionRejections) sees both.
 */
export function rejectedEventsCounter(registry: Registry): Counter<'reason'> {
  return new Counter({
    name: 'siliconalley_events_rejected_total',
    help: 'Records rejected to the dead-letter topic, by reason code (events.md).',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
}

/** The consumer-lag gauge every consuming service exports (same name and labels everywhere). */
export function consumerLagGauge(registry: Registry): Gauge<'group' | 'topic'> {
  return new Gauge({
    name: 'siliconalley_consumer_lag_records',
    help: 'Records published to a topic but not yet committed by the consumer group.',
    labelNames: ['group', 'topic'] as const,
    registers: [registry],
  });
}
