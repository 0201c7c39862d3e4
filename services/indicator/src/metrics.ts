import { chinaDateOf } from '@siliconalley/contract';
import { Gauge, Histogram, consumerLagGauge, type Registry } from '@siliconalley/http';
import type { IndicatorState } from './state';

/**
 * KPI gauges for today, computed at scrape time from the engine (cheap: no per-firm work).
 * Labels are bounded: KPI id × scope × kind × industry × window, never a firm.
 */
export function indicatorMetrics(registry: Registry, state: IndicatorState, now: () => Date = () => new Date()) {
  new Gauge({
    name: 'siliconalley_kpi_value',
    help: 'KPI value as of today (China time), per kpis.md id and labels; zone_share is a ratio 0..1.',
    labelNames: ['kpi', 'scope', 'kind', 'industry', 'within'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const e of state.engine.kpis(chinaDateOf(now()))) {
        if (e.value === null) continue;
        this.set(
          { kpi: e.id, scope: e.scope, kind: e.kind ?? '', industry: e.industry ?? '', within: e.within === undefined ? '' : String(e.within) },
          e.value,
        );
      }
    },
  });
  new Gauge({
    name: 'siliconalley_kpi_freshness_seconds',
    help: 'Seconds since the indicator last applied an accepted event (publish→KPI freshness when events flow).',
    registers: [registry],
    collect() {
      this.set(state.lastAppliedAt ? (now().getTime() - state.lastAppliedAt.getTime()) / 1000 : 0);
    },
  });
  new Gauge({
    name: 'siliconalley_kpi_newest_event_timestamp_seconds',
    help: 'Provider time of the newest applied event, as a Unix timestamp.',
    registers: [registry],
    collect() {
      if (state.newestEventTime) this.set(Date.parse(state.newestEventTime) / 1000);
    },
  });
  new Gauge({
    name: 'siliconalley_indicator_firms',
    help: 'Firms held in the KPI engine.',
    registers: [registry],
    collect() {
      this.set(state.firmCount);
    },
  });
  return {
    applySeconds: new Histogram({
      name: 'siliconalley_engine_apply_duration_seconds',
      help: 'Time to apply one chunk of accepted events to the KPI engine (incremental, per firm).',
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers: [registry],
    }),
    replaySeconds: new Gauge({
      name: 'siliconalley_engine_replay_duration_seconds',
      help: 'Time the last (re)assignment took to replay its partitions into the engine (the rebuild after a start or rebalance).',
      registers: [registry],
    }),
    lag: consumerLagGauge(registry),
  };
}
