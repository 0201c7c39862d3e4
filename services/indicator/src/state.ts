// The indicator's in-memory state: the accepted events of the firms in the partitions this instance
// owns (deduplicated by (source, id)) and the KPI engine's aggregates over them. Applying events
// touches only the firms they belong to; losing a partition drops exactly its firms.
import { eventIdentity, type AcceptedEvent, type FirmEvent, type TaskProgressReported } from '@siliconalley/contract';
import {
  actionListsOf,
  compareTimeThenId,
  contributionsOfHistory,
  groupEventsByFirm,
  isActionCandidate,
  KpiEngine,
  resolveFirmHistory,
  type ActionLists,
  type ActionQuery,
  type FirmHistory,
} from '@siliconalley/kpi-engine';
import type { ZoneRegistry } from '@siliconalley/zones';
import { appendFirmEvents, decodeFirmEvents } from './firm-events';
import { CertificatesWithoutFirmCount } from './uncovered';

/** Events read from the event store rather than a partition (a full rebuild). */
export const NO_PARTITION = -1;

export class IndicatorState {
  readonly engine: KpiEngine;
  /** Data-quality: certificates without a known firm, kept as firms change. */
  readonly certificatesWithoutFirm = new CertificatesWithoutFirmCount();
  /**
   * Per partition, per firm, its events encoded compactly (firm-events.ts): a firm's events all
   * come from one partition (the accepted topic is keyed by firm), and dropping a partition is
   * dropping its map.
   */
  private readonly firmsByPartition = new Map<number, Map<string, string>>();
  private readonly tasks = new Map<string, { partition: number; report: TaskProgressReported }>();
  /**
   * Resolved histories of the firms that can be on an action list (a qualifying or innovative-SME
   * certificate), kept as they change: a list costs O(these firms), not O(all firms).
   */
  private readonly actionCandidates = new Map<string, FirmHistory>();
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
    let n = 0;
    for (const firms of this.firmsByPartition.values()) n += firms.size;
    return n;
  }

  /**
   * Applies accepted events; duplicates (same source and id) change nothing. Returns the events
   * applied for the first time (what the change log records), in the order given.
   */
  apply(events: readonly AcceptedEvent[], partition = NO_PARTITION): AcceptedEvent[] {
    const isFresh = new Set<AcceptedEvent>();
    for (const event of events) {
      if (event.type !== 'task.progress.reported') continue;
      const key = eventIdentity(event);
      if (this.tasks.has(key)) continue;
      this.tasks.set(key, { partition, report: event });
      isFresh.add(event);
    }
    for (const [uscc, arriving] of groupEventsByFirm(events)) {
      const firms = this.firmsOf(uscc) ?? this.partitionFirms(partition);
      const encoded = firms.get(uscc);
      const held = decodeFirmEvents(uscc, encoded);
      const keys = new Set(held.map(eventIdentity));
      const added: FirmEvent[] = [];
      for (const event of arriving) {
        const key = eventIdentity(event);
        if (keys.has(key)) continue;
        keys.add(key);
        added.push(event);
        isFresh.add(event);
        if (this.newestEventTime === null || Date.parse(event.time) > Date.parse(this.newestEventTime)) this.newestEventTime = event.time;
      }
      if (added.length === 0) continue;
      firms.set(uscc, appendFirmEvents(uscc, encoded, added));
      this.refreshFirm(uscc, [...held, ...added]);
    }
    this.applied += events.length;
    if (events.length) this.lastAppliedAt = new Date();
    for (const listener of this.applyListeners) listener(events);
    return events.filter((e) => isFresh.has(e));
  }

  /** Re-derives one firm from all of its events: KPI contributions, data-quality and, if it is one, its action-list history. */
  private refreshFirm(uscc: string, events: readonly FirmEvent[]): void {
    const history = resolveFirmHistory(events);
    this.engine.setFirmContributions(uscc, contributionsOfHistory(history, this.zones));
    this.certificatesWithoutFirm.setFirm(uscc, events);
    if (isActionCandidate(history)) this.actionCandidates.set(uscc, history);
    else this.actionCandidates.delete(uscc);
  }

  /** kpis.md "Action lists" over the firms held here (merge instances with mergeActionLists). */
  actionLists(query: ActionQuery): ActionLists {
    return actionListsOf(this.actionCandidates, this.zones, query);
  }

  /** Whether this instance holds events of the firm (a what-if re-derives held firms with their stored events). */
  holdsFirm(uscc: string): boolean {
    return this.firmsOf(uscc) !== undefined;
  }

  /** Whether an event with this (source, id) is held for the subject. */
  holdsEvent(subject: string, source: string, id: string): boolean {
    const key = eventIdentity({ source, id });
    return this.tasks.has(key) || this.firmEvents(subject).some((e) => eventIdentity(e) === key);
  }

  /** Forgets everything that came from these partitions (another instance owns them now). */
  dropPartitions(partitions: Iterable<number>): void {
    for (const partition of partitions) {
      for (const uscc of this.firmsByPartition.get(partition)?.keys() ?? []) {
        this.engine.removeFirm(uscc);
        this.certificatesWithoutFirm.removeFirm(uscc);
        this.actionCandidates.delete(uscc);
      }
      this.firmsByPartition.delete(partition);
      for (const [key, task] of this.tasks) if (task.partition === partition) this.tasks.delete(key);
    }
  }

  firmEvents(uscc: string): FirmEvent[] {
    return decodeFirmEvents(uscc, this.firmsOf(uscc)?.get(uscc));
  }

  taskReports(): TaskProgressReported[] {
    return [...this.tasks.values()].map((t) => t.report);
  }

  /** The firm's name on `asOf` is not tracked here; the latest base registration's name is shown. */
  firmName(uscc: string): string | null {
    let best: FirmEvent | null = null;
    for (const e of this.firmEvents(uscc)) {
      if (e.type !== 'enterprise.registered') continue;
      if (!best || compareTimeThenId(e, best) > 0) best = e;
    }
    return best && best.type === 'enterprise.registered' ? best.data.name : null;
  }

  /** The map of the partition that holds the firm (a handful of partitions: O(1)). */
  private firmsOf(uscc: string): Map<string, string> | undefined {
    for (const firms of this.firmsByPartition.values()) if (firms.has(uscc)) return firms;
    return undefined;
  }

  private partitionFirms(partition: number): Map<string, string> {
    let firms = this.firmsByPartition.get(partition);
    if (!firms) this.firmsByPartition.set(partition, (firms = new Map()));
    return firms;
  }
}
