import { Gauge, Histogram, type Registry } from '@siliconalley/http';
import type { IndicatorState } from './state';
/**
 * KPI gauges for today, computed at scrape time from the engine (cheap: no per-firm work).
 * Labels are bounded: KPI id × scope × kind × industry × window, never a firm.
 */
export declare function indicatorMetrics(registry: Registry, state: IndicatorState, now?: () => Date): {
    applySeconds: Histogram<string>;
    rebuildSeconds: Gauge<string>;
    lag: Gauge<"group" | "topic">;
};
//# sourceMappingURL=metrics.d.ts.map