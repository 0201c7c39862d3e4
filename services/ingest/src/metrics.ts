import { Counter, Histogram, consumerLagGauge, rejectedEventsCounter, type Registry } from '@siliconalley/http';

export function ingestMetrics(registry: Registry) {
  return {
    consumed: new Counter({
      name: 'siliconalley_events_consumed_total',
      help: 'Records read from provider topics (or received over HTTP), by topic.',
      labelNames: ['topic'] as const,
      registers: [registry],
    }),
    accepted: new Counter({
      name: 'siliconalley_events_accepted_total',
      help: 'Events accepted and stored once, by short event type.',
      labelNames: ['type'] as const,
      registers: [registry],
    }),
    rejected: rejectedEventsCounter(registry),
    duplicates: new Counter({
      name: 'siliconalley_events_duplicate_total',
      help: 'Valid events whose (source, id) was already accepted; skipped.',
      registers: [registry],
    }),
    chunkSeconds: new Histogram({
      name: 'siliconalley_ingest_chunk_duration_seconds',
      help: 'Time to validate, store, dead-letter and forward one chunk of records.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    /** Where a chunk's time goes: which of the database, the broker or our own CPU bounds ingestion. */
    stepSeconds: new Histogram({
      name: 'siliconalley_ingest_chunk_step_duration_seconds',
      help: 'Time of one step of a chunk: validate (contract, in memory), ledger (conditional ledger writes before the settle), store (event insert), forward (dead letters, accepted topic and dispositions, together), settle (the final ledger write).',
      labelNames: ['step'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    lag: consumerLagGauge(registry),
  };
}

export type IngestMetrics = ReturnType<typeof ingestMetrics>;
