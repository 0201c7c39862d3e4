// The indicator's in-memory state: every firm's accepted events (deduplicated by (source, id)) and
// the KPI engine's aggregates. Applying events touches only the firms they belong to.
import type { AcceptedEvent, FirmEvent, TaskProgressReported } from '@siliconalley/contract';
import { KpiEngine } from '@siliconalley/kpi-engine';
import type { ZoneRegistry } from '@siliconalley/zones';

const eventKey = (e: { source: string; id: string }) => `${e.source}\u0000${e.id}`;

export class IndicatorState {
  readonly engine: KpiEngine;
  private readonly firms = new Map<string, Map<string, FirmEvent>>();
  private readonly tasks = new Map<string, TaskProgressReported>();
  /** Newest provider `time` among applied events, for the freshness gauge. */
  newestEventTime: string | null = null;
  /** When the last event was applied (wall clock), for publish→KPI freshness. */
  lastAppliedAt: Date | null = null;
  applied = 0;

  constructor(readonly zones: ZoneRegistry) {
    this.engine = new KpiEngine(zones);
  }

  get firmCount(): number {
    return this.firms.size;
  }

  /** Applies accepted events; duplicates (same source and id) change nothing. Returns firms changed. */
  apply(events: readonly AcceptedEvent[]): string[] {
    const touched = new Set<string>();
    for (const event of events) {
      if (event.type === 'task.progress.reported') {
        this.tasks.set(eventKey(event), event);
        continue;
      }
      let firm = this.firms.get(event.subject);
      if (!firm) {
        firm = new Map();
        this.firms.set(event.subject, firm);
      }
      const key = eventKey(event);
      if (firm.has(key)) continue;
      firm.set(key, event);
      touched.add(event.subject);
      if (this.newestEventTime === null || event.time > this.newestEventTime) this.newestEventTime = event.time;
    }
    for (const uscc of touched) this.engine.setFirmEvents(uscc, [...this.firms.get(uscc)!.values()]);
    this.applied += events.length;
    if (events.length) this.lastAppliedAt = new Date();
    return [...touched];
  }

  firmEvents(uscc: string): FirmEvent[] {
    return [...(this.firms.get(uscc)?.values() ?? [])];
  }

  taskReports(): TaskProgressReported[] {
    return [...this.tasks.values()];
  }

  /** The name a firm has in its latest base registration, for drill-down listings. */
  firmName(uscc: string): string | null {
    let best: FirmEvent | null = null;
    for (const e of this.firms.get(uscc)?.values() ?? []) {
      if (e.type !== 'enterprise.registered') continue;
      if (!best || e.time > best.time || (e.time === best.time && e.id > best.id)) best = e;
    }
    return best && best.type === 'enterprise.registered' ? best.data.name : null;
  }
}
