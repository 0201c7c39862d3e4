// Durable pipeline counts as gauges: read from the ingest ledgers at each scrape (topics × partitions
// small documents), so the Grafana rejection panel shows the whole history and survives restarts of
// any service, where the ingest services' own counters start again from zero.
import { Gauge, type Registry } from '@siliconalley/http';
import type { Logger } from '@siliconalley/logger';
import type { LedgerRepository } from '@siliconalley/store';

export function pipelineGauges(registry: Registry, ledgers: Pick<LedgerRepository, 'totals'>, logger: Logger): void {
  let pending: ReturnType<LedgerRepository['totals']> | null = null;
  // One read per scrape serves both gauges.
  const totals = () => (pending ??= ledgers.totals().finally(() => setImmediate(() => (pending = null))));
  new Gauge({
    name: 'siliconalley_pipeline_records',
    help: 'Records ingestion has settled since the history began, by source topic and disposition (durable: the ingest ledgers).',
    labelNames: ['topic', 'disposition'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      try {
        for (const [topic, t] of Object.entries((await totals()).byTopic)) {
          this.set({ topic, disposition: 'accepted' }, t.accepted);
          this.set({ topic, disposition: 'duplicate' }, t.duplicates);
          this.set({ topic, disposition: 'rejected' }, t.rejected);
        }
      } catch (err) {
        logger.warn({ err }, 'pipeline gauges unavailable (database)');
      }
    },
  });
  new Gauge({
    name: 'siliconalley_pipeline_rejected_records',
    help: 'Records ingestion has rejected since the history began, by reason code (durable: the ingest ledgers).',
    labelNames: ['reason'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      try {
        for (const [reason, n] of Object.entries((await totals()).rejected)) this.set({ reason }, n);
      } catch {
        // Said once by the gauge above.
      }
    },
  });
}
