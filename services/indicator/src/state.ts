// The indicator's in-memory state: the accepted events of the firms in the partitions this instance
// owns (deduplicated by (source, id)) and the KPI engine's aggregates over them. Applying events
// touches only the firms they belong to; losing a partition drops exactly its firms.
import { eventIdentity, type AcceptedEvent, type FirmEvent, type TaskProgressReported } from '@siliconalley/contract';
import {
  actionListsOf,
  compareTimeThenId,
  contributionsOfHistory,
  isActionCandidate,
  KpiEngine,
  resolveFirmHistory,
  type ActionLists,
  type ActionQuery,
  type FirmHistory,
} from '@siliconalley/kpi-engine';
import type { ZoneRegistry } from '@siliconalley/zones';

/** Events read from the event store rather than a partition (a full rebuild). */
export const NO_PARTITION = -1;

export class IndicatorState {
  readonly engine: KpiEngine;
  private readonly firms = new Map<string, Map<string, FirmEvent>>();
  private readonly tasks = new Map<string, TaskProgressReported>();
  /**
   * Resolved histories of the firms that can be on an action list (a qualifying or innovative-SME
   * certificate), kept as they change: a list costs O(these firms), not O(all firms).
   */
  private readonly actionCandidates = new Map<string, FirmHistory>();
  /** Which partition each firm (or task, by subject) came from, to drop it on revocation. */
  private readonly subjectsByPartition = new Map<number, Set<string>>();
  /** Newest provider `time` among applied events, for the freshness gauge. */
  newestEventTime: string | null = null;
  /** When the last event was applied (wall clock), for publish→KPI freshness. */
  lastAppliedAt: Date | null = null;
  applied = 0;
  /** Called after each applied batch (benchmarks measure publish→KPI freshness with it). */
  readonly applyListeners: ((events: readonly AcceptedEvent[]) => void)[] = [];

  constructor(readonly zones: ZoneRegistry) {
    this.engine = new KpiEngine(zones);
  }

  get firmCount(): number {
    return this.firms.size;
  }

  /**
   * Applies accepted events; duplicates (same source and id) change nothing. Returns the events
   * applied for the first time (what the change log records).
   */
  apply(events: readonly AcceptedEvent[], partition = NO_PARTITION): AcceptedEvent[] {
    const touched = new Set<string>();
    const fresh: AcceptedEvent[] = [];
    let subjects = this.subjectsByPartition.get(partition);
    if (!subjects) {
      subjects = new Set();
      this.subjectsByPartition.set(partition, subjects);
    }
    for (const event of events) {
      subjects.add(event.subject);
      const key = eventIdentity(event);
      if (event.type === 'task.progress.reported') {
        if (this.tasks.has(key)) continue;
        this.tasks.set(key, event);
        fresh.push(event);
        continue;
      }
      let firm = this.firms.get(event.subject);
      if (!firm) {
        firm = new Map();
        this.firms.set(event.subject, firm);
      }
      if (firm.has(key)) continue;
      firm.set(key, event);
      fresh.push(event);
      touched.add(event.subject);
      if (this.newestEventTime === null || Date.parse(event.time) > Date.parse(this.newestEventTime)) this.newestEventTime = event.time;
    }
    for (const uscc of touched) this.refreshFirm(uscc);
    this.applied += events.length;
    if (events.length) this.lastAppliedAt = new Date();
    for (const listener of this.applyListeners) listener(events);
    return fresh;
  }

  /** Re-derives one firm from all of its events: KPI contributions and, if it is one, its action-list history. */
  private refreshFirm(uscc: string): void {
    const history = resolveFirmHistory([...this.firms.get(uscc)!.values()]);
    this.engine.setFirmContributions(uscc, contributionsOfHistory(history, this.zones));
    if (isActionCandidate(history)) this.actionCandidates.set(uscc, history);
    else this.actionCandidates.delete(uscc);
  }

  /** kpis.md "Action lists" over the firms held here (merge instances with mergeActionLists). */
  actionLists(query: ActionQuery): ActionLists {
    return actionListsOf(this.actionCandidates, this.zones, query);
  }

  /** Whether this instance holds events of the firm (a what-if re-derives held firms with their stored events). */
  holdsFirm(uscc: string): boolean {
    return this.firms.has(uscc);
  }

  /** Whether an event with this (source, id) is held for the subject. */
  holdsEvent(subject: string, source: string, id: string): boolean {
    const key = eventIdentity({ source, id });
    return this.firms.get(subject)?.has(key) === true || this.tasks.has(key);
  }

  /** Forgets everything that came from these partitions (another instance owns them now). */
  dropPartitions(partitions: Iterable<number>): void {
    for (const partition of partitions) {
      for (const subject of this.subjectsByPartition.get(partition) ?? []) {
        if (this.firms.delete(subject)) this.engine.removeFirm(subject);
        this.actionCandidates.delete(subject);
        for (const [key, task] of this.tasks) if (task.subject === subject) this.tasks.delete(key);
      }
      this.subjectsByPartition.delete(partition);
    }
  }

  firmEvents(uscc: string): FirmEvent[] {
    return [...(this.firms.get(uscc)?.values() ?? [])];
  }

  /** Every held event of these types, firm by firm (a data-quality count reads them from memory). */
  *firmEventsOfTypes(types: readonly string[]): Iterable<FirmEvent> {
    const wanted = new Set(types);
    for (const firm of this.firms.values()) for (const e of firm.values()) if (wanted.has(e.type)) yield e;
  }

  taskReports(): TaskProgressReported[] {
    return [...this.tasks.values()];
  }

  /** The firm's name on `asOf` is not tracked here; the latest base registration's name is shown. */
  firmName(uscc: string): string | null {
    let best: FirmEvent | null = null;
    for (const e of this.firms.get(uscc)?.values() ?? []) {
      if (e.type !== 'enterprise.registered') continue;
      if (!best || compareTimeThenId(e, best) > 0) best = e;
    }
    return best && best.type === 'enterprise.registered' ? best.data.name : null;
  }
}
