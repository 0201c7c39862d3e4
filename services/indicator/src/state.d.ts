import type { AcceptedEvent, FirmEvent, TaskProgressReported } from '@siliconalley/contract';
import { KpiEngine } from '@siliconalley/kpi-engine';
import type { ZoneRegistry } from '@siliconalley/zones';
/** Events read from the event store rather than a partition (a full rebuild). */
export declare const NO_PARTITION = -1;
export declare class IndicatorState {
    readonly zones: ZoneRegistry;
    readonly engine: KpiEngine;
    private readonly firms;
    private readonly tasks;
    /** Which partition each firm (or task, by subject) came from, to drop it on revocation. */
    private readonly subjectsByPartition;
    /** Newest provider `time` among applied events, for the freshness gauge. */
    newestEventTime: string | null;
    /** When the last event was applied (wall clock), for publish→KPI freshness. */
    lastAppliedAt: Date | null;
    applied: number;
    /** Called after each applied batch (benchmarks measure publish→KPI freshness with it). */
    readonly applyListeners: ((events: readonly AcceptedEvent[]) => void)[];
    constructor(zones: ZoneRegistry);
    get firmCount(): number;
    /** Applies accepted events; duplicates (same source and id) change nothing. Returns firms changed. */
    apply(events: readonly AcceptedEvent[], partition?: number): string[];
    /** Forgets everything that came from these partitions (another instance owns them now). */
    dropPartitions(partitions: Iterable<number>): void;
    firmEvents(uscc: string): FirmEvent[];
    taskReports(): TaskProgressReported[];
    /** The firm's name on `asOf` is not tracked here; the latest base registration's name is shown. */
    firmName(uscc: string): string | null;
}
//# sourceMappingURL=state.d.ts.map